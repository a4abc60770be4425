// A loaded spec: what the user wrote, validated, with every path made absolute and every snippet
// carrying the position of its text so compiler errors and stacks point back into the YAML file.
#pragma once

#include "harness/model/finding.hpp"
#include "harness/model/source_pos.hpp"
#include "harness/model/suppression.hpp"
#include "harness/model/tool.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::model {

enum class Language { c, cxx };

// How features share tool processes: each alone (`process`), or several one after another in one
// process under one tool (`batch`), which then share the library's global state.
enum class Isolation { process, batch };
std::string_view name(Isolation isolation);
std::optional<Isolation> isolation_from_name(std::string_view name);

// A piece of C or C++ text from the spec; `pos` is where its first line sits in the spec file.
struct Snippet {
  std::string text;
  SourcePos pos;
  bool empty() const { return text.empty(); }
};

// A known finding that must not fail the run.
struct Expectation {
  std::string kind;      // dotted kind or glob ("leak.*")
  std::string function;  // glob matched against any frame of the primary stack; "" = any
  // Glob matched against the coroutine the finding names (a leaked frame's, or one running on an
  // access stack: Finding::leaked_coroutine, ::coroutines), with or without its parameters; "" = any.
  std::string coroutine;
  std::optional<Tool> tool;  // restrict to one tool
  SourcePos pos;
  std::string describe() const;
};

// A test program the user already has, run as it is under the tools (spec `programs:`,
// `sohound exec`, one case of a GoogleTest binary, a CTest test). It is a feature without a driver:
// same jobs, findings, expectations, suppressions, baselines and reports.
// How one build of a program is started when it differs from the plain build's in more than its
// executable (sohound ctest: each build's own listing, whose test may start through a wrapper).
struct ProgramEnv {
  std::map<std::string, std::string> set;  // over the suite's and the feature's `env`
  std::vector<std::string> unset;          // removed from the environment Sohound inherited
  bool operator==(const ProgramEnv&) const = default;
};
struct ProgramSetup {
  std::vector<std::string> argv;  // the whole command line; argv[0] a program or a wrapper (sh, python3)
  std::string cwd;                // absolute; "" = a work folder of the job's own
  ProgramEnv env;
};

// What a passing run is, beyond its exit status (CTest's test properties; docs/ctest.md).
struct ProgramVerdict {
  bool will_fail = false;               // WILL_FAIL: a run that fails passes, and one that passes fails
  std::optional<int> skip_exit_status;  // SKIP_RETURN_CODE: this status means "skipped", not failed
  // Extended regular expressions (glibc regcomp) searched in what the run printed (stdout, then stderr):
  std::vector<std::string> pass_regex;      // set: one must match, and the exit status does not count
  std::vector<std::string> fail_regex;      // one matching fails the run
  std::vector<std::string> skip_regex;      // one matching skips it
  std::optional<int> error_exit_status;     // fails even a test expected to fail (Meson's 99)
  bool tap = false;                         // its output is TAP: a "not ok" (not TODO), a bail-out or a short plan fails it
  std::vector<std::string> required_files;  // REQUIRED_FILES: not run while one is missing
  std::string cannot_run;                   // set: never run, reported not_run with this (a property Sohound cannot honour)
};

struct ProgramSpec {
  std::vector<std::string> argv;           // argv[0]: the program (the plain build, run by the Valgrind tools)
  std::map<Flavour, std::string> builds;   // the user's instrumented builds: asan, tsan, ubsan
  std::map<Flavour, ProgramSetup> setups;  // a build started its own way: replaces argv, cwd and env for it
  std::string cwd;                         // absolute; "" = a work folder of the job's own
  ProgramEnv env;                          // the plain build's own (sohound ctest's ENVIRONMENT...)
  int exit_status = 0;                     // what a passing run exits with
  ProgramVerdict verdict;
  // Valgrind follows every child (--trace-children=yes, one report per process) except these
  // (--trace-children-skip patterns, matched against the path exec'd: "*/sh"). A skipped process's
  // own children are not followed either, so shells are followed unless the user says otherwise.
  std::vector<std::string> skip_children;
  std::string gtest_case;  // one GoogleTest case ("Suite.Name"), run with --gtest_filter
  // What else the program reads (absolute glob patterns: data files, scripts). Set: its results are
  // cached, keyed on these files, the program, the libraries it loads and how it is run. Unset:
  // Sohound cannot know when a result would be stale, so the program always runs.
  std::optional<std::vector<std::string>> inputs;
  std::string origin;  // "gtest", "ctest" or "" (spec / exec), for reports
  // How the user gives a build for a flavour where they made this program ("{}" is the flavour's
  // name): said when a sanitizer job is skipped for want of one.
  std::string build_hint = "'{}: PATH' beside 'program' in the spec";
  // The program the given tool runs: the plain program for the Valgrind tools, the user's build of
  // the tool's flavour for a sanitizer; "" when there is none.
  std::string program_for(Flavour flavour) const;
  // The folder that build starts in ("" = a work folder of the job's own).
  const std::string& cwd_for(Flavour flavour) const {
    const auto it = setups.find(flavour);
    return it == setups.end() ? cwd : it->second.cwd;
  }
};

// The class GoogleTest declares for case "Suite.Name": "Suite_Name_Test" ("" for the "A/B.C/0"
// forms of parameterised and typed cases, whose instances share one class).
std::string gtest_class(const std::string& name);

// Whether `program` (a GoogleTest case) may share one process with the other cases of its binary
// under `tool` (adopt::findings_by_case gives each finding its case by its TestBody frame): memcheck
// only (a race's stacks are its threads', which name no TestBody), and a case with a class of its own.
bool can_share_gtest_process(const ProgramSpec& program, Tool tool);

// Whether `program` may share one Valgrind start with other runs of the same executable, folder,
// environment and time limit (exec/pipeline_programs.cpp: each run is a child forked once the
// dynamic loader is done, with its own report): the Valgrind tools (a sanitizer's start costs
// milliseconds), not a GoogleTest case (those share a memcheck process whole), and not a program
// started its own way for the plain build.
bool can_share_program_process(const ProgramSpec& program, Tool tool);

// Which jobs run before which, and what they must not share (CTest's DEPENDS, fixtures,
// RESOURCE_LOCK, RUN_SERIAL, PROCESSORS): exec/job_order.hpp.
struct RunOrder {
  std::vector<std::string> depends;  // features whose job under the same tool ends first
  std::vector<std::string> fixtures_setup, fixtures_cleanup, fixtures_required;
  std::vector<std::string> resource_locks;  // no two jobs holding one run at once (under any tool)
  bool run_serial = false;                  // runs with nothing else running
  int processors = 1;                       // slots of --jobs it takes
  bool empty() const {
    return depends.empty() && fixtures_setup.empty() && fixtures_cleanup.empty() && fixtures_required.empty() &&
           resource_locks.empty() && !run_serial && processors <= 1;
  }
};

struct FeatureSpec {
  std::string name;
  SourcePos pos;
  std::optional<Language> language;    // overrides the suite's
  std::optional<Isolation> isolation;  // overrides the suite's
  Snippet code;                        // inline body, or
  std::string source;                  // absolute path of a file with its own includes and an entry function
  std::string entry = "feature";
  Snippet setup, teardown, globals;
  int threads = 1;
  int repeat = 1;
  std::optional<std::vector<Tool>> tools;
  std::optional<double> timeout_s;
  std::map<std::string, std::string> env;
  std::vector<std::string> cflags, ldflags;
  std::vector<Expectation> expect;
  std::map<std::string, Severity> policy;  // kind glob -> severity, over the suite's
  std::vector<std::string> thread_safe;    // added to the suite's
  std::optional<ProgramSpec> program;      // set: an existing program, no code and no driver
  RunOrder order;                          // programs only
  // Set: a feature not written yet (`todo:`, what `sohound init` writes where it cannot write a
  // call): never built, its jobs are skipped and say so, never green.
  std::string todo;
};

enum class LibraryKind { none, pkg_config, path, build };

struct LibraryBuild {
  std::string name;                  // produces lib<name>.so
  std::vector<std::string> sources;  // absolute paths; .c compiled as C, others as C++
  std::vector<std::string> cflags;
  std::vector<std::string> ldflags;
};

struct LibrarySpec {
  LibraryKind kind = LibraryKind::none;
  SourcePos pos;
  std::vector<std::string> pkg_config;
  std::vector<SourcePos> pkg_config_pos;
  std::string path;                       // absolute path of a prebuilt .so
  std::vector<std::string> include_dirs;  // absolute
  LibraryBuild build;
};

enum class Compiler { gcc, clang };

struct SuiteSpec {
  std::string name;
  std::string file;  // the spec file, as given
  std::string dir;   // absolute folder of the spec file
  Language language = Language::c;
  std::optional<Isolation> isolation;  // unset: the run's default (--isolation, else batch)
  Compiler compiler = Compiler::gcc;
  LibrarySpec library;
  std::vector<std::string> includes;
  std::vector<std::string> cflags, ldflags;
  std::map<std::string, std::string> env;
  double timeout_s = 60;
  std::optional<std::vector<Tool>> tools;
  Snippet globals;
  std::map<std::string, Severity> policy;  // kind glob -> severity, over the defaults
  // Library functions whose objects are safe to share between threads (aggregate/ownership).
  std::vector<std::string> thread_safe;
  // Allocation wrappers of the library (jsonp_malloc): skipped like malloc in titles and fingerprints.
  std::vector<std::string> allocators;
  std::vector<Suppression> suppressions;                                // Sohound-level, from files and inline entries
  std::map<std::string, std::vector<std::string>> native_suppressions;  // tool -> native files (absolute)
  std::vector<FeatureSpec> features;
};

// The environment a feature runs with: the suite's `env`, then the feature's over it.
std::map<std::string, std::string> environment_of(const SuiteSpec& suite, const FeatureSpec& feature);

}  // namespace harness::model
