#include "harness/parse/sanitizer_log.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

namespace harness::parse {
namespace {

using testing::testdata;

TEST(SanitizerFrame, GccAndClangSpellings) {
  auto gcc = sanitizer_frame("    #1 0x5637edd353e3 in main /home/dev/samples/asan.c:10");
  ASSERT_TRUE(gcc);
  EXPECT_EQ(gcc->function, "main");
  EXPECT_EQ(gcc->file, "/home/dev/samples/asan.c");
  EXPECT_EQ(gcc->line, 10);

  auto clang = sanitizer_frame("    #1 0x5642ab84d024 in leak_it /home/dev/samples/asan.c:7:60");
  ASSERT_TRUE(clang);
  EXPECT_EQ(clang->function, "leak_it");
  EXPECT_EQ(clang->line, 7);

  auto module = sanitizer_frame(
      "    #0 0x5642ab81214e in __interceptor_malloc (/home/dev/samples/san/asan-clang+0xa314e) (BuildId: 078d7b8b)");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->function, "__interceptor_malloc");
  EXPECT_EQ(module->object, "/home/dev/samples/san/asan-clang");
  EXPECT_EQ(module->file, "");

  auto spaces =
      sanitizer_frame("    #0 0x7f in operator new(unsigned long) ../../../../src/libsanitizer/asan/asan_new_delete.cpp:95");
  ASSERT_TRUE(spaces);
  EXPECT_EQ(spaces->function, "operator new(unsigned long)");
  EXPECT_EQ(spaces->line, 95);

  auto unsymbolized = sanitizer_frame("    #0 0x55ffb4754f10  (/home/dev/samples/san/asan-clang+0xddf10) (BuildId: 07)");
  ASSERT_TRUE(unsymbolized);
  EXPECT_EQ(unsymbolized->function, "");
  EXPECT_EQ(unsymbolized->object, "/home/dev/samples/san/asan-clang");

  EXPECT_FALSE(sanitizer_frame("SUMMARY: AddressSanitizer: heap-buffer-overflow"));
  EXPECT_FALSE(sanitizer_frame("  #x not a frame"));
}

TEST(SanitizerLog, HeapBufferOverflowReadWithAllocationStack) {
  for (const char* sample : {"sanitizers/asan-gcc-mode1.txt", "sanitizers/asan-clang-mode1.txt"}) {
    const auto report = sanitizer_log(testdata(sample));
    ASSERT_EQ(report.findings.size(), 1u) << sample;
    const auto& f = report.findings[0];
    EXPECT_EQ(f.kind, "mem.invalid_read") << sample;
    EXPECT_EQ(f.tool_kind, "heap-buffer-overflow");
    EXPECT_EQ(f.message, "heap-buffer-overflow: READ of size 4");
    EXPECT_EQ(f.stack[0].function, "overflow");
    EXPECT_EQ(f.stack[0].line, 4);
    EXPECT_EQ(f.stack[1].function, "main");
    ASSERT_EQ(f.aux_stacks.size(), 1u);
    EXPECT_EQ(f.aux_stacks[0].label.find("0x604000000038 is located 0 bytes to the right of 40-byte region"), 0u);
    EXPECT_NE(f.aux_stacks[0].label.find("allocated by thread T0 here"), std::string::npos);
    EXPECT_EQ(f.aux_stacks[0].frames[1].function, "overflow");
    EXPECT_FALSE(report.crashed);
  }
}

TEST(SanitizerLog, DoubleFreeHasFreedAndAllocatedStacks) {
  for (const char* sample : {"sanitizers/asan-gcc-mode2.txt", "sanitizers/asan-clang-mode2.txt"}) {
    const auto report = sanitizer_log(testdata(sample));
    ASSERT_EQ(report.findings.size(), 1u) << sample;
    EXPECT_EQ(report.findings[0].kind, "mem.invalid_free");
    EXPECT_EQ(report.findings[0].tool_kind, "double-free");
    EXPECT_EQ(report.findings[0].aux_stacks.size(), 2u);
  }
}

TEST(SanitizerLog, UseAfterFreeIsAnInvalidAccess) {
  const auto report = sanitizer_log(testdata("sanitizers/asan-gcc-mode3.txt"));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].tool_kind, "heap-use-after-free");
  EXPECT_EQ(report.findings[0].kind.rfind("mem.invalid_", 0), 0u);
}

TEST(SanitizerLog, LeaksDirectAndIndirect) {
  const auto report = sanitizer_log(testdata("sanitizers/lsan-gcc.txt"));
  ASSERT_EQ(report.findings.size(), 3u);
  EXPECT_EQ(report.findings[0].kind, "leak.definite");
  EXPECT_EQ(report.findings[0].bytes, 8u);
  EXPECT_EQ(report.findings[0].blocks, 1u);
  EXPECT_EQ(report.findings[0].message, "Direct leak of 8 byte(s) in 1 object(s)");
  EXPECT_EQ(report.findings[0].stack[1].function, "leak_it");
  EXPECT_EQ(report.findings[2].kind, "leak.indirect");
  EXPECT_EQ(report.findings[2].bytes, 32u);
  EXPECT_EQ(report.findings[0].pid, 16634);
}

TEST(SanitizerLog, RecoverModeReportsSeveralErrorsThenLeaks) {
  const auto report = sanitizer_log(testdata("sanitizers/asan-gcc-recover.txt"));
  ASSERT_GE(report.findings.size(), 2u);
  bool memory = false, leak = false;
  for (const auto& f : report.findings) {
    memory = memory || f.kind.rfind("mem.", 0) == 0;
    leak = leak || f.kind.rfind("leak.", 0) == 0;
  }
  EXPECT_TRUE(memory);
  EXPECT_TRUE(leak);
}

TEST(SanitizerLog, AsanKinds) {
  EXPECT_EQ(asan_kind("heap-buffer-overflow", "WRITE"), "mem.invalid_write");
  EXPECT_EQ(asan_kind("alloc-dealloc-mismatch", ""), "mem.mismatched_free");
  EXPECT_EQ(asan_kind("strncpy-param-overlap", ""), "mem.overlap");
  EXPECT_EQ(asan_kind("SEGV", "READ"), "crash.signal");
  EXPECT_EQ(asan_kind("brand-new-check", ""), "asan.brand-new-check");
}

TEST(SanitizerLog, SegvIsACrash) {
  const auto report = sanitizer_log(
      "=================================================================\n"
      "==42==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0)\n"
      "==42==The signal is caused by a WRITE memory access.\n"
      "    #0 0x55 in crash_here /src/x.c:3\n"
      "    #1 0x56 in main /src/x.c:9\n"
      "\n"
      "SUMMARY: AddressSanitizer: SEGV /src/x.c:3 in crash_here\n"
      "==42==ABORTING\n");
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, "crash.signal");
  EXPECT_EQ(report.findings[0].stack[0].function, "crash_here");
  EXPECT_TRUE(report.crashed);
  EXPECT_EQ(report.crash_signal, "SEGV");
}

TEST(SanitizerLog, StartupProblemsAreToolMessages) {
  const auto report = sanitizer_log(
      "==7==ASan runtime does not come first in initial library list; you should either link runtime to your application or "
      "manually preload it with LD_PRELOAD.\n");
  EXPECT_TRUE(report.findings.empty());
  ASSERT_EQ(report.tool_messages.size(), 1u);
  EXPECT_FALSE(report.saw_report_header);
}

}  // namespace
}  // namespace harness::parse

namespace harness::parse {
namespace {

TEST(SanitizerLog, StreamingInTinyChunksGivesTheSameFindings) {
  const auto text = testing::testdata("sanitizers/asan-gcc-recover.txt");
  const auto whole = sanitizer_log(text);
  std::vector<model::Finding> streamed;
  SanitizerLogParser parser([&](model::Finding&& f) { streamed.push_back(std::move(f)); });
  for (std::size_t at = 0; at < text.size(); at += 5) parser.feed(std::string_view(text).substr(at, 5));
  const auto report = parser.finish();
  EXPECT_TRUE(report.findings.empty());
  ASSERT_EQ(streamed.size(), whole.findings.size());
  for (std::size_t i = 0; i < streamed.size(); ++i) {
    EXPECT_EQ(streamed[i].kind, whole.findings[i].kind);
    EXPECT_EQ(streamed[i].stack.size(), whole.findings[i].stack.size());
  }
}

}  // namespace
}  // namespace harness::parse

namespace harness::parse {
namespace {

TEST(TsanLog, DataRaceAndLockOrderWithTheirStacks) {
  for (const char* sample : {"sanitizers/tsan-gcc.txt", "sanitizers/tsan-clang.txt"}) {
    const auto report = sanitizer_log(testing::testdata(sample));
    ASSERT_EQ(report.findings.size(), 2u) << sample;
    const auto& race = report.findings[0];
    EXPECT_EQ(race.kind, "race.data");
    EXPECT_NE(race.pid, 0);
    EXPECT_EQ(race.stack[0].function, "bump") << sample;
    EXPECT_EQ(race.stack[0].line, 5);
    EXPECT_EQ(race.stack[1].function, "racer");
    ASSERT_FALSE(race.aux_stacks.empty());
    EXPECT_EQ(race.aux_stacks[0].label.rfind("Previous write of size 4", 0), 0u) << race.aux_stacks[0].label;
    EXPECT_EQ(race.aux_stacks[0].frames[0].function, "bump");
    const auto& lock = report.findings[1];
    EXPECT_EQ(lock.kind, "race.lock_order");
    bool ab = false, ba = false;
    for (const auto& f : lock.stack) ab = ab || f.function == "lock_ab" || f.function == "lock_ba";
    for (const auto& aux : lock.aux_stacks)
      for (const auto& f : aux.frames) ba = ba || f.function == "lock_ba" || f.function == "lock_ab";
    EXPECT_TRUE(ab && ba) << sample;
  }
}

TEST(UbsanLog, ChecksAsKindsWithStacks) {
  for (const char* sample : {"sanitizers/ubsan-gcc-stacktrace.txt", "sanitizers/ubsan-clang-stacktrace.txt"}) {
    const auto report = sanitizer_log(testing::testdata(sample));
    ASSERT_GE(report.findings.size(), 2u) << sample;
    EXPECT_EQ(report.findings[0].kind, "ub.signed-integer-overflow") << sample;
    EXPECT_EQ(report.findings[0].stack[0].function, "add");
    EXPECT_EQ(report.findings[0].message, "signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'");
    EXPECT_EQ(report.findings[1].kind, "ub.invalid-shift-exponent") << sample;
    EXPECT_EQ(report.findings[1].stack[0].function, "shl");
  }
  const auto ours = sanitizer_log(testing::testdata("sanitizers/ubsan-gcc-shift.txt"));
  ASSERT_EQ(ours.findings.size(), 1u);
  EXPECT_EQ(ours.findings[0].kind, "ub.invalid-shift-exponent");
  EXPECT_EQ(ours.findings[0].stack[1].function, "feature_ub_shift");
}

TEST(UbsanLog, WithoutStackTheLocationIsTheFrame) {
  const auto report = sanitizer_log("x.c:4:60: runtime error: division by zero\n");
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, "ub.integer-divide-by-zero");
  ASSERT_EQ(report.findings[0].stack.size(), 1u);
  EXPECT_EQ(report.findings[0].stack[0].file, "x.c");
  EXPECT_EQ(report.findings[0].stack[0].line, 4);
}

TEST(TsanLog, FatalRuntimeErrorsAreToolMessages) {
  const auto report = sanitizer_log("FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000100000\n");
  EXPECT_TRUE(report.findings.empty());
  ASSERT_EQ(report.tool_messages.size(), 1u);
}

}  // namespace
}  // namespace harness::parse

namespace harness::parse {
namespace {

// Found by fuzzing (testdata/fuzz/sanitizer_log/): a TSan "Location is ..." line straight after a
// stack, with no blank line between, left the parser writing frames through a pointer into a
// vector that had just grown (use after free).
TEST(TsanLog, LocationLineRightAfterAStackKeepsEveryStack) {
  const auto report = sanitizer_log(
      "WARNING: ThreadSanitizer: data race (pid=1)\n"
      "  Read of size 4 at 0x1 by thread T2:\n"
      "    #0 bump /s/race.c:5 (x+0x1)\n"
      "  Previous write of size 4 at 0x1 by thread T1:\n"
      "    #0 bump /s/race.c:5 (x+0x2)\n"
      "  Location is global 'counter' of size 4 at 0x1 (x+0x3)\n"
      "    #1 racer /s/race.c:6 (x+0x4)\n"
      "  Mutex M1 acquired here while holding mutex M0 in thread T3:\n"
      "    #0 lock /s/race.c:9 (x+0x5)\n"
      "SUMMARY: ThreadSanitizer: data race /s/race.c:5 in bump\n");
  ASSERT_EQ(report.findings.size(), 1u);
  const auto& f = report.findings[0];
  ASSERT_EQ(f.aux_stacks.size(), 3u);
  EXPECT_EQ(f.aux_stacks[0].frames.size(), 1u);
  EXPECT_EQ(f.aux_stacks[1].label, "Location is global 'counter' of size 4 at 0x1 (x+0x3)");
  EXPECT_TRUE(f.aux_stacks[1].frames.empty()) << "a frame after a Location line belongs to no stack";
  EXPECT_EQ(f.aux_stacks[2].frames.size(), 1u);
}

}  // namespace
}  // namespace harness::parse
