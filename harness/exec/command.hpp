// A process to start, and how it ended. Plain data; the launcher seam consumes it.
#pragma once

#include "harness/exec/strays.hpp"

#include <map>
#include <string>
#include <vector>

namespace harness::exec {

struct Command {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH unless it holds a '/'
  std::map<std::string, std::string> env;  // set on top of the inherited environment
  std::vector<std::string> unset_env;      // removed from the inherited environment (before `env`)
  std::string cwd;                         // "" = the harness's working directory
  std::string token;                       // SOHOUND_JOB_TOKEN for its processes ("" = a fresh one)
  // RLIMIT_FSIZE for the process and its children (0 = none): a write past it fails (EFBIG; SIGXFSZ
  // is ignored) instead of filling the disk with a feature's endless output.
  unsigned long long max_file_bytes = 0;
  std::string stdout_path;  // "" = /dev/null; files are truncated
  std::string stderr_path;
  // Run inside a sandbox (exec/sandbox.hpp): this argv (bwrap ... -- sohound __status FD --) comes
  // first, and the command's true wait status comes back through descriptor k_sandbox_status_fd.
  // Empty = run directly.
  std::vector<std::string> sandbox;
  // Sohound's own short commands that start nothing (`ld.so --list`, `valgrind --version`, the
  // sandbox probe): false skips the scan for processes it left behind (strays.hpp), which reads
  // every process on the machine; its process group is still killed.
  bool may_leave_processes = true;

  // A shell line that reproduces the command by hand: cd DIR && K=V... argv...
  std::string display() const;
};

// The descriptor the sandbox's status shim writes the command's wait status to.
inline constexpr int k_sandbox_status_fd = 850;

struct ProcessResult {
  bool started = true;  // false: could not be started (missing executable, fork failure)
  std::string start_error;
  int exit_code = -1;  // when it exited normally
  int signal = 0;      // when a signal ended it
  // Processes it started that were still running after it ended (outside its process group too),
  // killed by the launcher.
  std::vector<Stray> strays;
  // What the job should be told about how it ran (a signal a process of the job sent to the
  // sandbox's shim, its parent there, which was ignored).
  std::vector<std::string> notes;
};

// "SIGSEGV" for 11, "signal 99" for what the C library does not name.
std::string signal_name(int signal);

}  // namespace harness::exec
