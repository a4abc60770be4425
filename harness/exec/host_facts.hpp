// What Sohound reads about the machine it runs on (issue 20: "machine facts are read inside modules
// that say they are pure"). read_host_facts is the one place that reads these settings (the
// environment, PATH, the process persona, /proc); the run reads them once and hands them to the
// modules that build commands, key the cache and judge jobs, which stay pure functions of their
// inputs, and tests vary them freely.
#pragma once

#include "harness/exec/debug_copies.hpp"

#include <string>
#include <vector>

namespace harness::exec {

struct HostFacts {
  // Put in front of every compile (not links): {"ccache"} when ccache is on PATH and
  // $SOHOUND_CCACHE is not 0, so a CI rerun rebuilds unchanged drivers from the cache.
  std::vector<std::string> compiler_launcher;
  // Whether a process can be started without address randomisation (`setarch -R`): setarch is on
  // PATH, the system lets a process take that persona (container seccomp profiles may refuse it),
  // and $SOHOUND_NO_ASLR is not 0. ASan and TSan start under it (tool_commands.hpp tool_command).
  //
  // Why: the shadow-memory runtimes of GCC 12 and Clang 14 (ASan with LSan, TSan) expect at most
  // 28 bits of mmap randomisation. On kernels set to more (vm.mmap_rnd_bits=32, as on some CI
  // images) they fail before main: TSan with "FATAL: ThreadSanitizer: unexpected memory mapping" or
  // SIGSEGV, ASan by printing "AddressSanitizer:DEADLYSIGNAL" forever (google/sanitizers#1614,
  // #1716). Newer runtimes re-exec themselves without randomisation; `setarch -R` does the same for
  // these, and keeps the command a user can rerun by hand. Measured on this kernel with
  // mmap_rnd_bits=32: the TSan driver failed 5 runs of 5, and ran 5 of 5 under setarch -R.
  bool without_aslr = false;
  std::string aslr_off_reason;        // why not, when not ("not installed", "turned off by ...")
  int mmap_rnd_bits = 0;              // /proc/sys/vm/mmap_rnd_bits; 0 when unknown
  std::string valgrind = "valgrind";  // $SOHOUND_VALGRIND (a custom build), else valgrind on PATH
  // The dynamic loader's clock words, for the drivers under memcheck (SOHOUND_LOADER_CLOCKS, read by
  // drivers/sohound_rt_stacks.h): "BUILDID OFFSET:SIZE,..." (hex) of relocate_time, load_time and
  // start_time in the symbol table of the loader's separate debug file; "" when not found.
  std::string loader_clocks;
};

// That value for the loader at `interpreter`, whose debug file is found by build ID under
// `debug_root` (/usr/lib/debug/.build-id/ab/cdef....debug); "" when either has none of them.
std::string loader_clocks(const std::string& interpreter, const std::string& debug_root = k_build_id_debug_dir);

// Reads the machine's facts now (a handful of syscalls and two small files).
HostFacts read_host_facts();

// What an ASan or TSan job is told when it cannot be protected: "" when it starts without address
// randomisation, or when the kernel's vm.mmap_rnd_bits is at most 28; else a note naming the
// setting and the fix.
std::string sanitizer_start_risk(const HostFacts& host);

}  // namespace harness::exec
