#include "reports/trace_export.hpp"

#include "harness/util/json_writer.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

namespace reports {
using harness::util::JsonWriter;
namespace model = harness::model;

std::vector<std::size_t> span_roots(const std::vector<model::Span>& spans) {
  std::unordered_map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < spans.size(); ++i) by_id.emplace(spans[i].trace_id + spans[i].span_id, i);
  std::vector<std::size_t> roots(spans.size(), static_cast<std::size_t>(-1));
  for (std::size_t i = 0; i < spans.size(); ++i) {
    std::vector<std::size_t> path;
    std::size_t at = i;
    while (roots[at] == static_cast<std::size_t>(-1)) {
      path.push_back(at);
      const auto parent = by_id.find(spans[at].trace_id + spans[at].parent_id);
      if (spans[at].parent_id.empty() || parent == by_id.end() || path.size() > spans.size()) {
        roots[at] = at;
        break;
      }
      at = parent->second;
    }
    for (auto p : path) roots[p] = roots[at];
  }
  return roots;
}

std::vector<int> span_lanes(const std::vector<model::Span>& spans, const std::vector<std::size_t>& roots) {
  std::vector<std::size_t> order(spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (roots[a] != roots[b]) return roots[a] < roots[b];
    if (spans[a].start_us != spans[b].start_us) return spans[a].start_us < spans[b].start_us;
    return spans[a].end_us > spans[b].end_us;  // the enclosing one first
  });
  std::vector<int> lanes(spans.size(), 0);
  std::vector<std::vector<std::size_t>> stacks;  // per lane: the spans still open
  std::size_t current_root = static_cast<std::size_t>(-1);
  for (auto i : order) {
    if (roots[i] != current_root) {
      current_root = roots[i];
      stacks.clear();
    }
    const auto& s = spans[i];
    int chosen = -1;
    for (std::size_t l = 0; l < stacks.size() && chosen < 0; ++l) {
      auto& stack = stacks[l];
      while (!stack.empty() && spans[stack.back()].end_us <= s.start_us) stack.pop_back();
      if (stack.empty() || (spans[stack.back()].start_us <= s.start_us && s.end_us <= spans[stack.back()].end_us))
        chosen = static_cast<int>(l);
    }
    if (chosen < 0) {
      stacks.emplace_back();
      chosen = static_cast<int>(stacks.size() - 1);
    }
    stacks[static_cast<std::size_t>(chosen)].push_back(i);
    lanes[i] = chosen;
  }
  return lanes;
}

namespace {

std::string process_label(const model::Span& root) {
  std::string label = "sohound " + root.name;
  if (const auto shard = root.attribute("shard"); !shard.empty()) label += " (shard " + std::string(shard) + ")";
  if (const auto host = root.attribute("host"); !host.empty()) label += " on " + std::string(host);
  return label;
}

}  // namespace

void write_chrome_trace(const std::vector<model::Span>& spans, std::ostream& out) {
  const auto roots = span_roots(spans);
  const auto lanes = span_lanes(spans, roots);
  std::map<std::size_t, int> pids;  // root span -> process id (1, 2, ...)
  for (auto r : roots) pids.try_emplace(r, 0);
  int next = 1;
  for (auto& [r, pid] : pids) pid = next++;
  JsonWriter w(out, 0);
  w.begin_object().field("displayTimeUnit", "ms").key("traceEvents").begin_array();
  for (const auto& [r, pid] : pids)
    w.begin_object()
        .field("name", "process_name")
        .field("ph", "M")
        .field("pid", pid)
        .field("tid", 0)
        .key("args")
        .begin_object()
        .field("name", process_label(spans[r]))
        .end_object()
        .end_object();
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto& s = spans[i];
    w.begin_object()
        .field("name", s.name)
        .field("cat", "sohound")
        .field("ph", "X")
        .field("ts", static_cast<long>(s.start_us))
        .field("dur", static_cast<long>(s.end_us - s.start_us))
        .field("pid", pids[roots[i]])
        .field("tid", lanes[i] + 1);
    w.key("args").begin_object().field("trace_id", s.trace_id).field("span_id", s.span_id).field("parent_id", s.parent_id);
    for (const auto& [k, v] : s.attributes) w.field(k, v);
    w.end_object().end_object();
  }
  w.end_array().end_object();
  w.flush();
  out << '\n';
}

void write_otlp_json(const std::vector<model::Span>& spans, const std::string& sohound_version, std::ostream& out) {
  const auto roots = span_roots(spans);
  std::map<std::size_t, std::vector<std::size_t>> by_root;
  for (std::size_t i = 0; i < spans.size(); ++i) by_root[roots[i]].push_back(i);
  auto attribute = [](JsonWriter& w, std::string_view key, std::string_view value) {
    w.begin_object().field("key", key).key("value").begin_object().field("stringValue", value).end_object().end_object();
  };
  JsonWriter w(out, 0);
  w.begin_object().key("resourceSpans").begin_array();
  for (const auto& [root, members] : by_root) {
    w.begin_object().key("resource").begin_object().key("attributes").begin_array();
    attribute(w, "service.name", "sohound");
    attribute(w, "service.version", sohound_version);
    if (const auto shard = spans[root].attribute("shard"); !shard.empty()) attribute(w, "sohound.shard", shard);
    if (const auto host = spans[root].attribute("host"); !host.empty()) attribute(w, "host.name", host);
    w.end_array().end_object();
    w.key("scopeSpans").begin_array().begin_object();
    w.key("scope").begin_object().field("name", "sohound").field("version", sohound_version).end_object();
    w.key("spans").begin_array();
    for (auto i : members) {
      const auto& s = spans[i];
      w.begin_object().field("traceId", s.trace_id).field("spanId", s.span_id);
      if (!s.parent_id.empty()) w.field("parentSpanId", s.parent_id);
      w.field("name", s.name)
          .field("kind", 1)  // SPAN_KIND_INTERNAL
          .field("startTimeUnixNano", std::to_string(s.start_us * 1000))
          .field("endTimeUnixNano", std::to_string(s.end_us * 1000));
      w.key("attributes").begin_array();
      for (const auto& [k, v] : s.attributes) attribute(w, "sohound." + k, v);
      w.end_array().end_object();
    }
    w.end_array().end_object().end_array().end_object();
  }
  w.end_array().end_object();
  w.flush();
  out << '\n';
}

}  // namespace reports
