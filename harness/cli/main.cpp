// The sohound command line: a table of subcommands, each a thin call into harness::cli.
#include "harness/cli/commands.hpp"

#include <CLI/CLI.hpp>

#ifndef SOHOUND_VERSION
#define SOHOUND_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace harness::cli;
  CLI::App app{"Sohound: leak- and race-checking test harness for shared libraries"};
  app.set_version_flag("--version", SOHOUND_VERSION);
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Build a driver per feature, run it under each tool, report findings");
  run_cmd->add_option("specs", run.specs, "Spec files (YAML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--tools", run.tools, "Only these tools (comma-separated: memcheck,asan)")->delimiter(',');
  run_cmd->add_option("-j,--jobs", run.jobs, "Processes at once (default: number of cores)")->check(CLI::PositiveNumber);
  run_cmd->add_option("--out", run.out_dir, "Output folder (default: sohound-out)");
  run_cmd->add_option("--filter", run.filter, "Only features whose name or suite/name matches this glob");
  run_cmd->add_flag("!--no-progress", run.progress, "No live progress line");

  std::vector<std::string> check_specs;
  auto* check_cmd = app.add_subcommand("check", "Validate spec files without running anything");
  check_cmd->add_option("specs", check_specs, "Spec files (YAML)")->required()->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : k_exit_usage;
  }
  if (*run_cmd) return run_command(run);
  if (*check_cmd) return check_command(check_specs);
  return k_exit_usage;
}
