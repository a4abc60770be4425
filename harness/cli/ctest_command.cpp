// `sohound ctest BUILD_DIR`: the tests a CMake build registered (adopt/ctest), as a suite of
// programs, under the tools.
#include "harness/adopt/ctest.hpp"
#include "harness/cli/commands.hpp"

#include <fmt/format.h>

namespace harness::cli {

int ctest_command(const CtestOptions& ctest, RunOptions run) {
  adopt::CtestSelection selection{ctest.name_regex, ctest.exclude_name_regex, ctest.label_regex, ctest.exclude_label_regex};
  std::map<model::Flavour, std::string> flavour_dirs;
  if (!ctest.asan.empty()) flavour_dirs[model::Flavour::asan] = ctest.asan;
  if (!ctest.tsan.empty()) flavour_dirs[model::Flavour::tsan] = ctest.tsan;
  if (!ctest.ubsan.empty()) flavour_dirs[model::Flavour::ubsan] = ctest.ubsan;
  std::vector<std::string> notes;
  auto suite = adopt::load_ctest_suite(ctest.build_dir, selection, flavour_dirs, notes);
  for (const auto& note : notes) fmt::print(stderr, "sohound ctest: note: {}\n", note);
  if (!suite) {
    fmt::print(stderr, "sohound ctest: {}\n", suite.error().message);
    return k_exit_usage;
  }
  run.suites.push_back(std::move(*suite));
  return run_command(run);
}

}  // namespace harness::cli
