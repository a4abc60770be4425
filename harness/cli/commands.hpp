// Subcommands. Each returns the process exit code (docs/results.md, "Exit codes").
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/model/trace.hpp"
#include "harness/util/result.hpp"

#include <map>
#include <string_view>

#include <string>
#include <vector>

namespace harness::cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_findings = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_infrastructure = 3;

struct RunOptions {
  std::vector<std::string> specs;
  std::vector<std::string> tools;  // names, validated by the command
  int jobs = 0;                    // 0 = number of cores
  std::string out_dir = "sohound-out";
  std::string filter;
  bool progress = true;
  std::vector<std::string> suppressions;                         // --suppressions FILE (YAML)
  bool default_suppressions = true;                              // --no-default-suppressions turns them off
  std::string baseline;                                          // --baseline FILE
  std::string write_baseline;                                    // --write-baseline FILE
  std::vector<std::string> reports = {"html", "junit", "json"};  // --report
  std::string source_root;                                       // --source-root (default: the working directory)
  std::string compiler;                                          // --compiler gcc|clang: overrides every spec's
  std::string isolation;                                         // --isolation process|batch
  std::string cache_dir;                                         // --cache-dir (default: $XDG_CACHE_HOME/sohound)
  std::string cache_max_size;                                    // --cache-max-size (else $SOHOUND_CACHE_MAX_SIZE, else 1G)
  bool cache = true;                                             // --no-cache
  std::vector<model::SuiteSpec> suites;                          // built by a command (exec, ctest), run after the spec files'
  std::string shard;                                             // --shard K/N
  int shard_total = 0;                                           // --shard-total N (with Kubernetes' JOB_COMPLETION_INDEX)
  std::string costs;                                             // --costs results.json: balance shards by these job times
  std::string trace;                                             // --trace FILE: Chrome/Perfetto trace-event JSON
  std::string trace_otlp;                                        // --trace-otlp FILE: OTLP/JSON
  std::string sandbox = "auto";                                  // --sandbox auto|on|off
};

// `sohound exec [options] -- PROGRAM ARGS...`: one existing program under the tools.
struct ExecOptions {
  std::vector<std::string> argv;           // PROGRAM ARGS...
  std::string name;                        // --name (default: the program's file name)
  std::string cwd;                         // --cwd
  double timeout_s = 300;                  // --timeout
  int exit_status = 0;                     // --exit-status
  std::string asan, tsan, ubsan;           // --asan/--tsan/--ubsan: the user's instrumented builds
  std::vector<std::string> skip_children;  // --skip-children
  bool gtest = false;                      // --gtest: one job per GoogleTest case
};

struct ReportCommandOptions {
  std::string results;
  std::vector<std::string> reports = {"html", "junit", "json"};
  std::string out_dir;  // default: the results file's folder
  std::string source_root;
};

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
  bool allow_duplicates = false;
  bool allow_partial = false;     // --allow-partial: merge missing/mismatched shards, marked partial
  std::string trace, trace_otlp;  // --trace, --trace-otlp: the merged trace
};

int run_command(const RunOptions& options);
// A tracer joining the environment's TRACEPARENT (else a new trace); SOHOUND_TRACE=0 disables it.
model::Tracer make_tracer();
// --trace and --trace-otlp; "" skips one. False (and said) when a file could not be written.
bool write_trace_files(const std::vector<model::Span>& spans, const std::string& chrome, const std::string& otlp,
                       const std::string& version);
int exec_command(const ExecOptions& exec, RunOptions run);

// `sohound ctest BUILD_DIR`: the tests a CMake build registered, under the tools.
struct CtestOptions {
  std::string build_dir;
  std::string name_regex, exclude_name_regex, label_regex, exclude_label_regex;  // as ctest -R -E -L -LE
  std::string asan, tsan, ubsan;  // the same project's build folders with those sanitizers
};
int ctest_command(const CtestOptions& ctest, RunOptions run);

// `sohound meson BUILD_DIR [TEST...]`: the tests a Meson build registered, under the tools.
struct MesonOptions {
  std::string build_dir;
  std::vector<std::string> names;              // as `meson test NAME...`
  std::vector<std::string> suites, no_suites;  // as meson test --suite / --no-suite
  std::string asan, tsan, ubsan;               // the same project's build folders with those sanitizers
};
int meson_command(const MesonOptions& meson, RunOptions run);

// What `ctest` and `meson` share: the sanitizer build folders by flavour ("" left out), and the
// run of an adopted suite (its notes said, a load error said and exit 2, else `run` with it).
std::map<model::Flavour, std::string> flavour_dirs(const std::string& asan, const std::string& tsan, const std::string& ubsan);
int run_adopted(std::string_view command, util::Result<model::SuiteSpec> suite, const std::vector<std::string>& notes,
                RunOptions run);

// `check`'s compile of a suite's features (-fsyntax-only, as `run` compiles them): the compiler's
// messages for those that do not compile, "" when all do; `checked` counts those compiled.
std::string compile_features(const model::SuiteSpec& suite, std::size_t& checked);

// `sohound init LIBRARY [-o SPEC]`: a starter spec from a library's exports (adopt/init).
struct InitOptions {
  std::string library;  // a .so path or a pkg-config name
  std::string output;   // -o; "" = standard output
  std::string suite;    // --suite (default: from the library's name)
  bool force = false;   // --force: replace an existing -o file
};
int init_command(const InitOptions& options);
int check_command(const std::vector<std::string>& specs);
// `sohound suppressions RESULTS`: a minimal suppression entry per failing finding of results.json
// (YAML) to `out` ("" = stdout), narrowed by the filters (each a list of globs; a finding must
// match one of each list given).
struct SuppressionsOptions {
  std::string results, out;
  std::vector<std::string> features;      // --feature: "suite/feature" or "feature"
  std::vector<std::string> kinds;         // --kind
  std::vector<std::string> tools;         // --tool
  std::vector<std::string> fingerprints;  // --fingerprint
};
int suppressions_command(const SuppressionsOptions& options);
int report_command(const ReportCommandOptions& options);
int merge_command(const MergeOptions& options);

}  // namespace harness::cli
