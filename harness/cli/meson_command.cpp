// `sohound meson BUILD_DIR`: the tests a Meson build registered (adopt/meson), as a suite of
// programs, under the tools.
#include "harness/adopt/meson.hpp"
#include "harness/cli/commands.hpp"

namespace harness::cli {

int meson_command(const MesonOptions& meson, RunOptions run) {
  adopt::MesonSelection selection{meson.names, meson.suites, meson.no_suites};
  std::vector<std::string> notes;
  auto suite = adopt::load_meson_suite(meson.build_dir, selection, flavour_dirs(meson.asan, meson.tsan, meson.ubsan), notes);
  return run_adopted("meson", std::move(suite), notes, std::move(run));
}

}  // namespace harness::cli
