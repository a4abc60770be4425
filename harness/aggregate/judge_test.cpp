#include "harness/aggregate/judge.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/model/run_summary.hpp"

#include <gtest/gtest.h>

namespace harness::aggregate {
namespace {

model::Finding leak(std::string kind, std::string fn, std::uint64_t bytes = 16) {
  model::Finding f;
  f.kind = std::move(kind);
  f.stack = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"}, {fn, "/src/lib.c", 4, "/lib.so"}};
  f.bytes = bytes;
  f.blocks = 1;
  return f;
}

model::Expectation expect(std::string kind, std::string fn = "", std::optional<model::Tool> tool = std::nullopt) {
  model::Expectation e;
  e.kind = std::move(kind);
  e.function = std::move(fn);
  e.tool = tool;
  return e;
}

TEST(Judge, RepeatsOfOneFindingMergeWithCounts) {
  model::JobResult job;
  job.findings = {leak("leak.definite", "make_label", 16), leak("leak.definite", "make_label(int)", 32),
                  leak("leak.definite", "other")};
  judge(job, std::vector<model::Expectation>{});
  ASSERT_EQ(job.findings.size(), 2u);
  EXPECT_EQ(job.findings[0].count, 2u);
  EXPECT_EQ(job.findings[0].bytes, 48u);
  EXPECT_EQ(job.findings[0].blocks, 2u);
  EXPECT_FALSE(job.passed);
}

TEST(Judge, ExpectedFindingsDoNotFail) {
  model::JobResult job;
  job.findings = {leak("leak.definite", "make_label")};
  judge(job, {expect("leak.*", "make_*")});
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::expected);
  EXPECT_EQ(job.findings[0].expected_by, "leak.* in make_*");
  EXPECT_TRUE(job.passed);
  EXPECT_TRUE(job.unmatched_expectations.empty());
}

TEST(Judge, ExpectationMustMatchFunctionAndTool) {
  model::JobResult job;
  job.tool = model::Tool::asan;
  job.findings = {leak("leak.definite", "make_label")};
  judge(job, {expect("leak.definite", "other_fn"), expect("leak.definite", "", model::Tool::memcheck)});
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::new_finding);
  EXPECT_FALSE(job.passed);
  EXPECT_EQ(job.unmatched_expectations, (std::vector<std::string>{"leak.definite in other_fn"}))
      << "an expectation for another tool is not 'no longer found' here";
}

// A stripped library's frames have no name: "obj:GLOB" names them by their object (issue 21).
TEST(Judge, AnObjectPatternExpectsAFindingInAStrippedLibrary) {
  model::JobResult job;
  job.tool = model::Tool::drd;
  model::Finding race;
  race.kind = "race.data";
  race.stack = {{"???", "", 0, "/usr/lib/x86_64-linux-gnu/liblmdb.so.0.0.0"}, {"feature_readers", "/s.yaml", 3, "driver"}};
  job.findings = {race};
  judge(job, {expect("race.data", "obj:*liblmdb.so*")});
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::expected);
  EXPECT_TRUE(job.passed);
  model::JobResult other;
  other.tool = model::Tool::drd;
  other.findings = {race};
  judge(other, {expect("race.data", "obj:*libarchive.so*")});
  EXPECT_EQ(other.findings[0].status, model::FindingStatus::new_finding);
}

TEST(Judge, EveryExpectationThatDescribesAFindingHasFoundIt) {
  // The finding's stack holds both functions: the first entry must not consume it for the second.
  model::JobResult job;
  auto f = leak("leak.definite", "make_label");
  f.stack.push_back({"build_labels", "/src/lib.c", 9, "/lib.so"});
  job.findings = {f};
  judge(job, {expect("leak.definite", "make_label"), expect("leak.*", "build_labels"), expect("leak.definite", "unrelated")});
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::expected);
  EXPECT_EQ(job.findings[0].expected_by, "leak.definite in make_label") << "the first entry names it";
  EXPECT_EQ(job.unmatched_expectations, (std::vector<std::string>{"leak.definite in unrelated"}));
}

TEST(Judge, ReachableIsAWarningAndNeverFails) {
  model::JobResult job;
  job.findings = {leak("leak.reachable", "init_cache")};
  judge(job, std::vector<model::Expectation>{});
  EXPECT_EQ(job.findings[0].severity, model::Severity::warning);
  EXPECT_TRUE(job.passed);
}

TEST(Judge, NoLongerFoundIsReportedButDoesNotFail) {
  model::JobResult job;
  judge(job, {expect("mem.invalid_read", "read_past_end")});
  EXPECT_TRUE(job.passed);
  EXPECT_EQ(job.unmatched_expectations, (std::vector<std::string>{"mem.invalid_read in read_past_end"}));
}

TEST(Judge, KindsAToolCannotSeeAreNotNoLongerFound) {
  model::JobResult job;
  job.tool = model::Tool::asan;
  judge(job, {expect("mem.uninit", "f"), expect("leak.possible")});
  EXPECT_TRUE(job.unmatched_expectations.empty());
}

TEST(Judge, FailedJobsFailWhateverTheirFindings) {
  model::JobResult job;
  job.outcome = model::JobOutcome::crashed;
  judge(job, {expect("leak.definite")});
  EXPECT_FALSE(job.passed);
  EXPECT_TRUE(job.unmatched_expectations.empty()) << "a crashed job says nothing about what is no longer found";
}

TEST(ExitCode, FindingsBeatInfrastructureAndInterruptions) {
  model::RunSummary summary;
  summary.jobs.resize(2);
  EXPECT_EQ(model::exit_code(summary), 0);
  summary.jobs[0].passed = false;
  summary.jobs[0].outcome = model::JobOutcome::tool_failed;
  EXPECT_EQ(model::exit_code(summary), 3);
  summary.jobs[1].passed = false;
  summary.jobs[1].outcome = model::JobOutcome::ok;
  EXPECT_EQ(model::exit_code(summary), 1);
  summary.jobs[1].passed = true;
  summary.interrupted = true;
  EXPECT_EQ(model::exit_code(summary), 130);
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {

TEST(Judge, ABaselineOfRecipeOneMatchesByThatRecipe) {
  model::JobResult job;
  job.findings = {leak("leak.definite", "make_label")};
  const std::set<std::string> old_baseline = {fingerprint_v1(job.findings[0])};
  JudgeContext context;
  context.baseline = &old_baseline;
  context.baseline_v1 = true;
  judge(job, context);
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::baseline);
  EXPECT_TRUE(job.passed);
  // Read as a recipe-2 baseline it matches nothing: the keys differ.
  model::JobResult again;
  again.findings = {leak("leak.definite", "make_label")};
  context.baseline_v1 = false;
  judge(again, context);
  EXPECT_EQ(again.findings[0].status, model::FindingStatus::new_finding);
}

}  // namespace
}  // namespace harness::aggregate
