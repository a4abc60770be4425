// The sandbox tool processes run in: bubblewrap (bwrap), Debian's well-kept namespace tool, with
// the whole file system read-only except the job's own folder, a fresh /tmp, no network, and
// neither --out (but for the builds it runs) nor the result cache visible. Pure functions of their
// inputs; the pipeline decides once per run whether the sandbox is on (a probe through the
// launcher) and the launcher runs what confine() puts on a Command.
//
// What it covers and what it does not: docs/results.md, "The sandbox".
#pragma once

#include "harness/exec/command.hpp"
#include "harness/model/suite_spec.hpp"

#include <string>
#include <utility>
#include <vector>

namespace harness::exec {

// --sandbox: auto (on where the machine allows it), on (a run that cannot have it fails), off.
enum class SandboxMode { automatic, on, off };

struct Sandbox {
  bool on = false;
  std::string engine;                 // "bubblewrap 0.8.0" when on
  std::string reason;                 // why not, when off
  std::string bwrap;                  // bwrap's path
  std::string shim;                   // sohound-status: reports the command's true wait status
  std::vector<std::string> hidden;    // folders replaced by an empty one: --out, the result cache
  std::vector<std::string> readable;  // folders inside hidden ones shown read-only: OUT/build, OUT/lib, OUT/runtime
  std::vector<std::string> shown;     // folders under /tmp the run reads from, shown read-only over the private /tmp
  // Files shown in place of others, {copy, original}: decompressed copies of the C library's debug
  // files (exec/debug_copies.hpp), bound read-only where Valgrind reads the originals.
  std::vector<std::pair<std::string, std::string>> replaced;
  // The same files' slim copies (symbols, no DWARF), {copy, original}, shown instead of `replaced`
  // to a first pass over symbols only (exec/slim_debug), and the libraries they describe.
  std::vector<std::pair<std::string, std::string>> slimmed;
  std::vector<std::string> slimmed_libraries;
};

// What a sandbox in `mode` would be, before the probe: bwrap looked up on PATH, the shim, --out and
// the folders to hide besides it (result caches: they must exist, or bwrap cannot mount over them).
// `on` is false (with the reason) when mode is off, bwrap is missing, or the shim would be hidden.
Sandbox plan_sandbox(SandboxMode mode, const std::string& shim, const std::string& out_dir, const std::vector<std::string>& hide);

// The folders under the private temporary folders (/tmp, and $TMPDIR when it is elsewhere) that
// `texts` name (paths, flags such as -L/tmp/x/lib or -Wl,-rpath,/tmp/x, LD_LIBRARY_PATH values):
// each one's first component below the temporary folder ("/tmp/x"), sorted, once. A suite, its
// library and its programs often live in a temporary folder (a CI checkout, a test's scratch
// folder); the job sees those read-only, and a /tmp of its own for what it writes.
std::vector<std::string> temporary_roots(const std::vector<std::string>& texts);

// Every path and flag the suites name that a job may read at run time: spec folders, libraries,
// include folders, sources, flags, environment values, native suppression files, programs, their
// builds, working folders and inputs (for temporary_roots).
std::vector<std::string> texts_naming_paths(const std::vector<model::SuiteSpec>& suites);

// The argv that runs a command inside `sandbox`: bwrap's options, then `sohound-status FD --`;
// the command's own argv follows. `writable` folders are bound read-write at their own paths;
// `cwd` is where the command starts.
// `slim`: the debug files are shown as their slim copies.
std::vector<std::string> sandbox_argv(const Sandbox& sandbox, const std::vector<std::string>& writable, const std::string& cwd,
                                      bool slim = false);

// Puts `command` inside `sandbox` when it is on: its working folder and `writable` are the only
// places it can write (besides /tmp and /dev/shm, which are its own).
void confine(Command& command, const Sandbox& sandbox, std::vector<std::string> writable, bool slim = false);

// The temporary folders the sandbox replaces with private, empty ones: /tmp, and $TMPDIR when it is
// elsewhere.
std::vector<std::string> private_temporary_folders();

// A helper file Sohound ships (`name`): beside sohound in the build tree, or in
// ../libexec/sohound/ from it when installed. "" when neither exists.
std::string find_support_file(const std::string& sohound_executable, const std::string& name);

// The status shim's file name (harness/exec/status_shim.cpp), found by find_support_file.
std::string find_status_shim(const std::string& sohound_executable);

}  // namespace harness::exec
