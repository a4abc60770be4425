#include "harness/exec/tsan_frames.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/parse/sanitizer_log.hpp"

#include <gtest/gtest.h>

namespace harness::exec {
namespace {

// What TSan printed for a race found through free() inside prebuilt GLib (specs: realc
// glib_main_loop_invoke, captured here): the feature's own frame is missing.
constexpr const char* k_report = R"(==================
WARNING: ThreadSanitizer: data race (pid=26256)
  Write of size 8 at 0x7b0800002040 by thread T1:
    #0 free ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:706 (libtsan.so.2+0x47e82)
    #1 <null> <null> (libglib-2.0.so.0+0x50eee)
    #2 sohound_body_thread /out/runtime/sohound_rt.h:134 (driver+0x2de2)
    #3 sohound_runner_thread /out/runtime/sohound_rt.h:152 (driver+0x2fa5)

  Previous write of size 8 at 0x7b0800002040 by thread T2:
    #0 malloc ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:647 (libtsan.so.2+0x3ebb8)
    #1 g_malloc <null> (libglib-2.0.so.0+0x5a658)
    #2 <null> <null> (libglib-2.0.so.0+0x7ecdc)

SUMMARY: ThreadSanitizer: data race (/lib/x86_64-linux-gnu/libglib-2.0.so.0+0x50eee)
==================
)";

FeatureFrames glib_feature() { return {"feature_glib_main_loop_invoke", "/specs/c.yaml", 22, "", ""}; }

TEST(TsanFrames, TheFeatureFrameLostToUninstrumentedCodeIsRestored) {
  auto findings = parse::sanitizer_log(k_report).findings;
  ASSERT_EQ(findings.size(), 1u);
  const auto before = aggregate::fingerprint(findings[0]);
  restore_feature_frames(findings, glib_feature());
  const auto& stack = findings[0].stack;
  ASSERT_EQ(stack.size(), 5u);
  EXPECT_EQ(stack[2].function, "feature_glib_main_loop_invoke");
  EXPECT_EQ(stack[2].file, "/specs/c.yaml");
  EXPECT_EQ(stack[2].line, 22);
  EXPECT_TRUE(stack[2].restored) << "put back by Sohound, and results.json says so";
  EXPECT_FALSE(stack[1].restored);
  EXPECT_EQ(stack[3].function, "sohound_body_thread");
  // Said, not hidden: a note names the restored frame.
  ASSERT_FALSE(findings[0].aux_stacks.empty());
  EXPECT_EQ(findings[0].aux_stacks.back().label.rfind(k_restored_frame_note, 0), 0u) << findings[0].aux_stacks.back().label;
  // The fingerprint now has the user's frame, so another feature's race in GLib is another bug.
  EXPECT_NE(aggregate::fingerprint(findings[0]), before);
  auto other = parse::sanitizer_log(k_report).findings;
  restore_feature_frames(other, {"feature_glib_thread_pool", "/specs/c.yaml", 40, "", ""});
  EXPECT_NE(aggregate::fingerprint(findings[0]), aggregate::fingerprint(other[0]));
  // Idempotent: judging cached findings again restores nothing twice.
  restore_feature_frames(findings, glib_feature());
  EXPECT_EQ(findings[0].stack.size(), 5u);
}

TEST(TsanFrames, StacksThatReachTheFeatureAreLeftAlone) {
  auto findings = parse::sanitizer_log(k_report).findings;
  findings[0].stack.insert(findings[0].stack.begin() + 2, {"feature_glib_main_loop_invoke", "/specs/c.yaml", 25, "driver"});
  const auto copy = findings[0].stack;
  restore_feature_frames(findings, glib_feature());
  EXPECT_EQ(findings[0].stack.size(), copy.size());
  // A source feature: the body is there, the entry function it called is what was lost.
  auto from_source = parse::sanitizer_log(k_report).findings;
  from_source[0].stack[2] = {"feature_x", "/out/src/x.c", 3, "driver"};
  restore_feature_frames(from_source, {"feature_x", "/specs/c.yaml", 0, "run_case", "/specs/case.c"});
  EXPECT_EQ(from_source[0].stack[2].function, "run_case");
  EXPECT_EQ(from_source[0].stack[2].file, "/specs/case.c");
}

}  // namespace
}  // namespace harness::exec
