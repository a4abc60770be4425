// Every command a run executes, as plain data built before anything runs, and the output folder's
// layout in one place. The pipeline only decides when each runs; tests and the result cache read
// the same data.
#pragma once

#include "harness/exec/command.hpp"
#include "harness/exec/host_facts.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/model/tool.hpp"

#include <map>
#include <string>
#include <vector>

namespace harness::exec {

// ---- Layout of --out -------------------------------------------------------------------------
// OUT/jobs/<suite>/<feature>/<tool>/     one reported result: run.sh (the feature alone), and its
//                                         raw reports when it ran alone (batch.sh when in a batch)
// OUT/batches/<suite>/<tool>-<n>/        one batch process: run.sh, stdout/stderr, raw reports
// OUT/build/<suite>/<flavour>/           the suite's driver: src/, obj/, main.c, driver, build.sh
// OUT/lib/<suite>/<flavour>/             a library built from its recipe
// OUT/runtime/sohound_rt.h               the driver runtime
std::string job_dir(const std::string& out_dir, const std::string& suite, const std::string& feature, const std::string& tool);
std::string batch_dir(const std::string& out_dir, const std::string& suite, model::Tool tool, int number);
std::string build_dir(const std::string& out_dir, const std::string& suite, model::Flavour flavour);
std::string library_dir(const std::string& out_dir, const std::string& suite, model::Flavour flavour);
// The file of the library under test as a flavour's driver loads it: the one Sohound built
// (`build`), the spec's `path`; "" for pkg-config libraries (the loader finds them).
std::string library_file(const std::string& out_dir, const model::SuiteSpec& suite, model::Flavour flavour);
std::string runtime_dir(const std::string& out_dir);

// pkg-config's answer, split into compile and link flags.
struct PackageFlags {
  std::vector<std::string> cflags, libs;
};
PackageFlags split_package_flags(std::string_view pkg_config_output);

// ---- Compiles and links ------------------------------------------------------------------------
// Compile commands start with the compiler: the caller puts HostFacts::compiler_launcher (ccache)
// in front when it runs one, so neither a command nor a cache key depends on the machine's ccache.
std::vector<std::string> include_flags(const model::SuiteSpec& suite);

// A library source's compile for a flavour, and the library's link.
Command library_compile(const model::SuiteSpec& suite, model::Flavour flavour, const std::string& source,
                        const std::string& object);
Command library_link(const model::SuiteSpec& suite, model::Flavour flavour, const std::vector<std::string>& objects,
                     const std::string& dir, bool any_cxx);

// One feature's object.
Command feature_compile(const model::SuiteSpec& suite, const model::FeatureSpec& feature, model::Flavour flavour,
                        const std::string& out_dir, const PackageFlags& package, const std::string& source,
                        const std::string& object);
// The driver's main object (runtime and feature table), always C.
Command main_compile(const model::SuiteSpec& suite, model::Flavour flavour, const std::string& out_dir, const std::string& source,
                     const std::string& object);
// Makes every strong global of a feature object but its descriptor local, so features defining
// the same global name (their own `int counter;`) link into one driver. Weak and COMDAT symbols
// stay: the linker keeps one copy of those anyway.
Command localize_symbols(const std::string& object, const std::string& symbol_list_file);
// The driver: the main object and feature objects; `extra_ldflags` are one feature's own when it
// gets a driver of its own.
Command driver_link(const model::SuiteSpec& suite, model::Flavour flavour, const std::vector<std::string>& objects,
                    const std::string& output, const std::string& library_dir, const PackageFlags& package, bool any_cxx,
                    const std::vector<std::string>& extra_ldflags);

// ---- Tool processes ----------------------------------------------------------------------------
struct UnitCommandInput {
  model::Tool tool = model::Tool::memcheck;
  std::string driver;
  std::string dir;                         // where the process's reports go (and its work/ folder)
  std::vector<std::string> features;       // run in this order
  std::map<std::string, std::string> env;  // the suite's, then the feature's (shared in a batch)
  double feature_timeout_s = 0;            // one feature's limit under the tool, scaled
  HostFacts host;
  std::string runtime_suppressions;  // Valgrind: the runtime's own (OUT/runtime/sohound_valgrind.supp)
};

// The tool command that runs `features` in one process (one feature: the command that reproduces
// it alone). Adds the runtime's environment: SOHOUND_TOOL, SOHOUND_REPORT_FILE for sanitizers,
// and SOHOUND_FEATURE_TIMEOUT_MS when more than one feature runs.
Command unit_command(const UnitCommandInput& input);

// The tool command that runs one of the user's programs (model::ProgramSpec) as it is: the plain
// program under a Valgrind tool, following every child (--trace-children=yes, one report per
// process, except `skip_children`), or the user's build of the tool's flavour for a sanitizer.
// Runs in the program's cwd (else the job's work/ folder) with `env` over Sohound's. A GoogleTest
// case runs alone (--gtest_filter) with the user's GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX neutralised:
// sharding already chose the cases. Empty argv when the program has no build for the tool.
// Under a sanitizer, `channel_preload` (drivers/sohound_channel.c) is loaded first (LD_PRELOAD)
// and reports on DIR/<prefix>.report, as a driver does, with LeakSanitizer's exit-time check run
// by it (before its completion record) instead of by the runtime.
Command program_command(model::Tool tool, const model::ProgramSpec& program, const std::string& dir,
                        const std::map<std::string, std::string>& env, const HostFacts& host,
                        const std::string& runtime_suppressions, const std::string& channel_preload);

// Loads `recorder` (drivers/sohound_record.c) into the program `command` runs, writing what it
// opens to DIR/inputs.record, for a program whose spec does not name its inputs (its cache key is
// then made from that record: exec/recorded_inputs.hpp). The recorder arms itself in the process
// whose executable is the program (for a `#!` script: its interpreter, given the script or the
// interpreter's argument) and in everything below it, not in the tools' and the sandbox's own.
void record_inputs(Command& command, const model::ProgramSpec& program, const std::string& binary, const std::string& dir,
                   const std::string& recorder);

// Native suppression files from the spec, handed to the tool itself (concatenated into
// DIR/<tool>.supp for a sanitizer, which reads only one file): returns the files to write.
std::map<std::string, std::string> add_native_suppressions(const model::SuiteSpec& suite, model::Tool tool, Command& command,
                                                           const std::string& dir);

}  // namespace harness::exec
