#include "harness/parse/sanitizer_log.hpp"

#include "harness/util/interrupt.hpp"

#include "harness/util/text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace harness::parse {
namespace {

using util::starts_with;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Splits "path:line" or "path:line:col" into file and line; false when it is not that shape.
bool split_location(std::string_view loc, model::Frame& frame) {
  auto colon = loc.rfind(':');
  if (colon == std::string_view::npos) return false;
  auto last = loc.substr(colon + 1);
  if (!all_digits(last)) return false;
  auto rest = loc.substr(0, colon);
  const auto colon2 = rest.rfind(':');
  if (colon2 != std::string_view::npos && all_digits(rest.substr(colon2 + 1))) {
    frame.line = to_int(rest.substr(colon2 + 1));  // file:line:col
    frame.file = std::string(rest.substr(0, colon2));
  } else {
    frame.line = to_int(last);
    frame.file = std::string(rest);
  }
  return true;
}

// "==1234==" prefix -> the rest of the line, or nullopt.
std::optional<std::string_view> after_pid_marker(std::string_view line) {
  if (!starts_with(line, "==")) return std::nullopt;
  const auto end = line.find("==", 2);
  if (end == std::string_view::npos || !all_digits(line.substr(2, end - 2))) return std::nullopt;
  return line.substr(end + 2);
}

// Bug type from an ASan ERROR header's text after "AddressSanitizer: ".
std::string header_bug_type(std::string_view h) {
  if (starts_with(h, "attempting double-free")) return "double-free";
  if (starts_with(h, "attempting free on address which was not malloc()-ed")) return "bad-free";
  const auto end = h.find_first_of(" :");
  return std::string(h.substr(0, end));
}

}  // namespace

// Where "FUNCTION LOCATION" splits: at the first " /" when an absolute location follows (a path
// may hold spaces; a symbol never holds '/'), else at the last space. npos when there is no space.
std::size_t location_start(std::string_view s) {
  model::Frame probe;
  if (const auto slash = s.find(" /"); slash != std::string_view::npos && split_location(s.substr(slash + 1), probe))
    return slash;
  return s.rfind(' ');
}

std::optional<model::Frame> sanitizer_frame(std::string_view line) {
  auto s = util::trim(line);
  if (!starts_with(s, "#")) return std::nullopt;
  auto space = s.find(' ');
  if (space == std::string_view::npos || !all_digits(s.substr(1, space - 1))) return std::nullopt;
  s = util::trim(s.substr(space + 1));
  model::Frame frame;
  if (starts_with(s, "0x")) {  // ASan/LSan/UBSan: "#N 0xPC in FUNC LOC"; TSan has no pc
    const auto sp = s.find(' ');
    s = sp == std::string_view::npos ? std::string_view{} : util::trim(s.substr(sp + 1));
    if (starts_with(s, "in ")) s.remove_prefix(3);
  }
  // Clang appends the module's BuildId.
  if (const auto b = s.rfind(" (BuildId: "); b != std::string_view::npos && util::ends_with(s, ")"))
    s = util::trim(s.substr(0, b));
  // "(module+0xoffset)" at the end: object, no source.
  if (util::ends_with(s, ")")) {
    const auto open = s.rfind('(');
    const auto inner = open == std::string_view::npos ? std::string_view{} : s.substr(open + 1, s.size() - open - 2);
    const auto plus = inner.rfind("+0x");
    if (plus != std::string_view::npos && open != std::string_view::npos && (open == 0 || s[open - 1] == ' ')) {
      frame.object = std::string(inner.substr(0, plus));
      s = util::trim(s.substr(0, open));
      // TSan prints "FUNCTION LOCATION (module+0xoff)": split a trailing location off the name.
      const auto gap = location_start(s);
      if (gap != std::string_view::npos) {
        const auto loc = s.substr(gap + 1);
        model::Frame located;
        if (loc == "<null>" || split_location(loc, located)) {
          frame.file = located.file;
          frame.line = located.line;
          s = util::trim(s.substr(0, gap));
        }
      }
      frame.function = std::string(s);
      return frame;
    }
  }
  const auto last_space = location_start(s);
  if (last_space == std::string_view::npos) {
    frame.function = std::string(s);
    return frame;
  }
  const auto loc = s.substr(last_space + 1);
  if (split_location(loc, frame) || loc == "<null>") {
    frame.function = std::string(util::trim(s.substr(0, last_space)));
  } else {
    frame.function = std::string(s);
  }
  return frame;
}

struct SanitizerLogParser::State {
  enum class Mode { outside, asan, leaks, tsan, ubsan };
  Sink sink;
  SanitizerReport report;
  Mode mode = Mode::outside;
  model::Finding current;
  bool have_current = false;
  std::string bug_type, access;
  int pid = 0;
  std::vector<model::Frame>* stack = nullptr;  // frames go here while a stack is open
  std::string pending_label;                   // the "located ..." line before an aux header
  std::string carry;                           // an unfinished line from the previous chunk
  model::Frame ubsan_location;                 // "file:line:col" of a UBSan report
  bool primary_taken = false;                  // TSan: the first section's stack is primary
  bool driver_signal = false;                  // the report is the driver runtime's deadly signal

  void flush() {
    if (!have_current) return;
    if (mode == Mode::tsan) {
      current.kind = tsan_kind(bug_type, access);
      current.tool_kind = bug_type;
    } else if (mode == Mode::ubsan) {
      current.kind = "ub." + (bug_type.empty() ? ubsan_check_from_message(current.message) : bug_type);
      current.tool_kind = bug_type.empty() ? ubsan_check_from_message(current.message) : bug_type;
      if (current.stack.empty()) current.stack.push_back(ubsan_location);
    } else if (mode == Mode::asan) {
      if (driver_signal) {
        // The stack starts in the driver's handler and the kernel's return path: the signal's own
        // frames start below them.
        const auto handler = std::find_if(current.stack.begin(), current.stack.end(),
                                          [](const model::Frame& f) { return f.function == "sohound_on_deadly_signal"; });
        if (handler != current.stack.end()) {
          auto from = handler + 1;
          if (from != current.stack.end() &&
              (from->function.empty() || from->function == "__restore_rt" || from->object.find("libc.so") != std::string::npos))
            ++from;
          current.stack.erase(current.stack.begin(), from);
        }
        driver_signal = false;
      }
      current.kind = asan_kind(bug_type, access);
      current.tool_kind = bug_type;
      if (current.kind == "crash.signal") {
        report.crashed = true;
        report.crash_signal = bug_type;
      }
    }
    current.pid = pid;
    if (sink)
      sink(std::move(current));
    else
      report.findings.push_back(std::move(current));
    current = model::Finding{};
    have_current = false;
    stack = nullptr;
  }

  // One line of the log: a stack frame, a runtime failure, a report's header or summary, or a
  // line inside the report now open (by its kind).
  void line(std::string_view raw) {
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const auto line = util::trim(raw);
    if (util::starts_with(line, "#")) {
      if (auto frame = sanitizer_frame(raw)) {
        if (stack) stack->push_back(std::move(*frame));
        return;
      }
    }
    if (runtime_failure(line) || tsan_header(line) || ubsan_header(line) || pid_marked(line) || summary(line)) return;
    if (mode == Mode::leaks)
      leak_line(line);
    else if (mode == Mode::tsan && have_current)
      tsan_line(line);
    else if (mode == Mode::asan && have_current)
      asan_line(line);
  }

  // The runtime could not work (mapping, ptrace, ...).
  bool runtime_failure(std::string_view line) {
    if (!starts_with(line, "FATAL: ") && !starts_with(line, "ThreadSanitizer: CHECK failed") &&
        !starts_with(line, "ERROR: Failed to mmap") &&
        line.find("Sanitizer has encountered a fatal error") == std::string_view::npos)
      return false;
    report.tool_messages.emplace_back(line);
    return true;
  }

  // "WARNING: ThreadSanitizer: data race (pid=16886)"
  bool tsan_header(std::string_view line) {
    if (!starts_with(line, "WARNING: ThreadSanitizer: ")) return false;
    flush();
    mode = Mode::tsan;
    report.saw_report_header = true;
    auto header = line.substr(std::string_view("WARNING: ThreadSanitizer: ").size());
    if (const auto p = header.rfind(" (pid="); p != std::string_view::npos) {
      pid = to_int(header.substr(p + 6));
      header = header.substr(0, p);
    }
    bug_type = std::string(header);
    access.clear();
    current = model::Finding{};
    current.message = bug_type;
    have_current = true;
    stack = &current.stack;  // some reports (signal-unsafe call, ...) print their stack right here
    primary_taken = false;
    return true;
  }

  // UBSan: "ubsan.c:4:60: runtime error: signed integer overflow: ..."
  bool ubsan_header(std::string_view line) {
    const auto marker = line.find(": runtime error: ");
    if (marker == std::string_view::npos || starts_with(line, "#")) return false;
    flush();
    // "<sohound: SIGABRT>:1:1: runtime error: ...": the driver runtime caught a deadly signal that
    // GCC's UBSan does not handle and had the runtime print its stack (drivers/sohound_rt.h).
    if (starts_with(line, "<sohound: SIG")) {
      mode = Mode::asan;
      report.saw_report_header = true;
      const auto name = line.substr(10, line.find('>') - 10);
      bug_type = std::string(name.substr(3));  // "ABRT", as the runtimes name it
      driver_signal = true;
      access.clear();
      pending_label.clear();
      current = model::Finding{};
      current.message = std::string(name) + ", caught by Sohound's driver runtime (the stack is UBSan's)";
      have_current = true;
      stack = &current.stack;
      return true;
    }
    mode = Mode::ubsan;
    report.saw_report_header = true;
    bug_type.clear();
    current = model::Finding{};
    current.message = std::string(line.substr(marker + std::string_view(": runtime error: ").size()));
    ubsan_location = model::Frame{};
    split_location(line.substr(0, marker), ubsan_location);
    have_current = true;
    stack = &current.stack;
    return true;
  }

  // "==PID==ERROR: AddressSanitizer: ...", "==PID==ERROR: LeakSanitizer: detected memory leaks",
  // and the runtime's other "==PID==" lines (kept as its messages).
  bool pid_marked(std::string_view line) {
    const auto rest = after_pid_marker(line);
    if (!rest) return false;
    const auto pid_end = line.find("==", 2);
    // ASan's reports, and the deadly-signal report every runtime prints in the same shape
    // ("==PID==ERROR: ThreadSanitizer: SEGV on unknown address ...", its stack, "SUMMARY: ...").
    const auto deadly_from = [&](std::string_view name) -> std::optional<std::string_view> {
      if (!starts_with(*rest, name)) return std::nullopt;
      const auto header = rest->substr(name.size());
      if (header.find(" on unknown address") == std::string_view::npos && !starts_with(header, "stack-overflow"))
        return std::nullopt;
      return header;
    };
    std::optional<std::string_view> deadly;
    for (std::string_view name : {"ERROR: ThreadSanitizer: ", "ERROR: UndefinedBehaviorSanitizer: ", "ERROR: LeakSanitizer: ",
                                  "ERROR: MemorySanitizer: "})
      if (!deadly) deadly = deadly_from(name);
    if (starts_with(*rest, "ERROR: AddressSanitizer: ") || deadly) {
      flush();
      pid = to_int(line.substr(2, pid_end - 2));
      mode = Mode::asan;
      report.saw_report_header = true;
      const auto header = deadly ? *deadly : rest->substr(std::string_view("ERROR: AddressSanitizer: ").size());
      bug_type = header_bug_type(header);
      access.clear();
      pending_label.clear();
      current = model::Finding{};
      current.message = std::string(header);
      have_current = true;
      stack = &current.stack;
    } else if (starts_with(*rest, "ERROR: LeakSanitizer: detected memory leaks")) {
      flush();
      pid = to_int(line.substr(2, pid_end - 2));
      mode = Mode::leaks;
      report.saw_report_header = true;
    } else if (*rest != "ABORTING" && !starts_with(*rest, "WARNING: AddressSanitizer failed to allocate")) {
      report.tool_messages.emplace_back(line);
    }
    return true;
  }

  // "SUMMARY: AddressSanitizer: heap-buffer-overflow /path/x.c:4 in f": the authoritative bug type.
  bool summary(std::string_view line) {
    if (!starts_with(line, "SUMMARY: ")) return false;
    if ((mode == Mode::asan || mode == Mode::ubsan) && have_current && !driver_signal) {
      const auto colon = line.find(": ", 9);
      if (colon != std::string_view::npos) {
        auto rest = line.substr(colon + 2);
        bug_type = std::string(rest.substr(0, rest.find(' ')));
      }
    }
    flush();
    mode = Mode::outside;
    return true;
  }

  // "Direct leak of 8 byte(s) in 1 object(s) allocated from:", its stack, a blank line.
  void leak_line(std::string_view line) {
    const bool direct = starts_with(line, "Direct leak of ");
    if (!direct && !starts_with(line, "Indirect leak of ")) {
      if (line.empty()) stack = nullptr;
      return;
    }
    flush();
    current = model::Finding{};
    current.kind = direct ? "leak.definite" : "leak.indirect";
    current.tool_kind = direct ? "Direct leak" : "Indirect leak";
    current.message = std::string(line);
    if (util::ends_with(current.message, " allocated from:"))
      current.message.resize(current.message.size() - std::string_view(" allocated from:").size());
    const auto of = line.find(" of ") + 4;
    current.bytes = to_u64(line.substr(of));
    const auto in = line.find(" in ", of);
    if (in != std::string_view::npos) current.blocks = to_u64(line.substr(in + 4));
    have_current = true;
    stack = &current.stack;
  }

  // Inside a TSan report: "Read of size 4 at 0x.. by thread T2:" (the access), then "Previous
  // write ...:", "Mutex M1 acquired here while holding mutex M0 in thread T3:", "Thread T2 (...)
  // created by ...:", each with its stack.
  void tsan_line(std::string_view line) {
    if (line.empty()) {
      stack = nullptr;
      return;
    }
    if (util::ends_with(line, ":")) {
      std::string label(line.substr(0, line.size() - 1));
      const bool access_line = starts_with(line, "Read of size") || starts_with(line, "Write of size") ||
                               starts_with(line, "Atomic read of size") || starts_with(line, "Atomic write of size");
      if (!primary_taken && current.stack.empty() &&
          (access_line || starts_with(line, "Mutex ") || starts_with(line, "Call to ") || starts_with(line, "Thread T") ||
           starts_with(line, "Call "))) {
        primary_taken = true;
        if (access_line && access.empty())
          access = starts_with(line, "Read") || starts_with(line, "Atomic read") ? "READ" : "WRITE";
        current.message = bug_type + ": " + label.substr(0, label.find(" at 0x"));
        stack = &current.stack;
        return;
      }
      current.aux_stacks.push_back({std::move(label), {}});
      stack = &current.aux_stacks.back().frames;
      return;
    }
    if (starts_with(line, "Location is ") || starts_with(line, "Cycle in lock order graph")) {
      current.aux_stacks.push_back({std::string(line), {}});
      // No stack follows; and `stack` may have pointed into aux_stacks, which push_back can
      // reallocate (a use-after-free when such a line came with no blank line before it; fuzzing).
      stack = nullptr;
    }
  }

  // Inside an ASan report: the access ("READ of size 4 at ..."), then "allocated by thread T0
  // here:", "freed by thread T0 here:", "Thread T1 created by T0 here:", each with its stack.
  void asan_line(std::string_view line) {
    if (line.empty()) {
      stack = nullptr;
      return;
    }
    if ((starts_with(line, "READ of size") || starts_with(line, "WRITE of size")) && access.empty()) {
      access = starts_with(line, "READ") ? "READ" : "WRITE";
      current.message = bug_type + ": " + std::string(line.substr(0, line.find(" at 0x")));
      stack = &current.stack;
      return;
    }
    if (util::ends_with(line, ":") && !starts_with(line, "Shadow")) {
      std::string label(line.substr(0, line.size() - 1));
      if (!pending_label.empty()) label = pending_label + "; " + label;
      pending_label.clear();
      current.aux_stacks.push_back({std::move(label), {}});
      stack = &current.aux_stacks.back().frames;
      return;
    }
    if (line.find(" is located ") != std::string_view::npos) pending_label = std::string(line);
  }
};

SanitizerLogParser::SanitizerLogParser(Sink sink) : m_state(std::make_unique<State>()) { m_state->sink = std::move(sink); }
SanitizerLogParser::~SanitizerLogParser() = default;

void SanitizerLogParser::feed(std::string_view chunk) {
  auto& carry = m_state->carry;
  std::size_t start = 0;
  while (true) {
    const auto nl = chunk.find('\n', start);
    if (nl == std::string_view::npos) break;
    if (carry.empty()) {
      m_state->line(chunk.substr(start, nl - start));
    } else {
      carry.append(chunk.substr(start, nl - start));
      m_state->line(carry);
      carry.clear();
    }
    start = nl + 1;
  }
  carry.append(chunk.substr(start));
}

SanitizerReport SanitizerLogParser::finish() {
  if (!m_state->carry.empty()) {
    m_state->line(m_state->carry);
    m_state->carry.clear();
  }
  m_state->flush();
  return std::move(m_state->report);
}

SanitizerReport sanitizer_log(std::string_view text) {
  SanitizerLogParser parser;
  parser.feed(text);
  return parser.finish();
}

SanitizerReport sanitizer_log_file(const std::string& path, SanitizerLogParser::Sink sink) {
  SanitizerLogParser parser(std::move(sink));
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return parser.finish();
  std::vector<char> buffer(256 * 1024);
  while (const auto n = std::fread(buffer.data(), 1, buffer.size(), file)) {
    if (util::interrupted()) break;  // Ctrl-C: keep what was parsed
    parser.feed(std::string_view(buffer.data(), n));
  }
  std::fclose(file);
  return parser.finish();
}

}  // namespace harness::parse
