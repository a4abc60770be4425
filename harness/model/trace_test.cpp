#include "harness/model/trace.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace harness::model {
namespace {

TEST(TraceParent, ValidHeadersAreReadAndInvalidOnesRefused) {
  const auto ok = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ok->parent_id, "00f067aa0ba902b7");
  EXPECT_TRUE(parse_traceparent("  00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\n"));
  // A later version may add fields after the flags.
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace id
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero parent
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // upper case
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // version ff
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // 00 has no extra
                          "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01"})
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  EXPECT_EQ(format_traceparent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(Tracer, SpansHaveIdsParentsAndNestInTime) {
  Tracer tracer(TraceContext{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"});
  const auto run = tracer.open("run");
  const auto child = tracer.open("compile", run);
  tracer.annotate(child, "feature", "f1");
  tracer.annotate(child, "feature", "f2");  // replaced, not repeated
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  tracer.close(child);
  const auto now = Tracer::Clock::now();
  tracer.add("tool process", run, now - std::chrono::milliseconds(1), now);
  const auto spans = tracer.spans();  // run is still open: it ends now
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].parent_id, "00f067aa0ba902b7");  // the caller's span
  EXPECT_EQ(spans[1].parent_id, spans[0].span_id);
  EXPECT_EQ(spans[2].parent_id, spans[0].span_id);
  std::set<std::string> ids;
  for (const auto& s : spans) {
    EXPECT_EQ(s.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(s.span_id.size(), 16u);
    ids.insert(s.span_id);
    EXPECT_LE(s.start_us, s.end_us);
    if (s.name != "run") {
      EXPECT_GE(s.start_us, spans[0].start_us - 1000) << s.name;
      EXPECT_LE(s.end_us, spans[0].end_us) << s.name;
    }
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_GE(spans[1].end_us - spans[1].start_us, 2000);
  ASSERT_EQ(spans[1].attributes.size(), 1u);
  EXPECT_EQ(spans[1].attribute("feature"), "f2");
}

TEST(Tracer, ANewTraceHasARandomIdAndNoParentAndOffRecordsNothing) {
  Tracer a, b;
  EXPECT_EQ(a.trace_id().size(), 32u);
  EXPECT_NE(a.trace_id(), b.trace_id());
  a.open("run");
  EXPECT_EQ(a.spans()[0].parent_id, "");
  Tracer off;
  off.disable();
  const auto h = off.open("run");
  off.annotate(h, "k", "v");
  off.close(h);
  EXPECT_EQ(h, Tracer::k_none);
  EXPECT_TRUE(off.spans().empty());
}

}  // namespace
}  // namespace harness::model
