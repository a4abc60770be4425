// The sohound command line: a table of subcommands, each a thin call into harness::cli.
#include "harness/cli/commands.hpp"
#include "harness/util/interrupt.hpp"

#include "harness/util/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

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
  run_cmd->add_option("specs", run.specs, "Spec files (YAML)")->required();
  run_cmd->add_option("--tools", run.tools, "Only these tools (comma-separated: memcheck,asan)")->delimiter(',');
  run_cmd->add_option("-j,--jobs", run.jobs, "Processes at once (default: number of cores)")->check(CLI::Range(1, 1024));
  run_cmd->add_option("--out", run.out_dir, "Output folder (default: sohound-out)");
  run_cmd->add_option("--filter", run.filter, "Only features whose name or suite/name matches this glob");
  run_cmd->add_flag("!--no-progress", run.progress, "No live progress line");
  run_cmd->add_option("--suppressions", run.suppressions, "A YAML suppressions file (repeatable)");
  run_cmd->add_flag("!--no-default-suppressions", run.default_suppressions, "Do not apply the shipped suppressions");
  run_cmd->add_option("--baseline", run.baseline, "Fail only on findings whose fingerprint is not in this baseline");
  run_cmd->add_option("--write-baseline", run.write_baseline, "Write this run's failing findings as a baseline");
  run_cmd->add_option("--report", run.reports, "Reports to write: html,junit,sarif,json (default html,junit,json)")
      ->delimiter(',');
  run_cmd->add_option("--source-root", run.source_root, "Paths in SARIF and JUnit are relative to this (default: .)");
  run_cmd->add_option("--compiler", run.compiler, "Build with this compiler whatever the specs say")
      ->check(CLI::IsMember({"gcc", "clang"}));
  run_cmd->add_option("--isolation", run.isolation,
                      "process: every feature in its own tool process; batch: features share processes where their "
                      "spec allows (the default)")
      ->check(CLI::IsMember({"process", "batch"}));
  run_cmd->add_option("--cache-dir", run.cache_dir, "The result cache (default: $XDG_CACHE_HOME/sohound)");
  run_cmd->add_flag("!--no-cache", run.cache, "Run every job; neither read nor write the result cache");

  ReportCommandOptions report;
  auto* report_cmd = app.add_subcommand("report", "Render reports again from a results.json");
  report_cmd->add_option("results", report.results, "results.json")->required();
  report_cmd->add_option("--report", report.reports, "Reports to write: html,junit,sarif,json")->delimiter(',');
  report_cmd->add_option("--out", report.out_dir, "Output folder (default: the results file's folder)");
  report_cmd->add_option("--source-root", report.source_root, "Paths in SARIF and JUnit are relative to this");

  MergeOptions merge;
  auto* merge_cmd = app.add_subcommand("merge", "Merge results.json files of several runs or CI shards");
  merge_cmd->add_option("inputs", merge.inputs, "results.json files")->required();
  merge_cmd->add_option("-o,--output", merge.output, "The merged results.json")->required();
  merge_cmd->add_flag("--allow-duplicates", merge.allow_duplicates, "The same job in two inputs: keep the later one");

  std::vector<std::string> check_specs;
  auto* check_cmd = app.add_subcommand("check", "Validate spec files without running anything");
  check_cmd->add_option("specs", check_specs, "Spec files (YAML)")->required();

  std::string supp_results, supp_out;
  auto* supp_cmd = app.add_subcommand("suppressions", "Write a suppression entry per new finding of a results.json");
  supp_cmd->add_option("results", supp_results, "results.json of a run")->required();
  supp_cmd->add_option("-o,--output", supp_out, "Write to this file (default: standard output)");

  // Unknown options are collected (not parsed as file names: "--timeout 5" once read as a missing
  // spec "5") and reported with a suggestion; positional files are checked after that.
  for (auto* sub : app.get_subcommands({})) sub->allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : k_exit_usage;
  }
  for (auto* sub : app.get_subcommands()) {
    if (sub->remaining().empty()) continue;
    std::vector<std::string> names;
    for (const auto* option : sub->get_options())
      for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    const auto word = sub->remaining().front();
    std::vector<std::string_view> candidates(names.begin(), names.end());
    const auto suggestion = harness::util::closest_match(word.substr(0, word.find('=')), candidates);
    fmt::print(stderr, "sohound {}: unknown option '{}'{}; see 'sohound {} --help'\n", sub->get_name(), word,
               suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion), sub->get_name());
    return k_exit_usage;
  }
  auto missing = [](const std::vector<std::string>& files, std::string_view what) {
    for (const auto& file : files) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec)) {
        fmt::print(stderr, "sohound: {} '{}' {}\n", what, file,
                   std::filesystem::exists(file, ec) ? "is not a regular file" : "does not exist");
        return true;
      }
    }
    return false;
  };
  if ((*run_cmd && missing(run.specs, "spec")) || (*check_cmd && missing(check_specs, "spec")) ||
      (*report_cmd && missing({report.results}, "results file")) || (*merge_cmd && missing(merge.inputs, "results file")) ||
      (*supp_cmd && missing({supp_results}, "results file")) ||
      (*run_cmd && missing(run.suppressions, "suppressions file")) ||
      (*run_cmd && !run.baseline.empty() && missing({run.baseline}, "baseline")))
    return k_exit_usage;
  // Ctrl-C and SIGTERM: `run` stops its jobs and writes what it gathered (run_command.cpp); the
  // other commands stop the phase they are in, leave every file as it was, and exit 130.
  harness::util::install_interrupt_handlers(!*run_cmd);
  if (*run_cmd) return run_command(run);
  const int code = *check_cmd    ? check_command(check_specs)
                   : *supp_cmd   ? suppressions_command(supp_results, supp_out)
                   : *report_cmd ? report_command(report)
                   : *merge_cmd  ? merge_command(merge)
                                 : k_exit_usage;
  return harness::util::interrupted() ? 130 : code;
}
