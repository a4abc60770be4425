#include "harness/parse/valgrind_xml.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

namespace harness::parse {
namespace {

using testing::testdata;

TEST(ValgrindXml, MemoryErrorsWithStacksAuxStacksAndCounts) {
  auto report = valgrind_xml(testdata("valgrind/memcheck-memerr-trackfds.xml"));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->protocol_version, 4);
  EXPECT_EQ(report->tool, "memcheck");
  EXPECT_EQ(report->pid, 7233);
  EXPECT_TRUE(report->finished);
  EXPECT_TRUE(report->complete);
  ASSERT_EQ(report->errors.size(), 5u) << "top-level <suppression> copies and orphan <stack>s are not errors";

  const auto& read = report->errors[0];
  EXPECT_EQ(read.kind, "InvalidRead");
  EXPECT_EQ(read.what, "Invalid read of size 4");
  ASSERT_EQ(read.stack.size(), 2u);
  EXPECT_EQ(read.stack[0].function, "invalid_read(int*)");
  EXPECT_EQ(read.stack[0].file, "/home/dev/samples/memerr.cpp");
  EXPECT_EQ(read.stack[0].line, 5);
  EXPECT_EQ(read.stack[0].object, "/home/dev/samples/bin/memerr");
  ASSERT_EQ(read.aux_stacks.size(), 1u);
  EXPECT_EQ(read.aux_stacks[0].label, "Address 0x4d6fca8 is 0 bytes after a block of size 40 alloc'd");
  EXPECT_EQ(read.aux_stacks[0].frames[0].function, "malloc");
  EXPECT_EQ(report->error_counts.at("0x0"), 1u);

  const auto findings = valgrind_findings(*report);
  std::vector<std::string> kinds;
  for (const auto& f : findings) kinds.push_back(f.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"mem.invalid_read", "mem.invalid_write", "mem.uninit", "mem.mismatched_free",
                                             "mem.invalid_free"}));
  EXPECT_EQ(findings[2].stack[0].function, "uninit_cond()");
  ASSERT_EQ(findings[0].aux_stacks.size(), 1u) << "an auxwhat with a stack is not repeated as a label";
  EXPECT_EQ(findings[0].aux_stacks[0].frames.size(), 2u);
  // The origin of an uninitialised value comes with its own stack.
  ASSERT_EQ(findings[2].aux_stacks.size(), 1u);
  EXPECT_EQ(findings[2].aux_stacks[0].label, "Uninitialised value was created by a heap allocation");
}

TEST(ValgrindXml, SuppressionsThatMatchedAreCountedApartFromErrors) {
  // A real helgrind run: two error pairs and one suppression pair, whose <count> must not land in
  // error_counts (nor an error's in suppression_counts).
  auto report = valgrind_xml(testdata("valgrind/helgrind-racy-counter.xml"));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->suppression_counts, (std::map<std::string, std::uint64_t>{{"helgrind-glibc2X-005", 8}}));
  EXPECT_EQ(report->error_counts.size(), 2u);
  auto none = valgrind_xml(testdata("valgrind/memcheck-leaks-noq-suppcounts.xml"));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->suppression_counts.empty());
}

TEST(ValgrindXml, LeakRecordsCarryBytesAndBlocks) {
  auto report = valgrind_xml(testdata("valgrind/memcheck-leaks-noq-suppcounts.xml"));
  ASSERT_TRUE(report);
  const auto findings = valgrind_findings(*report);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].kind, "leak.definite");
  EXPECT_EQ(findings[0].bytes, 16u);
  EXPECT_EQ(findings[0].blocks, 1u);
  EXPECT_EQ(findings[0].stack[1].function, "alloc_n");
  EXPECT_EQ(findings[0].stack[2].function, "make_definite");
  EXPECT_EQ(findings[1].kind, "leak.possible");
  EXPECT_EQ(findings[2].kind, "leak.definite");
  EXPECT_EQ(findings[2].bytes, 64u) << "leakedbytes is direct + indirect";
  EXPECT_EQ(findings[2].message, "64 (32 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 4 of 5");
}

TEST(ValgrindXml, GenSuppressionsDuplicatesAreIgnored) {
  auto report = valgrind_xml(testdata("valgrind/memcheck-leaks-gensupp.xml"));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->errors.size(), 5u);
  for (const auto& e : report->errors) EXPECT_FALSE(e.stack.empty()) << e.kind;
}

TEST(ValgrindXml, TruncatedFileKeepsCompleteRecords) {
  auto report = valgrind_xml(testdata("valgrind/memcheck-sigkill-TRUNCATED.xml"));
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->complete);
  EXPECT_FALSE(report->finished);
  EXPECT_NE(report->problem.find("truncated XML"), std::string::npos) << report->problem;
  ASSERT_EQ(report->errors.size(), 1u);
}

TEST(ValgrindXml, FatalSignalWithStack) {
  auto report = valgrind_xml(testdata("valgrind/memcheck-segv-fatal_signal-threadname.xml"));
  ASSERT_TRUE(report);
  ASSERT_TRUE(report->fatal_signal);
  EXPECT_EQ(report->fatal_signal->signame, "SIGSEGV");
  EXPECT_EQ(report->fatal_signal->signo, 11);
  EXPECT_EQ(report->fatal_signal->event, "Access not within mapped region");
  ASSERT_FALSE(report->fatal_signal->stack.empty());
  EXPECT_EQ(report->fatal_signal->stack[0].function, "crash");
  EXPECT_EQ(report->fatal_signal->stack[1].function, "worker");
  EXPECT_TRUE(report->complete) << "valgrind still finishes the document after a fatal signal";
}

TEST(ValgrindXml, ForkedChildWithoutRunningStatus) {
  auto report = valgrind_xml(testdata("valgrind/fork-noexec-child.xml"));
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->complete);
  EXPECT_EQ(report->errors.size(), 2u);
  EXPECT_NE(report->ppid, 0);
}

TEST(ValgrindXml, StreamingSinkSeesEveryErrorWithoutKeepingThem) {
  const auto text = testdata("valgrind/memcheck-memerr-trackfds.xml");
  std::vector<std::string> kinds;
  ValgrindXmlParser parser([&](ValgrindError&& e) { kinds.push_back(e.kind); });
  for (std::size_t at = 0; at < text.size(); at += 7) parser.feed(std::string_view(text).substr(at, 7));
  const auto report = parser.finish();
  EXPECT_TRUE(report.complete);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(kinds.size(), 5u);
}

TEST(ValgrindXml, RejectsWhatIsNotValgrindXml) {
  EXPECT_FALSE(valgrind_xml("hello"));
  auto future = valgrind_xml("<valgrindoutput><protocolversion>9</protocolversion></valgrindoutput>");
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().message, "unsupported Valgrind XML protocol version 9");
}

TEST(ValgrindXml, UnknownMemcheckKindsKeepTheirName) {
  EXPECT_EQ(valgrind_kind("memcheck", "Leak_StillReachable"), "leak.reachable");
  EXPECT_EQ(valgrind_kind("memcheck", "SomethingNew"), "memcheck.SomethingNew");
}

}  // namespace
}  // namespace harness::parse

namespace harness::parse {
namespace {

TEST(HelgrindXml, RaceWithBothStacksAndLockOrder) {
  auto report = valgrind_xml(testing::testdata("valgrind/helgrind-race-lockorder.xml"));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->tool, "helgrind");
  const auto findings = valgrind_findings(*report);
  ASSERT_GE(findings.size(), 3u);
  EXPECT_EQ(findings[0].kind, "race.data");
  EXPECT_EQ(findings[0].stack[0].function, "bump");
  ASSERT_GE(findings[0].aux_stacks.size(), 1u);
  EXPECT_EQ(findings[0].aux_stacks[0].label, "This conflicts with a previous write of size 4 by thread #2");
  EXPECT_EQ(findings[0].aux_stacks[0].frames[0].function, "bump");
  const auto& lock = findings.back();
  EXPECT_EQ(lock.kind, "race.lock_order");
  bool lock_ab = false;
  for (const auto& aux : lock.aux_stacks)
    for (const auto& f : aux.frames) lock_ab = lock_ab || f.function == "lock_ab";
  EXPECT_TRUE(lock_ab);
}

TEST(DrdXml, ConflictingAccessAndOtherSegments) {
  auto report = valgrind_xml(testing::testdata("valgrind/drd-race.xml"));
  ASSERT_TRUE(report);
  const auto findings = valgrind_findings(*report);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].kind, "race.data");
  EXPECT_EQ(findings[0].tool_kind, "ConflictingAccess");
  EXPECT_EQ(findings[0].stack[0].function, "bump");

  auto init = valgrind_xml(testing::testdata("valgrind/drd-static-init.xml"));
  ASSERT_TRUE(init);
  const auto race = valgrind_findings(*init).at(0);
  ASSERT_EQ(race.aux_stacks.size(), 3u) << "other segment start and end, allocation context";
  EXPECT_EQ(race.aux_stacks[0].label, "Other segment start (conflicting thread)");
  EXPECT_EQ(race.aux_stacks[0].frames[0].function, "__cxa_guard_acquire");
  EXPECT_EQ(race.aux_stacks[1].frames[0].function, "__cxa_guard_release");
  EXPECT_EQ(race.aux_stacks[2].label.rfind("Allocation context: BSS section", 0), 0u);
}

TEST(DrdXml, HeapBlockKeepsItsAllocationContextStack) {
  // DRD puts the allocation stack in <allocation_context><stack>, after an auxwhat "Address ... at
  // offset N from ...": one aux entry with that label and the stack (here: make_shared's block).
  auto report = valgrind_xml(testing::testdata("valgrind/drd-shared-handoff.xml"));
  ASSERT_TRUE(report);
  const auto race = valgrind_findings(*report).at(0);
  const model::AuxStack* alloc = nullptr;
  for (const auto& aux : race.aux_stacks)
    if (aux.label.rfind("Address ", 0) == 0) {
      EXPECT_EQ(alloc, nullptr) << "the label must not also appear on its own";
      alloc = &aux;
    }
  ASSERT_NE(alloc, nullptr);
  EXPECT_NE(alloc->label.find("is at offset 8 from"), std::string::npos) << alloc->label;
  ASSERT_GE(alloc->frames.size(), 6u);
  EXPECT_EQ(alloc->frames[0].function, "operator new(unsigned long)");
  bool through_make_shared = false;
  for (const auto& f : alloc->frames)
    through_make_shared = through_make_shared || f.function.find(" std::make_shared<") != std::string::npos;
  EXPECT_TRUE(through_make_shared);
}

TEST(ValgrindKinds, ThreadToolsMapToSohoundKinds) {
  EXPECT_EQ(valgrind_kind("drd", "MutexErr"), "lock.mutex_error");
  EXPECT_EQ(valgrind_kind("helgrind", "UnlockBogus"), "lock.unlock_bogus");
  EXPECT_EQ(valgrind_kind("helgrind", "PthAPIerror"), "thread.api_error");
  EXPECT_EQ(valgrind_kind("drd", "Brand"), "drd.Brand");
  auto mutex = valgrind_xml(testing::testdata("valgrind/drd-mutexerr.xml"));
  ASSERT_TRUE(mutex);
  EXPECT_EQ(valgrind_findings(*mutex).at(0).kind, "lock.mutex_error");
}

}  // namespace
}  // namespace harness::parse

namespace harness::parse {
namespace {

// Found by fuzz_valgrind_xml: an <error> opened inside another error's <stack> replaced the record
// the open stack pointed into, and the next frame was written into freed memory. Each new record
// (and each record that ends) now closes the open stack; the frames after it go nowhere.
TEST(ValgrindXmlMalformed, ARecordOpenedInsideAStackDoesNotReceiveItsFrames) {
  const char* text =
      "<valgrindoutput><protocolversion>4</protocolversion>"
      "<error><unique>0x1</unique><kind>InvalidRead</kind><stack><frame><fn>a</fn></frame>"
      "<error><unique>0x2</unique><kind>InvalidRead</kind></error>"
      "<frame><fn>orphan</fn></frame></stack></error>"
      "<fatal_signal><stack><frame><fn>b</fn></frame><fatal_signal></fatal_signal><frame><fn>c</fn></frame></stack>"
      "</fatal_signal></valgrindoutput>";
  const auto report = valgrind_xml(text);
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->errors.empty());
  for (const auto& e : report->errors)
    for (const auto& f : e.stack) EXPECT_NE(f.function, "orphan");
}

}  // namespace
}  // namespace harness::parse
