// Coroutines and event loops as the user wrote them.
//
// A compiler splits a C++20 coroutine into its ramp (the function the user called: it allocates the
// frame and runs to the first suspend point) and clones of its body, which the stacks of a resumed
// or destroyed coroutine show instead of the user's function:
//   GCC:   "count_to(count_to(int)::_Z8count_toi.Frame*) [clone .actor]" (resume), "[clone .destroy]"
//   Clang: "count_to(int) [clone .resume]", ".destroy", ".cleanup" (LLVM's demangler: "(.resume)")
// The clone symbols in an object are what the compiler emitted, so they say for certain which of
// its functions are coroutine ramps (exec/coroutine_symbols reads them); a leaked block allocated
// directly by a ramp is that coroutine's frame.
//
// An event loop's scheduler (Asio's io_context, libuv's uv_run, GLib's main context, libevent's
// event_base_loop, std::coroutine_handle::resume, std::thread's start of its callable) lies between
// the user's code and the thread start: its frames are marked so reports fold them into one line
// and never title a bug with them.
#pragma once

#include "harness/model/finding.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::aggregate {

struct CoroutineClone {
  std::string coroutine;  // the coroutine as declared: "count_to(int)", "ns::Reader::next(int)"
  std::string part;       // model::k_coroutine_resumed or model::k_coroutine_destroyed
};

// The coroutine a clone's (demangled) name belongs to; nullopt for every other function.
std::optional<CoroutineClone> coroutine_clone(std::string_view function);

// True for a frame of an event loop's or coroutine runtime's scheduler (by its function's name).
bool is_scheduler_frame(const model::Frame& frame);

// The coroutine (as declared) a frame's function is, when the compiler emitted clones of its body
// in the frame's object; "" for every other function.
using RampTest = std::function<std::string(const model::Frame&)>;

// Names the coroutines in a finding: each clone frame's coroutine and part (also a body frame that
// carries its ramp's plain name, as GCC's DWARF names it, called by a coroutine handle's resume or
// destroy), each scheduler frame,
// a leak whose block a ramp allocated (Finding::leaked_coroutine), and the coroutines running on
// its access stacks (Finding::coroutines). Idempotent.
void name_coroutines(model::Finding& finding, const RampTest& is_ramp);

// "count_to(int) [coroutine, resumed]": how every report writes a clone frame's function.
std::string coroutine_frame_name(const model::Frame& frame);

}  // namespace harness::aggregate
