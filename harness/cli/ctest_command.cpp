// `sohound ctest BUILD_DIR`: the tests a CMake build registered (adopt/ctest), as a suite of
// programs, under the tools; and what `sohound meson` shares with it.
#include "harness/adopt/ctest.hpp"
#include "harness/cli/commands.hpp"

#include <fmt/format.h>

namespace harness::cli {

std::map<model::Flavour, std::string> flavour_dirs(const std::string& asan, const std::string& tsan, const std::string& ubsan) {
  std::map<model::Flavour, std::string> dirs;
  if (!asan.empty()) dirs[model::Flavour::asan] = asan;
  if (!tsan.empty()) dirs[model::Flavour::tsan] = tsan;
  if (!ubsan.empty()) dirs[model::Flavour::ubsan] = ubsan;
  return dirs;
}

int run_adopted(std::string_view command, util::Result<model::SuiteSpec> suite, const std::vector<std::string>& notes,
                RunOptions run) {
  for (const auto& note : notes) fmt::print(stderr, "sohound {}: note: {}\n", command, note);
  if (!suite) {
    fmt::print(stderr, "sohound {}: {}\n", command, suite.error().message);
    return k_exit_usage;
  }
  run.suites.push_back(std::move(*suite));
  return run_command(run);
}

int ctest_command(const CtestOptions& ctest, RunOptions run) {
  adopt::CtestSelection selection{ctest.name_regex, ctest.exclude_name_regex, ctest.label_regex, ctest.exclude_label_regex};
  std::vector<std::string> notes;
  auto suite = adopt::load_ctest_suite(ctest.build_dir, selection, flavour_dirs(ctest.asan, ctest.tsan, ctest.ubsan), notes);
  return run_adopted("ctest", std::move(suite), notes, std::move(run));
}

}  // namespace harness::cli
