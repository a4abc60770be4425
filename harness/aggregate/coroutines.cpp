#include "harness/aggregate/coroutines.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace harness::aggregate {
namespace {

// The clone suffixes, as GNU's demangler writes them (" [clone .actor]") and LLVM's (" (.actor)").
struct Suffix {
  std::string_view gnu, llvm;
  const char* part;
};
constexpr Suffix k_suffixes[] = {
    {" [clone .actor]", " (.actor)", model::k_coroutine_resumed},        // GCC
    {" [clone .resume]", " (.resume)", model::k_coroutine_resumed},      // Clang
    {" [clone .destroy]", " (.destroy)", model::k_coroutine_destroyed},  // both
    {" [clone .cleanup]", " (.cleanup)", model::k_coroutine_destroyed},  // Clang
};

// "f(int) [clone .resume]" -> {"f(int)", its suffix}; nullopt without a clone suffix of a coroutine.
std::optional<std::pair<std::string_view, const Suffix*>> split_clone(std::string_view fn) {
  for (const auto& s : k_suffixes)
    for (const auto form : {s.gnu, s.llvm})
      if (fn.size() > form.size() && fn.ends_with(form)) return std::pair{fn.substr(0, fn.size() - form.size()), &s};
  return std::nullopt;
}

// GCC's clone takes the frame: "f(f(int)::_Z1fi.Frame*)" -> "f(int)". Its one parameter's type is
// the coroutine's name, "::", the mangled name and ".Frame*".
std::string gcc_coroutine_name(std::string_view base) {
  if (!base.ends_with(".Frame*)")) return std::string(base);
  int depth = 0;
  std::size_t open = std::string_view::npos;
  for (std::size_t i = base.size(); i-- > 0;) {
    if (base[i] == ')') ++depth;
    if (base[i] == '(' && --depth == 0) {
      open = i;
      break;
    }
  }
  if (open == std::string_view::npos) return std::string(base);
  const auto param = base.substr(open + 1, base.size() - open - 2);
  const auto frame_type = param.rfind("::_Z");
  if (frame_type == std::string_view::npos) return std::string(base);
  return std::string(param.substr(0, frame_type));
}

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return text.starts_with(p); });
}

// A coroutine handle's resume() or destroy() (the standard library's, inlined or not): what it
// calls is a coroutine's body, never its ramp.
const char* handle_call(const model::Frame& frame) {
  // std::coroutine_handle<P>::resume, in libstdc++'s inline namespace ("std::__n4861::") or not;
  // not a function that merely has a handle among its template arguments.
  std::string_view name = frame.function;
  if (!name.starts_with("std::")) return nullptr;
  name.remove_prefix(5);
  if (name.starts_with("__")) name.remove_prefix(std::min(name.size(), name.find("::") + 2));
  if (!name.starts_with("coroutine_handle<")) return nullptr;
  const auto normalized = normalize_function(name);
  name = normalized;
  if (name.ends_with("::resume") || name.ends_with("::operator()")) return model::k_coroutine_resumed;
  if (name.ends_with("::destroy")) return model::k_coroutine_destroyed;
  return nullptr;
}

}  // namespace

std::optional<CoroutineClone> coroutine_clone(std::string_view function) {
  const auto split = split_clone(util::trim(function));
  if (!split) return std::nullopt;
  return CoroutineClone{gcc_coroutine_name(split->first), split->second->part};
}

bool is_scheduler_frame(const model::Frame& frame) {
  // The function's qualified name: no parameter list, and no return type (a function template's
  // demangled name starts with one: "void boost::asio::asio_handler_invoke<...>").
  auto name = normalize_function(frame.function);
  int depth = 0;
  std::size_t start = 0;  // after the last space outside brackets (not the one in "operator new")
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<' || name[i] == '(') ++depth;
    if ((name[i] == '>' || name[i] == ')') && depth > 0) --depth;
    if (name[i] == ' ' && depth == 0 && name.compare(i + 1, 8, "operator") != 0) start = i + 1;
  }
  name.erase(0, start);
  // Boost.Asio's scheduler, executors, handlers and awaitable machinery (never the user's own
  // coroutines and handlers, which are the user's functions).
  if (starts_with_any(name, {"boost::asio::", "boost_asio_"})) return true;
  // libuv's loop and its dispatch, GLib's main loop, libevent's dispatch.
  if (starts_with_any(name, {"uv_run",
                             "uv__run_",
                             "uv__io_poll",
                             "uv__async_io",
                             "uv__work_done",
                             "uv__stream_io",
                             "uv__server_io",
                             "uv__udp_io",
                             "uv__poll_io",
                             "uv__signal_event",
                             "uv__finish_close",
                             "g_main_context_dispatch",
                             "g_main_context_iterate",
                             "g_main_context_iteration",
                             "g_main_loop_run",
                             "g_main_dispatch",
                             "g_idle_dispatch",
                             "g_timeout_dispatch",
                             "event_base_loop",
                             "event_base_dispatch",
                             "event_process_active",
                             "event_persist_closure"}))
    return true;
  // std::thread's start of the callable it was given (between the thread start and the user's
  // lambda or function), as a loop's own threads run it.
  if (starts_with_any(name, {"std::thread::_State_impl<", "std::thread::_Invoker<", "std::__invoke"})) return true;
  // The standard library's resume of a handle: between a resumer and the coroutine it resumes.
  return handle_call(frame) != nullptr;
}

namespace {

bool is_frame_allocator(const model::Frame& frame) {
  if (frame.allocator) return true;
  const auto name = normalize_function(frame.function);
  // A promise type's own operator new allocates the frame for the ramp, like the global one.
  return is_allocation_function(name) || name.ends_with("::operator new") || is_harness_object(frame.object);
}

void mark(std::vector<model::Frame>& stack, const RampTest& is_ramp) {
  for (std::size_t i = 0; i < stack.size(); ++i) {
    auto& frame = stack[i];
    frame.coroutine.clear();
    frame.coroutine_part.clear();
    if (auto clone = coroutine_clone(frame.function)) {
      frame.coroutine = std::move(clone->coroutine);
      frame.coroutine_part = clone->part;
    } else if (const char* part = i + 1 < stack.size() ? handle_call(stack[i + 1]) : nullptr) {
      if (auto name = is_ramp(frame); !name.empty()) {
        frame.coroutine = std::move(name);
        frame.coroutine_part = part;
      }
    }
    frame.scheduler = frame.coroutine.empty() && is_scheduler_frame(frame);
  }
}

// The innermost coroutine on a stack (its clone frame, or a ramp running to its first suspend).
std::string running_coroutine(const std::vector<model::Frame>& stack) {
  for (const auto& frame : stack) {
    if (is_driver_frame(frame)) break;
    if (!frame.coroutine.empty()) return frame.coroutine;
  }
  return {};
}

std::optional<model::LeakedCoroutine> leaked_frame(const std::vector<model::Frame>& stack, const RampTest& is_ramp) {
  std::size_t i = 0;
  while (i < stack.size() && is_frame_allocator(stack[i])) ++i;
  if (i == 0 || i >= stack.size() || is_driver_frame(stack[i]) || !stack[i].coroutine.empty()) return std::nullopt;
  auto name = is_ramp(stack[i]);
  if (name.empty()) return std::nullopt;
  model::LeakedCoroutine c{std::move(name), stack[i].file, stack[i].line, {}, {}, 0, {}};
  if (i + 1 < stack.size()) {
    c.created_by = stack[i + 1].coroutine.empty() ? stack[i + 1].function : stack[i + 1].coroutine;
    c.created_file = stack[i + 1].file;
    c.created_line = stack[i + 1].line;
  }
  return c;
}

}  // namespace

void name_coroutines(model::Finding& f, const RampTest& is_ramp) {
  mark(f.stack, is_ramp);
  for (auto& aux : f.aux_stacks) mark(aux.frames, is_ramp);
  f.coroutines.clear();
  auto add = [&](std::string name) {
    if (!name.empty() && std::find(f.coroutines.begin(), f.coroutines.end(), name) == f.coroutines.end())
      f.coroutines.push_back(std::move(name));
  };
  add(running_coroutine(f.stack));
  for (const auto& aux : f.aux_stacks)
    if (is_access_stack(aux.label)) add(running_coroutine(aux.frames));
  if (f.kind.starts_with("leak.")) {
    // The state the driver read (exec/job_reports) stays; it says nothing of a block that is no frame.
    const auto state = f.leaked_coroutine ? f.leaked_coroutine->state : std::string();
    f.leaked_coroutine = leaked_frame(f.stack, is_ramp);
    if (f.leaked_coroutine) f.leaked_coroutine->state = state;
  }
}

std::string coroutine_frame_name(const model::Frame& frame) {
  if (frame.coroutine.empty()) return frame.function;
  return fmt::format("{} [coroutine, {}]", frame.coroutine, frame.coroutine_part);
}

}  // namespace harness::aggregate
