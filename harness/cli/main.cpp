// The sohound command line: a table of subcommands, each a thin call into harness::cli.
#include "harness/cli/commands.hpp"
#include "harness/util/interrupt.hpp"

#include "harness/util/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#ifndef SOHOUND_VERSION
#define SOHOUND_VERSION "0.0.0"
#endif

namespace {

// The options of a run, shared by `run` and the commands that build their suites themselves.
void add_run_options(CLI::App* cmd, harness::cli::RunOptions& run) {
  cmd->add_option("--tools", run.tools, "Only these tools (comma-separated: memcheck,asan)")->delimiter(',');
  cmd->add_option("-j,--jobs", run.jobs, "Processes at once (default: number of cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--out", run.out_dir, "Output folder (default: sohound-out)");
  cmd->add_option("--filter", run.filter, "Only features whose name or suite/name matches this glob");
  cmd->add_flag("!--no-progress", run.progress, "No live progress line: each job is printed once, as it ends");
  cmd->add_option("--suppressions", run.suppressions, "A YAML suppressions file (repeatable)");
  cmd->add_flag("!--no-default-suppressions", run.default_suppressions, "Do not apply the shipped suppressions");
  cmd->add_option("--baseline", run.baseline, "Fail only on findings whose fingerprint is not in this baseline");
  cmd->add_option("--write-baseline", run.write_baseline, "Write this run's failing findings as a baseline");
  cmd->add_option("--report", run.reports, "Reports to write: html,junit,sarif,json (default html,junit,json)")
      ->delimiter(',');
  cmd->add_option("--source-root", run.source_root, "Paths in SARIF and JUnit are relative to this (default: .)");
  cmd->add_option("--cache-dir", run.cache_dir, "The result cache (default: $XDG_CACHE_HOME/sohound)");
  cmd->add_flag("!--no-cache", run.cache, "Run every job; neither read nor write the result cache");
  cmd->add_option("--shard", run.shard, "Run shard K of N (1-based, e.g. 2/4); else from Bazel, GoogleTest or GitLab variables");
  cmd->add_option("--shard-total", run.shard_total, "Shards in all, with a Kubernetes Indexed Job's JOB_COMPLETION_INDEX")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--costs", run.costs, "Balance shards by the job times in this results.json (an earlier run or merge)");
  cmd->add_option("--trace", run.trace, "Write the run's spans as Chrome/Perfetto trace-event JSON to this file");
  cmd->add_option("--trace-otlp", run.trace_otlp, "Write the run's spans as OTLP/JSON (OpenTelemetry) to this file");
  cmd->add_option("--sandbox", run.sandbox,
                  "Run the code under test in bubblewrap: auto (where the machine allows it, the default), on (fail "
                  "every job where it cannot), off")
      ->check(CLI::IsMember({"auto", "on", "off"}));
}

// --asan/--tsan/--ubsan: the user's own instrumented builds (`what`: a program or a build folder).
void add_build_options(CLI::App* cmd, std::string& asan, std::string& tsan, std::string& ubsan, const std::string& what) {
  for (auto [name, target, flag] : {std::tuple{"--asan", &asan, "address"}, std::tuple{"--tsan", &tsan, "thread"},
                                    std::tuple{"--ubsan", &ubsan, "undefined"}})
    cmd->add_option(name, *target, fmt::format("{} built with -fsanitize={} (else {} is skipped)", what, flag, name + 2));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace harness::cli;
  CLI::App app{"Sohound: leak- and race-checking test harness for shared libraries"};
  app.set_version_flag("--version", SOHOUND_VERSION);
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Build a driver per feature, run it under each tool, report findings");
  run_cmd->add_option("specs", run.specs, "Spec files (YAML)")->required();
  add_run_options(run_cmd, run);
  run_cmd->add_option("--compiler", run.compiler, "Build with this compiler whatever the specs say")
      ->check(CLI::IsMember({"gcc", "clang"}));
  run_cmd->add_option("--isolation", run.isolation,
                      "process: every feature in its own tool process; batch: features share processes where their "
                      "spec allows (the default)")
      ->check(CLI::IsMember({"process", "batch"}));

  RunOptions exec_run;
  ExecOptions exec;
  auto* exec_cmd = app.add_subcommand("exec", "Run an existing program (and the children it starts) under the tools: "
                                              "sohound exec [options] -- PROGRAM ARGS...");
  // Everything from PROGRAM on is the program's own (its options too): a prefix command.
  exec_cmd->prefix_command();
  exec_cmd->footer("PROGRAM ARGS... follow the options, after --");
  add_run_options(exec_cmd, exec_run);
  exec_cmd->add_option("--name", exec.name, "The job's name in reports (default: the program's file name)");
  exec_cmd->add_option("--cwd", exec.cwd, "Run the program in this folder (default: a work folder of the job's own)");
  exec_cmd->add_option("--timeout", exec.timeout_s, "Seconds a native run may take (scaled per tool; default 300)")
      ->check(CLI::PositiveNumber);
  exec_cmd->add_option("--exit-status", exec.exit_status, "The exit status of a passing run (default 0)")->check(CLI::Range(0, 255));
  add_build_options(exec_cmd, exec.asan, exec.tsan, exec.ubsan, "The program");
  exec_cmd->add_option("--skip-children", exec.skip_children,
                       "Valgrind does not follow children whose path matches these patterns (and their children)")
      ->delimiter(',');
  exec_cmd->add_flag("--gtest", exec.gtest, "A GoogleTest binary: one job per test case");

  RunOptions ctest_run;
  CtestOptions ctest;
  auto* ctest_cmd = app.add_subcommand("ctest", "Run the tests a CMake build registered with CTest under the tools");
  ctest_cmd->add_option("build_dir", ctest.build_dir, "The CMake build folder")->required();
  add_run_options(ctest_cmd, ctest_run);
  ctest_cmd->add_option("-R,--tests-regex", ctest.name_regex, "Only tests whose name matches (ctest -R)");
  ctest_cmd->add_option("-E,--exclude-regex", ctest.exclude_name_regex, "Not tests whose name matches (ctest -E)");
  ctest_cmd->add_option("-L,--label-regex", ctest.label_regex, "Only tests with a label that matches (ctest -L)");
  ctest_cmd->add_option("--label-exclude", ctest.exclude_label_regex, "Not tests with a label that matches (ctest -LE)");
  add_build_options(ctest_cmd, ctest.asan, ctest.tsan, ctest.ubsan, "The same project's build folder");

  InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "Write a starter spec for a library from the functions it exports");
  init_cmd->add_option("library", init.library, "A shared library file (.so) or a pkg-config package name")->required();
  init_cmd->add_option("-o,--output", init.output, "Write the spec to this file (default: standard output)");
  init_cmd->add_option("--suite", init.suite, "The suite's name (default: from the library's name)");
  init_cmd->add_flag("--force", init.force, "Replace the output file if it exists");

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
  merge_cmd->add_flag("--allow-partial", merge.allow_partial,
                      "Merge shard results that do not add up to one run (missing, twice, another plan): marked partial");
  merge_cmd->add_option("--trace", merge.trace, "Write the merged trace (every shard's spans) as Chrome/Perfetto JSON");
  merge_cmd->add_option("--trace-otlp", merge.trace_otlp, "Write the merged trace as OTLP/JSON");

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
  // `exec ... -- PROGRAM ARGS`: what follows the first "--" is the program's, never parsed here.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "exec")
    if (auto dash = std::find(args.begin(), args.end(), "--"); dash != args.end()) {
      exec.argv.assign(dash + 1, args.end());
      args.erase(dash, args.end());
    }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : k_exit_usage;
  }
  if (*exec_cmd && exec.argv.empty()) exec.argv = exec_cmd->remaining();  // PROGRAM without "--"
  for (auto* sub : app.get_subcommands()) {
    if (sub->remaining().empty() || sub == exec_cmd) continue;
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
      (*exec_cmd && missing(exec_run.suppressions, "suppressions file")) ||
      (*ctest_cmd && missing(ctest_run.suppressions, "suppressions file")) ||
      (*run_cmd && !run.baseline.empty() && missing({run.baseline}, "baseline")))
    return k_exit_usage;
  // Ctrl-C and SIGTERM: `run` stops its jobs and writes what it gathered (run_command.cpp); the
  // other commands stop the phase they are in, leave every file as it was, and exit 130.
  harness::util::install_interrupt_handlers(!*run_cmd && !*exec_cmd && !*ctest_cmd);
  try {
    if (*run_cmd) return run_command(run);
    if (*exec_cmd) return exec_command(exec, exec_run);
    if (*ctest_cmd) return ctest_command(ctest, ctest_run);
    const int code = *check_cmd    ? check_command(check_specs)
                     : *init_cmd   ? init_command(init)
                     : *supp_cmd   ? suppressions_command(supp_results, supp_out)
                     : *report_cmd ? report_command(report)
                     : *merge_cmd  ? merge_command(merge)
                                   : k_exit_usage;
    return harness::util::interrupted() ? 130 : code;
  } catch (const std::bad_alloc&) {
    // Inputs are bounded where they are read (spec aliases, JSON depth, report sizes); this is the
    // last word when the machine still runs out: said, not an abort with a core dump.
    fmt::print(stderr, "sohound: ran out of memory (an input larger than this machine can hold?); nothing more was written\n");
    return k_exit_infrastructure;
  }
}
