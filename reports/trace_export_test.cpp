#include "reports/trace_export.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace reports {
namespace {
using harness::model::Span;

Span span(std::string id, std::string parent, std::string name, std::int64_t start, std::int64_t end) {
  Span s;
  s.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  s.span_id = std::move(id);
  s.parent_id = std::move(parent);
  s.name = std::move(name);
  s.start_us = start;
  s.end_us = end;
  return s;
}

// Two runs (shards) under a caller's span, each with overlapping children.
std::vector<Span> two_shards() {
  return {span("a000000000000001", "ffffffffffffffff", "run", 0, 100),
          span("a000000000000002", "a000000000000001", "unit", 10, 50),
          span("a000000000000003", "a000000000000001", "unit", 20, 60),  // overlaps the first unit
          span("a000000000000004", "a000000000000002", "tool process", 10, 40),
          span("b000000000000001", "ffffffffffffffff", "run", 5, 90),
          span("b000000000000002", "b000000000000001", "compile", 6, 9)};
}

TEST(TraceExport, RootsAreSpansWhoseParentIsNotHere) {
  const auto spans = two_shards();
  const auto roots = span_roots(spans);
  EXPECT_EQ(roots, (std::vector<std::size_t>{0, 0, 0, 0, 4, 4}));
}

TEST(TraceExport, LanesKeepEverySpanNestedWithinItsLane) {
  const auto spans = two_shards();
  const auto roots = span_roots(spans);
  const auto lanes = span_lanes(spans, roots);
  // Within one root and lane, any two spans are disjoint or one contains the other.
  for (std::size_t i = 0; i < spans.size(); ++i)
    for (std::size_t j = 0; j < spans.size(); ++j) {
      if (i == j || roots[i] != roots[j] || lanes[i] != lanes[j]) continue;
      const auto &a = spans[i], &b = spans[j];
      const bool disjoint = a.end_us <= b.start_us || b.end_us <= a.start_us;
      const bool nested =
          (a.start_us <= b.start_us && b.end_us <= a.end_us) || (b.start_us <= a.start_us && a.end_us <= b.end_us);
      EXPECT_TRUE(disjoint || nested) << a.name << " and " << b.name << " on lane " << lanes[i];
    }
  EXPECT_NE(lanes[1], lanes[2]);  // the overlapping units
}

TEST(TraceExport, ChromeTraceHasAProcessPerRunAndCompleteEvents) {
  std::ostringstream out;
  write_chrome_trace(two_shards(), out);
  const auto j = nlohmann::json::parse(out.str());
  std::size_t meta = 0, complete = 0;
  std::set<int> pids;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "M") {
      ++meta;
      EXPECT_EQ(e["name"], "process_name");
      continue;
    }
    ++complete;
    EXPECT_EQ(e["ph"], "X");
    EXPECT_GE(e["dur"].get<long>(), 0);
    pids.insert(e["pid"].get<int>());
    EXPECT_EQ(e["args"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  }
  EXPECT_EQ(meta, 2u);
  EXPECT_EQ(complete, 6u);
  EXPECT_EQ(pids.size(), 2u);
}

TEST(TraceExport, OtlpJsonHasHexIdsAndNanosecondStrings) {
  auto spans = two_shards();
  spans[0].attributes = {{"shard", "1/2"}};
  std::ostringstream out;
  write_otlp_json(spans, "0.1.0", out);
  const auto j = nlohmann::json::parse(out.str());
  ASSERT_EQ(j["resourceSpans"].size(), 2u);
  const auto& first = j["resourceSpans"][0];
  bool shard = false;
  for (const auto& a : first["resource"]["attributes"])
    shard = shard || (a["key"] == "sohound.shard" && a["value"]["stringValue"] == "1/2");
  EXPECT_TRUE(shard);
  const auto& s = first["scopeSpans"][0]["spans"][1];
  EXPECT_EQ(s["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s["parentSpanId"], "a000000000000001");
  EXPECT_EQ(s["startTimeUnixNano"], "10000");
  EXPECT_EQ(s["endTimeUnixNano"], "50000");
  EXPECT_EQ(s["kind"], 1);
}

}  // namespace
}  // namespace reports
