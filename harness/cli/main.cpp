// The sohound command line: a table of subcommands (k_subcommands), each its name, help, options,
// the files it must be given, and the function in harness::cli it calls.
#include "harness/cli/commands.hpp"
#include "harness/model/tool.hpp"
#include "harness/util/heap.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <variant>

#ifndef SOHOUND_VERSION
#define SOHOUND_VERSION "0.0.0"
#endif

namespace {
using namespace harness::cli;
namespace model = harness::model;

// Every subcommand's options, declared once (each subcommand fills its own part).
struct Options {
  RunOptions run, exec_run, ctest_run, meson_run;
  ExecOptions exec;
  CtestOptions ctest;
  MesonOptions meson;
  InitOptions init;
  ReportCommandOptions report;
  MergeOptions merge;
  std::vector<std::string> check_specs;
  SuppressionsOptions supp;
};

// The options of a run, shared by `run` and the commands that build their suites themselves.
void add_run_options(CLI::App* cmd, RunOptions& run) {
  cmd->add_option("--tools", run.tools, "Only these tools (comma-separated: memcheck,asan)")->delimiter(',');
  cmd->add_option("-j,--jobs", run.jobs, "Processes at once (default: number of cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--out", run.out_dir, "Output folder (default: sohound-out)");
  cmd->add_option("--filter", run.filter, "Only features whose name or suite/name matches this glob");
  cmd->add_flag("!--no-progress", run.progress, "No live progress line: each job is printed once, as it ends");
  cmd->add_option("--suppressions", run.suppressions, "A YAML suppressions file (repeatable)");
  cmd->add_flag("!--no-default-suppressions", run.default_suppressions, "Do not apply the shipped suppressions");
  cmd->add_option("--baseline", run.baseline, "Fail only on findings whose fingerprint is not in this baseline");
  cmd->add_option("--write-baseline", run.write_baseline, "Write this run's failing findings as a baseline");
  cmd->add_option("--report", run.reports, "Reports to write: html,junit,sarif,json (default html,junit,json)")->delimiter(',');
  cmd->add_option("--source-root", run.source_root, "Paths in SARIF and JUnit are relative to this (default: .)");
  cmd->add_option("--cache-dir", run.cache_dir, "The result cache (default: $XDG_CACHE_HOME/sohound)");
  cmd->add_flag("!--no-cache", run.cache, "Run every job; neither read nor write the result cache");
  cmd->add_option("--cache-max-size", run.cache_max_size,
                  "Bound the result cache (e.g. 500M, 2G; 0: no bound; default: $SOHOUND_CACHE_MAX_SIZE, else 1G): "
                  "after a run that wrote to it, the least recently used files go");
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
  for (auto [flavour, target] : {std::pair{model::Flavour::asan, &asan}, std::pair{model::Flavour::tsan, &tsan},
                                 std::pair{model::Flavour::ubsan, &ubsan}}) {
    const auto& row = model::info(flavour);
    cmd->add_option(fmt::format("--{}", row.name), *target,
                    fmt::format("{} built with -fsanitize={} (else {} is skipped)", what, row.sanitize, row.name));
  }
}

void declare_run(CLI::App* cmd, Options& o) {
  cmd->add_option("specs", o.run.specs, "Spec files (YAML)")->required();
  add_run_options(cmd, o.run);
  cmd->add_option("--compiler", o.run.compiler, "Build with this compiler whatever the specs say")
      ->check(CLI::IsMember({"gcc", "clang"}));
  cmd->add_option("--isolation", o.run.isolation,
                  "process: every feature and program in its own tool process; batch: features share processes where "
                  "their spec allows, and runs of one program a Valgrind start (the default)")
      ->check(CLI::IsMember({"process", "batch"}));
}

// --isolation for the adopted suites (ctest, meson).
void add_test_isolation(CLI::App* cmd, RunOptions& run) {
  cmd->add_option("--isolation", run.isolation,
                  "process: every test in its own tool process; batch: under the Valgrind tools, runs of one program "
                  "share a start, and under memcheck the cases of a GoogleTest binary a process (the default)")
      ->check(CLI::IsMember({"process", "batch"}));
}

void declare_exec(CLI::App* cmd, Options& o) {
  // Everything from PROGRAM on is the program's own (its options too): a prefix command.
  cmd->prefix_command();
  cmd->footer("PROGRAM ARGS... follow the options, after --");
  add_run_options(cmd, o.exec_run);
  cmd->add_option("--name", o.exec.name, "The job's name in reports (default: the program's file name)");
  cmd->add_option("--cwd", o.exec.cwd, "Run the program in this folder (default: a work folder of the job's own)");
  cmd->add_option("--timeout", o.exec.timeout_s, "Seconds a native run may take (scaled per tool; default 300)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !(value > 0) || value > 1e9)
              return "must be a number of seconds above 0 (" + text + " is not)";
            return {};
          },
          "SECONDS"));
  cmd->add_option("--exit-status", o.exec.exit_status, "The exit status of a passing run (default 0)")->check(CLI::Range(0, 255));
  add_build_options(cmd, o.exec.asan, o.exec.tsan, o.exec.ubsan, "The program");
  cmd->add_option("--skip-children", o.exec.skip_children,
                  "Valgrind does not follow children whose path matches these patterns (and their children)")
      ->delimiter(',');
  cmd->add_flag("--gtest", o.exec.gtest, "A GoogleTest binary: one job per test case");
  cmd->add_option("--isolation", o.exec_run.isolation,
                  "With --gtest: process: every case in its own tool process; batch: the cases share one memcheck "
                  "process where each finding names its case (the default)")
      ->check(CLI::IsMember({"process", "batch"}));
}

void declare_meson(CLI::App* cmd, Options& o) {
  cmd->add_option("build_dir", o.meson.build_dir, "The Meson build folder")->required();
  cmd->add_option("tests", o.meson.names, "Only these tests (names or globs, as meson test NAME...)");
  add_run_options(cmd, o.meson_run);
  add_test_isolation(cmd, o.meson_run);
  cmd->add_option("--suite", o.meson.suites, "Only tests of this suite (SUITE or PROJECT:SUITE; repeatable)");
  cmd->add_option("--no-suite", o.meson.no_suites, "Not tests of this suite (repeatable)");
  add_build_options(cmd, o.meson.asan, o.meson.tsan, o.meson.ubsan, "The same project's build folder");
}

void declare_ctest(CLI::App* cmd, Options& o) {
  cmd->add_option("build_dir", o.ctest.build_dir, "The CMake build folder")->required();
  add_run_options(cmd, o.ctest_run);
  add_test_isolation(cmd, o.ctest_run);
  cmd->add_option("-R,--tests-regex", o.ctest.name_regex, "Only tests whose name matches (ctest -R)");
  cmd->add_option("-E,--exclude-regex", o.ctest.exclude_name_regex, "Not tests whose name matches (ctest -E)");
  cmd->add_option("-L,--label-regex", o.ctest.label_regex, "Only tests with a label that matches (ctest -L)");
  cmd->add_option("--label-exclude", o.ctest.exclude_label_regex, "Not tests with a label that matches (ctest -LE)");
  add_build_options(cmd, o.ctest.asan, o.ctest.tsan, o.ctest.ubsan, "The same project's build folder");
}

void declare_init(CLI::App* cmd, Options& o) {
  cmd->add_option("library", o.init.library, "A shared library file (.so) or a pkg-config package name")->required();
  cmd->add_option("-o,--output", o.init.output, "Write the spec to this file (default: standard output)");
  cmd->add_option("--suite", o.init.suite, "The suite's name (default: from the library's name)");
  cmd->add_flag("--force", o.init.force, "Replace the output file if it exists");
}

void declare_report(CLI::App* cmd, Options& o) {
  cmd->add_option("results", o.report.results, "results.json")->required();
  cmd->add_option("--report", o.report.reports, "Reports to write: html,junit,sarif,json")->delimiter(',');
  cmd->add_option("--out", o.report.out_dir, "Output folder (default: the results file's folder)");
  cmd->add_option("--source-root", o.report.source_root, "Paths in SARIF and JUnit are relative to this");
}

void declare_merge(CLI::App* cmd, Options& o) {
  cmd->add_option("inputs", o.merge.inputs, "results.json files")->required();
  cmd->add_option("-o,--output", o.merge.output, "The merged results.json")->required();
  cmd->add_flag("--allow-duplicates", o.merge.allow_duplicates, "The same job in two inputs: keep the later one");
  cmd->add_flag("--allow-partial", o.merge.allow_partial,
                "Merge shard results that do not add up to one run (missing, twice, another plan): marked partial");
  cmd->add_option("--trace", o.merge.trace, "Write the merged trace (every shard's spans) as Chrome/Perfetto JSON");
  cmd->add_option("--trace-otlp", o.merge.trace_otlp, "Write the merged trace as OTLP/JSON");
}

void declare_check(CLI::App* cmd, Options& o) { cmd->add_option("specs", o.check_specs, "Spec files (YAML)")->required(); }

void declare_suppressions(CLI::App* cmd, Options& o) {
  cmd->add_option("results", o.supp.results, "results.json of a run")->required();
  cmd->add_option("-o,--output", o.supp.out, "Write to this file (default: standard output)");
  cmd->add_option("--feature", o.supp.features, "Only findings of these features (globs over suite/feature or feature)");
  cmd->add_option("--kind", o.supp.kinds, "Only findings of these kinds (globs: leak.*)");
  const auto names = model::tool_names();
  const std::vector<std::string> tools(names.begin(), names.end());
  cmd->add_option("--tool", o.supp.tools, "Only findings these tools reported")->check(CLI::IsMember(tools));
  cmd->add_option("--fingerprint", o.supp.fingerprints, "Only findings with these fingerprints (globs)");
}

// The files a subcommand was given, each with what it is, that must exist as regular files.
using Files = std::vector<std::pair<std::string, std::string>>;
Files run_files(const RunOptions& run, const std::vector<std::string>& specs) {
  Files files;
  for (const auto& f : specs) files.emplace_back(f, "spec");
  for (const auto& f : run.suppressions) files.emplace_back(f, "suppressions file");
  if (!run.baseline.empty()) files.emplace_back(run.baseline, "baseline");
  return files;
}

struct Subcommand {
  const char* name;
  const char* help;
  void (*declare)(CLI::App*, Options&);
  Files (*files)(const Options&);
  int (*run)(Options&);
  bool runs_jobs;  // Ctrl-C stops its jobs and writes what was gathered; else the command stops and exits 130
};

const Subcommand k_subcommands[] = {
    {"run", "Build a driver per feature, run it under each tool, report findings", declare_run,
     [](const Options& o) { return run_files(o.run, o.run.specs); }, [](Options& o) { return run_command(o.run); }, true},
    {"exec", "Run an existing program (and the children it starts) under the tools: sohound exec [options] -- PROGRAM ARGS...",
     declare_exec, [](const Options& o) { return run_files(o.exec_run, {}); },
     [](Options& o) { return exec_command(o.exec, o.exec_run); }, true},
    {"ctest", "Run the tests a CMake build registered with CTest under the tools", declare_ctest,
     [](const Options& o) { return run_files(o.ctest_run, {}); }, [](Options& o) { return ctest_command(o.ctest, o.ctest_run); },
     true},
    {"meson", "Run the tests a Meson build registered under the tools", declare_meson,
     [](const Options& o) { return run_files(o.meson_run, {}); }, [](Options& o) { return meson_command(o.meson, o.meson_run); },
     true},
    {"init", "Write a starter spec for a library from the functions it exports", declare_init,
     [](const Options&) { return Files{}; }, [](Options& o) { return init_command(o.init); }, false},
    {"report", "Render reports again from a results.json", declare_report,
     [](const Options& o) {
       return Files{{o.report.results, "results file"}};
     },
     [](Options& o) { return report_command(o.report); }, false},
    {"merge", "Merge results.json files of several runs or CI shards", declare_merge,
     [](const Options& o) {
       Files files;
       for (const auto& f : o.merge.inputs) files.emplace_back(f, "results file");
       return files;
     },
     [](Options& o) { return merge_command(o.merge); }, false},
    {"check", "Validate spec files without running anything", declare_check,
     [](const Options& o) {
       Files files;
       for (const auto& f : o.check_specs) files.emplace_back(f, "spec");
       return files;
     },
     [](Options& o) { return check_command(o.check_specs); }, false},
    {"suppressions", "Write a suppression entry per new finding of a results.json", declare_suppressions,
     [](const Options& o) {
       return Files{{o.supp.results, "results file"}};
     },
     [](Options& o) { return suppressions_command(o.supp); }, false},
};

// An option the subcommand does not have: said, with the closest one it has.
bool unknown_option(const CLI::App* sub) {
  if (sub->remaining().empty()) return false;
  std::vector<std::string> names;
  for (const auto* option : sub->get_options())
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  const auto word = sub->remaining().front();
  std::vector<std::string_view> candidates(names.begin(), names.end());
  const auto suggestion = harness::util::closest_match(word.substr(0, word.find('=')), candidates);
  fmt::print(stderr, "sohound {}: unknown option '{}'{}; see 'sohound {} --help'\n", sub->get_name(), word,
             suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion), sub->get_name());
  return true;
}

bool missing(const Files& files) {
  for (const auto& [file, what] : files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      fmt::print(stderr, "sohound: {} '{}' {}\n", what, file,
                 std::filesystem::exists(file, ec) ? "is not a regular file" : "does not exist");
      return true;
    }
  }
  return false;
}

// Parses the command line into `options`; the chosen subcommand, or the exit code to end with.
std::variant<const Subcommand*, int> parse(int argc, char** argv, Options& options) {
  CLI::App app{"Sohound: leak- and race-checking test harness for shared libraries", "sohound"};
  app.set_version_flag("--version", SOHOUND_VERSION);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, const Subcommand*>> subs;
  for (const auto& sub : k_subcommands) {
    auto* cmd = app.add_subcommand(sub.name, sub.help);
    sub.declare(cmd, options);
    // Unknown options are collected (not parsed as file names: "--timeout 5" once read as a
    // missing spec "5") and reported with a suggestion; positional files are checked after that.
    cmd->allow_extras();
    subs.emplace_back(cmd, &sub);
  }
  // `exec ... -- PROGRAM ARGS`: what follows the first "--" is the program's, never parsed here.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "exec")
    if (auto dash = std::find(args.begin(), args.end(), "--"); dash != args.end()) {
      options.exec.argv.assign(dash + 1, args.end());
      args.erase(dash, args.end());
    }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : k_exit_usage;
  }
  for (const auto& [cmd, sub] : subs) {
    if (!*cmd) continue;
    if (std::string_view(sub->name) == "exec") {
      if (options.exec.argv.empty()) options.exec.argv = cmd->remaining();  // PROGRAM without "--"
    } else if (unknown_option(cmd)) {
      return k_exit_usage;
    }
    if (missing(sub->files(options))) return k_exit_usage;
    return sub;
  }
  return k_exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  harness::util::tune_heap();
  Options options;
  const auto parsed = parse(argc, argv, options);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const auto* sub = std::get<const Subcommand*>(parsed);
  // Ctrl-C and SIGTERM: a run stops its jobs and writes what it gathered (run_command.cpp); the
  // other commands stop the phase they are in, leave every file as it was, and exit 130.
  harness::util::install_interrupt_handlers(!sub->runs_jobs);
  try {
    const int code = sub->run(options);
    return !sub->runs_jobs && harness::util::interrupted() ? 130 : code;
  } catch (const std::bad_alloc&) {
    // Inputs are bounded where they are read (spec aliases, JSON depth, report sizes); this is the
    // last word when the machine still runs out: said, not an abort with a core dump.
    fmt::print(stderr, "sohound: ran out of memory (an input larger than this machine can hold?); nothing more was written\n");
    return k_exit_infrastructure;
  }
}
