// Dapper-style spans of a run (docs/tracing.md): one trace per pipeline, a span per stage (the run,
// each library build, driver compile and link, tool process, parsing, judging, report), with ids,
// parent links, start/end times and annotations. The Tracer records them; reports/trace_export
// writes them as Chrome/Perfetto trace events or OTLP JSON, and results.json carries them so that
// `sohound merge` joins the traces of CI shards and the HTML timeline draws them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness::model {

struct Span {
  std::string trace_id;       // 32 lower-case hex digits (W3C trace-context)
  std::string span_id;        // 16 lower-case hex digits
  std::string parent_id;      // "" for a root; may name a span of another process (TRACEPARENT)
  std::string name;           // run, driver build, library build, compile, link, tool process, parse, judge, report, ...
  std::int64_t start_us = 0;  // Unix time, microseconds
  std::int64_t end_us = 0;
  std::vector<std::pair<std::string, std::string>> attributes;  // suite, feature, tool, outcome, cache_hit, ...

  std::string_view attribute(std::string_view key) const;
};

// A W3C trace-context `traceparent` header: 00-<trace id>-<parent span id>-<flags>.
struct TraceContext {
  std::string trace_id;
  std::string parent_id;
};
// nullopt when `header` is not a valid version-00 traceparent (all-zero ids are invalid too).
std::optional<TraceContext> parse_traceparent(std::string_view header);
std::string format_traceparent(const std::string& trace_id, const std::string& span_id);

// Records spans. Single-threaded (the run's event loop); ids are random. A span is opened with its
// parent's handle, so coroutines that interleave still get the right parents. Cheap: an open and a
// close are a clock read and a vector slot each (bench: tracing overhead).
class Tracer {
 public:
  using Clock = std::chrono::steady_clock;
  using Handle = std::size_t;
  static constexpr Handle k_none = static_cast<Handle>(-1);

  // A new trace, or `context`'s (its parent becomes the parent of every root span opened here).
  explicit Tracer(std::optional<TraceContext> context = std::nullopt);

  // Recording off: every call is a no-op and spans() stays empty.
  void disable() { m_enabled = false; }
  bool enabled() const { return m_enabled; }

  Handle open(std::string name, Handle parent = k_none);
  void close(Handle span);
  // A span whose times are already known (steady clock points).
  Handle add(std::string name, Handle parent, Clock::time_point start, Clock::time_point end);
  void annotate(Handle span, std::string key, std::string value);
  // Moves a span's start (for a parent opened after its first child, as when a unit is named late).
  void set_start(Handle span, Clock::time_point start);

  const std::string& trace_id() const { return m_trace_id; }
  const std::string& remote_parent() const { return m_remote_parent; }
  std::string span_id(Handle span) const;
  std::int64_t to_unix_us(Clock::time_point t) const;

  // Every span recorded; an unclosed one ends now.
  std::vector<Span> spans() const;
  std::size_t size() const { return m_spans.size(); }

 private:
  std::string new_span_id();

  bool m_enabled = true;
  std::string m_trace_id, m_remote_parent;
  Clock::time_point m_anchor_steady;
  std::int64_t m_anchor_unix_us = 0;
  std::uint64_t m_state;  // splitmix64 for ids
  struct Open {
    Span span;
    bool closed = false;
  };
  std::vector<Open> m_spans;
};

}  // namespace harness::model
