// Compiler and tool command lines: how each flavour is built and how each tool runs a driver.
// Pure functions of their inputs; the pipeline runs what they return.
#pragma once

#include "harness/exec/command.hpp"
#include "harness/exec/host_facts.hpp"
#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/model/tool.hpp"

#include <string>
#include <vector>

namespace harness::exec {

// gcc -> gcc/g++, clang -> clang-14/clang++-14.
std::string compiler_for(model::Compiler compiler, model::Language language);

// Whose code a compile is for. Generated drivers hold the spec's inline code, compiled as C++20
// (features may use coroutines and concepts). A library's own sources get the standard its build
// gets when it names none: GCC 12's defaults, gnu17 and gnu++17, for both compilers (Clang 14's
// own default is gnu++14). A -std= in the recipe's cflags comes later on the line and wins.
// Forcing C++20 on a library can break it (u8 literals are char8_t, comparison rewrites) and
// costs time: <memory> and <string> parse ~1.7x slower as C++20, once per flavour.
enum class CodeOrigin { driver, library };

// Flags every driver and library gets: debug info, no optimisation, frame pointers (so fast
// unwinders and Valgrind both see every frame), threads, and the language standard.
std::vector<std::string> base_flags(model::Compiler compiler, model::Language language, CodeOrigin origin);

// Flags that make a flavour: nothing for plain; ASan with recovery so one bad access does not hide
// the next, and LeakSanitizer (part of ASan on x86-64 Linux).
// C++ sources of the plain flavour (the Valgrind tools): libstdc++'s synchronisation hooks mapped
// to Valgrind's happens-before annotations, and _GLIBCXX_TSAN so shared_ptr's last release takes
// the annotated atomic path (GCC 12's fast path writes the counts before its HAPPENS_AFTER). With
// them Helgrind and DRD see a shared_ptr hand-off between threads as ordered, as it is. The
// annotations are client requests: no-ops natively and under memcheck. Empty for C and for the
// sanitizer flavours (TSan sees the atomics itself).
std::vector<std::string> cxx_sync_flags(model::Flavour flavour, model::Language language);

// Flags around a compiler's known defects: Clang 14's function sanitizer (part of
// -fsanitize=undefined, C++ only) cannot compile a C++20 coroutine ("error: Cannot represent a
// difference across sections", LLVM issue 49689), so Clang's ubsan flavour of C++ code leaves
// that one check out (GCC has no such check). Empty otherwise.
std::vector<std::string> compiler_workaround_flags(model::Compiler compiler, model::Flavour flavour, model::Language language);

std::vector<std::string> flavour_flags(model::Flavour flavour);

// Extra flags for linking a driver. Clang links its sanitizer runtimes statically and, for a C
// driver, without their C++ part, so operator new/delete would not be intercepted (ASan would miss
// a new[]/free mismatch inside a C++ library): link that part, and libstdc++ it needs.
std::vector<std::string> driver_link_flags(model::Compiler compiler, model::Flavour flavour);

// The exit code sanitizers are told to use when they report, distinct from the driver's own.
inline constexpr int k_sanitizer_exit_code = 86;

// A value for *SAN_OPTIONS (log_path=, suppressions=), quoted when it holds ':' or white space
// (an --out path with a space made every sanitizer job fail: "expected '='").
std::string sanitizer_option_value(const std::string& value);

// The driver's exit status when the code under test closed its sanitizer report channel and the
// runtime could not reopen it (drivers/sohound_rt.h): the job is report_lost.
inline constexpr int k_driver_channel_lost_exit = 123;

// The driver runtime writes this file (named by SOHOUND_DONE_FILE) in the job folder when every
// feature it was asked to run has returned: a process that exits without it was ended by the
// feature itself (exit, _exit), before the end-of-run checks.
inline constexpr const char* k_driver_done_file = "driver-finished";
// The driver's working directory, inside the job folder (the pipeline creates it).
inline constexpr const char* k_driver_work_dir = "work";
// The report channel of the user's programs under a sanitizer (drivers/sohound_channel.c), loaded
// with LD_PRELOAD; shipped beside sohound (exec/sandbox.hpp find_support_file).
inline constexpr const char* k_channel_preload = "libsohound-channel.so";

// Runs `driver` under `tool`, writing raw reports into `report_dir`. Where `host` can (its
// without_aslr), the ASan and TSan drivers start under `setarch -R` (UBSan has no shadow memory;
// Valgrind has its own address-space manager); the Valgrind tools run host.valgrind.
Command tool_command(model::Tool tool, const std::string& driver, const std::string& report_dir, const HostFacts& host);

// Origins on demand: memcheck runs without --track-origins (it costs a quarter of a run's time and
// most runs report no uninitialised value); a job whose run reported one runs again with it, so its
// findings name where each value was created. Whether `job`'s findings need that second run...
bool needs_origins(const model::JobResult& job);

// Where `valgrind` (a command on PATH) finds its tools and its own suppressions (default.supp), in
// the order it looks: $VALGRIND_LIB, else PREFIX/libexec/valgrind and PREFIX/lib/valgrind of the
// command's real path; empty when neither is known.
std::vector<std::string> valgrind_lib_dirs(const std::string& valgrind);
// ...and its command: `command` (a memcheck command) with --track-origins=yes.
void track_origins(Command& command);
// What such a job is told.
inline constexpr const char* k_origins_note =
    "ran again with --track-origins=yes: its first run reported uninitialised values, and memcheck names where each "
    "was created only with that option (which costs about a quarter of a run's time, so it is on only where needed)";
// Said of a job whose first run read the C library's symbols only and ran again over its full debug
// information (exec/slim_debug): what it reported might have read otherwise with it.
inline constexpr const char* k_full_debug_note =
    "ran again over the C library's full debug information: its first run read only the library's symbols (a quicker "
    "start), and what it reported might read otherwise with the library's lines and inlined calls";
// ...and of one that timed out over the symbols: not run again (it would wait as long again).
inline constexpr const char* k_symbols_only_note =
    "its frames inside the C library are named from the library's symbols only (no lines or inlined calls): it timed "
    "out in a first run that read only those, and is not run again to wait as long a second time";

}  // namespace harness::exec
