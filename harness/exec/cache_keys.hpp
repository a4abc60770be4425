// Result cache keys: everything that can change a job's findings, hashed (docs/results.md,
// "Result cache"). Starts no process; reads the files a key covers (sources, libraries, headers
// under include folders, programs and the libraries they load).
#pragma once

#include "harness/exec/host_facts.hpp"

#include "harness/exec/build_commands.hpp"
#include "harness/exec/command.hpp"
#include "harness/exec/recorded_inputs.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/plan/planner.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace harness::exec {

// What a key depends on besides the suites: facts of this run and machine.
struct CacheKeyFacts {
  std::string out_dir;    // replaced by OUT in every command: a key does not depend on --out
  std::string cache_dir;  // never hashed when it lies under an include folder
  std::string sohound_version;
  std::string valgrind_version;  // `valgrind --version`, for the Valgrind tools (set_valgrind_version)
  std::string runtime_supp;      // the driver runtime's Valgrind suppression file
  bool sandboxed = false;        // a sandboxed run's findings are not an unsandboxed one's
  HostFacts host;                // the machine's facts that the tool commands hold (setarch -R, valgrind)
  std::string channel_preload;   // the programs' report channel library (its content is hashed)
  std::string record_preload;    // the programs' input recorder (drivers/sohound_record.c; hashed)
  std::string zygote_preload;    // runs of one program in one Valgrind start (drivers/sohound_zygote.c; hashed)
};

// A file as it is now: path, device, inode, size, modification and change times; "" when absent.
// (The change time cannot be set back: a file rewritten in place and touched to its old
// modification time still differs.)
std::string file_identity(const std::string& path);

// Where `program` resolves on PATH (or the file itself, given a path), with its size and
// modification time: a compiler upgrade changes a key (as ccache's default compiler check does).
std::string program_identity(const std::string& program);

// The key a driver's main object (the runtime) is kept under between runs (ResultCache objects):
// its exact compile command (folders included: its debug information names them; `launcher`
// words in front are the compiler launcher), its source, the runtime's files it includes, and the
// compiler's and the C library's identity (program_identity; the C library's headers change with it).
std::string main_object_key(const Command& compile, std::size_t launcher, const std::string& source);

// What a Valgrind installation's files are now (path, device, inode, size and times of the command,
// Debian's valgrind.bin beside it, its tools' folder and the memcheck, helgrind and DRD tools in it),
// so that `valgrind --version`, read once, is known again without starting it until one of them
// changes (a package upgrade or `make install` replaces them; as ccache's compiler check by mtime).
// "" when the command or its tools cannot be found where Valgrind looks ($VALGRIND_LIB, else
// PREFIX/libexec/valgrind or PREFIX/lib/valgrind): then Valgrind is asked every run.
std::string valgrind_identity(const std::string& valgrind);

class CacheKeys {
 public:
  CacheKeys(const std::vector<model::SuiteSpec>& suites, CacheKeyFacts facts);

  // A generated driver's job: its source, compile and link commands, the library's content and
  // headers, the runtime, the tool's command and native suppression files; with_tool_version then
  // adds the tool's version (so these keys are made while `valgrind --version` runs).
  std::string job_key(const plan::JobPlan& job, const PackageFlags& flags);
  // `key` with the tool's version: `valgrind --version` for a Valgrind tool (set_valgrind_version
  // first); a sanitizer's version is its compiler's, already in the key.
  std::string with_tool_version(const std::string& key, model::Tool tool) const;
  void set_valgrind_version(std::string version) { m_facts.valgrind_version = std::move(version); }

  // The program file of a program job: the one its key reads, whose loaded libraries the caller
  // gives (loaded_libraries) before program_key. "" when it has no build for the tool's flavour.
  std::string program_file(const plan::JobPlan& job) const;
  // What `program`'s loader resolves (ld.so --list, run by the caller through the launcher).
  void loaded_libraries(const std::string& program, std::vector<std::string> libraries);

  // One of the user's programs: how it runs, the program file of the tool's flavour, every
  // library its loader resolves (as given), and its inputs. "" when it has no build for the
  // tool's flavour (skipped: nothing to cache). Without `inputs:` in the spec this is the key of
  // how it runs only (recording what it opens), and recorded_key adds what a run opened.
  std::string program_key(const plan::JobPlan& job);
  // Whether `job`'s program is keyed on what it opened (no `inputs:`, the recorder installed).
  bool records_inputs(const plan::JobPlan& job) const;
  // `base` (program_key) with the present state of the inputs a run recorded.
  static std::string recorded_key(const std::string& base, const std::vector<RecordedInput>& inputs);

  const CacheKeyFacts& facts() const { return m_facts; }

 private:
  const std::string& compiler_identity(const std::string& program);
  std::string library_hash(std::size_t suite, model::Flavour flavour, const PackageFlags& flags);
  const std::string& library_files_hash(std::size_t suite, const PackageFlags& flags);

  const std::vector<model::SuiteSpec>& m_suites;
  CacheKeyFacts m_facts;
  // The driver runtime's files and suppressions, hashed once (51 KB, in every driver job's key).
  std::string m_runtime_digest;
  // Each feature's generated source, once for all its tools' keys.
  std::map<std::pair<std::size_t, std::size_t>, std::string> m_feature_sources;
  std::map<std::string, std::string> m_compilers;                             // program -> identity
  std::map<std::pair<std::size_t, model::Flavour>, std::string> m_libraries;  // (suite, flavour) -> hash
  std::map<std::size_t, std::string> m_library_files;                         // suite -> its files' hash
  std::map<std::string, std::vector<std::string>> m_loaded_by;                // program -> libraries
  // A file's content hash, once per run: the same libc, loader and tool files are in every
  // program's key. Keyed on the file's identity and times, so a file changed meanwhile is read again.
  const std::string& file_digest(const std::string& path);
  std::map<std::string, std::string> m_digests;
};

// `command` as text with the run's own folder replaced by OUT.
std::string portable(const Command& command, const std::string& out_dir);

}  // namespace harness::exec
