#include "harness/aggregate/root_cause.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/judge.hpp"

#include <gtest/gtest.h>

namespace harness::aggregate {
namespace {

model::Finding leak(std::string kind, std::string fn, std::uint64_t bytes, std::string message = "") {
  model::Finding f;
  f.kind = std::move(kind);
  f.stack = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"}, {fn, "/src/jansson.c", 4, "/lib.so"}};
  f.bytes = bytes;
  f.blocks = 1;
  f.message = message.empty() ? std::to_string(bytes) + " bytes in 1 blocks" : message;
  f.fingerprint = fingerprint(f);
  return f;
}

// A read or write of a freed block, with memcheck's free and allocation stacks.
model::Finding after_free(std::string kind, std::string at, std::string freed_in = "json_delete") {
  model::Finding f;
  f.kind = std::move(kind);
  f.stack = {{at, "/src/app.c", 9, "/app"}};
  f.aux_stacks = {{"Address 0x4a4b044 is 4 bytes inside a block of size 16 free'd",
                   {{"free", "", 0, "vgpreload"}, {freed_in, "", 0, "/lib.so"}}},
                  {"Block was alloc'd at", {{"malloc", "", 0, "vgpreload"}, {"json_object", "", 0, "/lib.so"}}}};
  f.fingerprint = fingerprint(f);
  return f;
}

TEST(RootCause, ReadsTheIndirectBytesALeakRecordOwns) {
  EXPECT_EQ(indirect_bytes_owned("64 (32 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 4 of 5"), 32u);
  EXPECT_EQ(indirect_bytes_owned("48 (+48) (16 (+16) direct, 32 (+32) indirect) bytes in 1 (+1) blocks are definitely lost"), 32u)
      << "a delta leak check (batch mode) writes (+N) after each number";
  EXPECT_EQ(indirect_bytes_owned("2,048 (32 direct, 2,016 indirect) bytes in 1 blocks are definitely lost"), 2016u);
  EXPECT_EQ(indirect_bytes_owned("16 bytes in 1 blocks are definitely lost in loss record 1 of 5"), 0u);
}

TEST(RootCause, IndirectLeaksGoUnderTheDefiniteLeakThatOwnsThem) {
  // One missing json_decref: the object (definite) and five values it held (indirect).
  std::vector<model::Finding> findings = {
      leak("leak.definite", "json_object", 96, "96 (16 direct, 80 indirect) bytes in 1 blocks are definitely lost")};
  for (const char* fn : {"json_string", "json_integer", "json_array", "hashtable_init", "json_real"})
    findings.push_back(leak("leak.indirect", fn, 16));
  group_root_causes(findings, model::Tool::memcheck);
  EXPECT_TRUE(findings[0].root.empty());
  for (std::size_t i = 1; i < findings.size(); ++i) {
    EXPECT_EQ(findings[i].root, findings[0].fingerprint) << findings[i].stack[1].function;
    EXPECT_FALSE(is_failing(findings[i]));
  }
  EXPECT_TRUE(is_failing(findings[0]));
}

TEST(RootCause, IndirectLeaksNoDefiniteLeakOwnsStillFail) {
  // A reference cycle: only indirect records (memcheck and LSan alike). One entry, and it fails.
  for (auto tool : {model::Tool::memcheck, model::Tool::asan}) {
    std::vector<model::Finding> cycle = {leak("leak.indirect", "json_object", 16), leak("leak.indirect", "json_array", 48),
                                         leak("leak.indirect", "hashtable_init", 8)};
    group_root_causes(cycle, tool);
    EXPECT_TRUE(cycle[1].root.empty()) << "the largest record is the root";
    EXPECT_TRUE(is_failing(cycle[1]));
    EXPECT_EQ(cycle[0].root, cycle[1].fingerprint);
    EXPECT_EQ(cycle[2].root, cycle[1].fingerprint);
  }
  // A definite leak that owns less than the indirect records hold: some are a cycle. The definite
  // leak and the cycle are two roots; both fail.
  std::vector<model::Finding> mixed = {leak("leak.definite", "a", 32, "32 (16 direct, 16 indirect) bytes in 1 blocks"),
                                       leak("leak.indirect", "b", 16), leak("leak.indirect", "c", 64)};
  group_root_causes(mixed, model::Tool::memcheck);
  EXPECT_TRUE(is_failing(mixed[0]));
  EXPECT_TRUE(is_failing(mixed[2]));
  EXPECT_EQ(mixed[1].root, mixed[2].fingerprint);
}

TEST(RootCause, LeakSanitizerGroupsUnderTheFirstDirectLeak) {
  std::vector<model::Finding> findings = {leak("leak.indirect", "json_string", 16), leak("leak.definite", "json_object", 16),
                                          leak("leak.indirect", "json_integer", 16)};
  group_root_causes(findings, model::Tool::asan);
  EXPECT_EQ(findings[0].root, findings[1].fingerprint);
  EXPECT_EQ(findings[2].root, findings[1].fingerprint);
  EXPECT_TRUE(findings[1].root.empty());
}

TEST(RootCause, ErrorsOnOneFreedBlockFollowTheFirst) {
  std::vector<model::Finding> findings = {after_free("mem.invalid_read", "use_once"), after_free("mem.invalid_read", "use_twice"),
                                          after_free("mem.invalid_write", "store"), after_free("mem.invalid_free", "free_again"),
                                          after_free("mem.invalid_read", "other_block", "cache_evict")};
  group_root_causes(findings, model::Tool::memcheck);
  EXPECT_TRUE(findings[0].root.empty());
  for (std::size_t i = 1; i < 4; ++i) EXPECT_EQ(findings[i].root, findings[0].fingerprint) << i;
  EXPECT_TRUE(findings[4].root.empty()) << "another free stack: another block, another root";
  // A bad access with no freed block (an overflow) is never grouped.
  model::Finding overflow;
  overflow.kind = "mem.invalid_read";
  overflow.aux_stacks = {{"Address 0x4d6fca8 is 0 bytes after a block of size 40 alloc'd", {{"f", "", 0, ""}}}};
  EXPECT_EQ(freed_block(overflow), "");
}

TEST(RootCause, FollowOnsNeverFailAJobOnTheirOwn) {
  model::JobResult job;
  job.tool = model::Tool::memcheck;
  job.findings = {leak("leak.definite", "json_object", 32, "32 (16 direct, 16 indirect) bytes in 1 blocks"),
                  leak("leak.indirect", "json_string", 16)};
  model::Expectation e;
  e.kind = "leak.definite";
  judge(job, {e});
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::expected);
  EXPECT_EQ(job.findings[1].status, model::FindingStatus::new_finding);
  EXPECT_EQ(job.findings[1].root, job.findings[0].fingerprint);
  EXPECT_TRUE(job.passed) << "the expected leak's indirect memory is part of it";
  // Judging again (cached findings are judged each run) gives the same answer.
  judge(job, {e});
  EXPECT_EQ(job.findings[1].root, job.findings[0].fingerprint);
  EXPECT_TRUE(job.passed);
}

}  // namespace
}  // namespace harness::aggregate
