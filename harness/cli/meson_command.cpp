// `sohound meson BUILD_DIR`: the tests a Meson build registered (adopt/meson), as a suite of
// programs, under the tools.
#include "harness/adopt/meson.hpp"
#include "harness/cli/commands.hpp"

#include <fmt/format.h>

namespace harness::cli {

int meson_command(const MesonOptions& meson, RunOptions run) {
  adopt::MesonSelection selection{meson.names, meson.suites, meson.no_suites};
  std::map<model::Flavour, std::string> flavour_dirs;
  if (!meson.asan.empty()) flavour_dirs[model::Flavour::asan] = meson.asan;
  if (!meson.tsan.empty()) flavour_dirs[model::Flavour::tsan] = meson.tsan;
  if (!meson.ubsan.empty()) flavour_dirs[model::Flavour::ubsan] = meson.ubsan;
  std::vector<std::string> notes;
  auto suite = adopt::load_meson_suite(meson.build_dir, selection, flavour_dirs, notes);
  for (const auto& note : notes) fmt::print(stderr, "sohound meson: note: {}\n", note);
  if (!suite) {
    fmt::print(stderr, "sohound meson: {}\n", suite.error().message);
    return k_exit_usage;
  }
  run.suites.push_back(std::move(*suite));
  return run_command(run);
}

}  // namespace harness::cli
