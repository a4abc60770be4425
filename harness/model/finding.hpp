// One finding model for every tool: what went wrong, where, and how it is judged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace harness::model {

struct Frame {
  std::string function;  // demangled, as the tool printed it; "" when unknown
  std::string file;      // full path when the tool knew the folder
  int line = 0;
  std::string object;  // the ELF object (executable or .so)
  // Put back by Sohound, not printed by the tool: TSan's lost feature frame (exec/tsan_frames),
  // whose line is where the feature's code starts, not the call inside it.
  bool restored = false;
  // A function the spec names as an allocation wrapper of the library (`allocators:`): skipped like
  // malloc in a bug's title and fingerprint, so the bug is titled by the code that leaked.
  bool allocator = false;
  // A compiler's clone of a coroutine's body (aggregate/coroutines): the coroutine as the user wrote
  // it ("count_to(int)") and what ran of it (k_coroutine_resumed, k_coroutine_destroyed); "" for
  // every other frame.
  std::string coroutine = {};
  std::string coroutine_part = {};
  // A frame of an event loop's scheduler (io_context::run, uv_run, g_main_context_dispatch...):
  // reports fold a run of them into one line and never title a bug with one.
  bool scheduler = false;
  bool operator==(const Frame&) const = default;
};

inline constexpr const char* k_coroutine_resumed = "resumed";
inline constexpr const char* k_coroutine_destroyed = "destroyed";

// A leaked block that is a coroutine's frame: the compilers emitted clones of the function that
// allocated it (aggregate/coroutines).
struct LeakedCoroutine {
  std::string name;  // the coroutine as declared: "count_to(int)"
  std::string file;  // where it is defined: the line its frame was allocated at (the ramp's frame)
  int line = 0;
  std::string created_by;  // the function that called it and so created the frame; "" unknown
  std::string created_file;
  int created_line = 0;
  // Whether it had run to its end: "finished" (waiting at its final suspend point: its owner never
  // called destroy()), "suspended" (still waiting at a suspend point: never resumed to its end),
  // "mixed" (a loss record of several frames, some of each); "" not known (the sanitizers, or a
  // leak the driver's check did not read). Memcheck only: drivers/sohound_rt_frames.h.
  std::string state;
  bool operator==(const LeakedCoroutine&) const = default;
};

struct AuxStack {
  std::string label;  // e.g. "Address 0x.. is 0 bytes after a block of size 40 alloc'd"
  std::vector<Frame> frames;
  bool operator==(const AuxStack&) const = default;
};

// third_party: a race entirely inside code the user did not write, on that code's own data (or on an
// object a `thread_safe:` declaration covers): reported and counted, failing only under
// `policy: {third_party: error}` (aggregate/ownership).
enum class FindingStatus { new_finding, expected, suppressed, baseline, third_party };
enum class Severity { error, warning };  // warnings are reported but never fail a run

struct Finding {
  std::string kind;       // dotted: leak.definite, mem.invalid_read, ... (docs/results.md)
  std::string tool_kind;  // the tool's own name for it (Leak_DefinitelyLost, heap-buffer-overflow)
  std::string message;
  std::vector<Frame> stack;  // primary stack: allocation stack of a leak, access stack of a bad access
  std::vector<AuxStack> aux_stacks;
  std::uint64_t bytes = 0;
  std::uint64_t blocks = 0;
  std::uint64_t count = 1;  // how many times the tool reported it within the job
  int pid = 0;
  // The process that reported it, when a job runs more than Sohound's own driver (a program of
  // the user's and the children it starts): "EXE (pid N, parent M)"; "" otherwise.
  std::string process;
  std::string fingerprint;
  FindingStatus status = FindingStatus::new_finding;
  Severity severity = Severity::error;
  std::string expected_by;    // the expectation that matched, when status == expected
  std::string suppressed_by;  // the suppression that matched, when status == suppressed
  // The fingerprint of the finding of the same job this one follows from (an indirect leak's
  // owner, the first error about a freed block); "" for a root. Only roots fail a job.
  std::string root;
  // Whose code a race is in (aggregate/ownership): the third-party library (file name) when every
  // access is inside it on its own data, "" otherwise; `ownership` says what the evidence was, or
  // what the user can do (a `thread_safe:` declaration) when the race fails.
  std::string owner;
  std::string ownership;
  // The coroutine whose frame a leaked block is (leak.* kinds), when it is one.
  std::optional<LeakedCoroutine> leaked_coroutine;
  // The coroutines running where the tool stopped: each access stack's resumed or destroyed
  // coroutine, primary stack first, each once (a race between two coroutines names both).
  std::vector<std::string> coroutines;
  bool operator==(const Finding&) const = default;
};

std::string_view to_string(FindingStatus status);
std::string_view to_string(Severity severity);

}  // namespace harness::model
