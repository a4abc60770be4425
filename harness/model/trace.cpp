#include "harness/model/trace.hpp"

#include "harness/util/text.hpp"

#include <algorithm>
#include <random>

namespace harness::model {

std::string_view Span::attribute(std::string_view key) const {
  for (const auto& [k, v] : attributes)
    if (k == key) return v;
  return {};
}

namespace {

bool lower_hex(std::string_view s, std::size_t size) {
  return s.size() == size &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }) &&
         s.find_first_not_of('0') != std::string_view::npos;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::optional<TraceContext> parse_traceparent(std::string_view header) {
  header = util::trim(header);
  // version "00": exactly 55 characters; a later version may append fields after the flags.
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  const auto version = header.substr(0, 2);
  if (version == "ff" || (version != "00" && !lower_hex(version, 2))) return std::nullopt;
  if (version == "00" && header.size() != 55) return std::nullopt;
  if (header.size() > 55 && header[55] != '-') return std::nullopt;
  const auto trace = header.substr(3, 32), parent = header.substr(36, 16), flags = header.substr(53, 2);
  if (!lower_hex(trace, 32) || !lower_hex(parent, 16)) return std::nullopt;
  if (!std::all_of(flags.begin(), flags.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
    return std::nullopt;
  return TraceContext{std::string(trace), std::string(parent)};
}

std::string format_traceparent(const std::string& trace_id, const std::string& span_id) {
  return "00-" + trace_id + "-" + span_id + "-01";
}

Tracer::Tracer(std::optional<TraceContext> context)
    : m_anchor_steady(Clock::now()),
      m_anchor_unix_us(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count()) {
  std::random_device random;
  m_state = (static_cast<std::uint64_t>(random()) << 32) ^ random() ^ static_cast<std::uint64_t>(m_anchor_unix_us);
  if (context) {
    m_trace_id = context->trace_id;
    m_remote_parent = context->parent_id;
  } else {
    while (m_trace_id.empty() || m_trace_id.find_first_not_of('0') == std::string::npos)
      m_trace_id = util::to_hex(splitmix64(m_state)) + util::to_hex(splitmix64(m_state));
  }
}

std::string Tracer::new_span_id() {
  for (;;)
    if (const auto v = splitmix64(m_state); v != 0) return util::to_hex(v);
}

std::int64_t Tracer::to_unix_us(Clock::time_point t) const {
  return m_anchor_unix_us + std::chrono::duration_cast<std::chrono::microseconds>(t - m_anchor_steady).count();
}

Tracer::Handle Tracer::open(std::string name, Handle parent) {
  if (!m_enabled) return k_none;
  const auto now = to_unix_us(Clock::now());
  Open o;
  o.span.trace_id = m_trace_id;
  o.span.span_id = new_span_id();
  o.span.parent_id = parent < m_spans.size() ? m_spans[parent].span.span_id : m_remote_parent;
  o.span.name = std::move(name);
  o.span.start_us = o.span.end_us = now;
  m_spans.push_back(std::move(o));
  return m_spans.size() - 1;
}

void Tracer::close(Handle span) {
  if (span >= m_spans.size() || m_spans[span].closed) return;
  m_spans[span].span.end_us = std::max(m_spans[span].span.start_us, to_unix_us(Clock::now()));
  m_spans[span].closed = true;
}

Tracer::Handle Tracer::add(std::string name, Handle parent, Clock::time_point start, Clock::time_point end) {
  const auto handle = open(std::move(name), parent);
  if (handle == k_none) return handle;
  auto& s = m_spans[handle];
  s.span.start_us = to_unix_us(start);
  s.span.end_us = std::max(s.span.start_us, to_unix_us(end));
  s.closed = true;
  return handle;
}

void Tracer::annotate(Handle span, std::string key, std::string value) {
  if (span >= m_spans.size()) return;
  auto& attributes = m_spans[span].span.attributes;
  for (auto& [k, v] : attributes)
    if (k == key) {
      v = std::move(value);
      return;
    }
  attributes.emplace_back(std::move(key), std::move(value));
}

void Tracer::set_start(Handle span, Clock::time_point start) {
  if (span >= m_spans.size()) return;
  m_spans[span].span.start_us = to_unix_us(start);
}

std::string Tracer::span_id(Handle span) const { return span < m_spans.size() ? m_spans[span].span.span_id : std::string(); }

std::vector<Span> Tracer::spans() const {
  std::vector<Span> out;
  out.reserve(m_spans.size());
  const auto now = to_unix_us(Clock::now());
  for (const auto& o : m_spans) {
    out.push_back(o.span);
    if (!o.closed) out.back().end_us = std::max(o.span.start_us, now);
  }
  return out;
}

}  // namespace harness::model
