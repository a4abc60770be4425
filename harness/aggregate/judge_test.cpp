#include "harness/aggregate/judge.hpp"
#include "harness/aggregate/baseline.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/model/run_summary.hpp"

#include <gtest/gtest.h>

#include <filesystem>

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

// `coroutine:` expects a finding that names a coroutine: a leaked frame's, or one running on an
// access stack, with or without its parameters (aggregate/coroutines names them).
TEST(Judge, ACoroutineExpectationMatchesTheCoroutineTheFindingNames) {
  model::JobResult job;
  auto frame = leak("leak.definite", "(anonymous namespace)::count_down(int)");
  frame.leaked_coroutine = model::LeakedCoroutine{"(anonymous namespace)::count_down(int)", "/src/c.cpp", 9, "", "", 0, ""};
  auto plain = leak("leak.definite", "make_label");
  model::Finding race;
  race.kind = "race.data";
  race.stack = {{"add_orders() [clone .resume]", "/src/a.cpp", 25, "/out/driver"}};
  race.coroutines = {"(anonymous namespace)::add_orders()", "(anonymous namespace)::add_refunds()"};
  job.findings = {frame, plain, race};
  auto by_coroutine = [](std::string kind, std::string coroutine) {
    auto e = expect(std::move(kind));
    e.coroutine = std::move(coroutine);
    return e;
  };
  judge(job, {by_coroutine("leak.definite", "count_down"), by_coroutine("race.data", "add_refunds"),
              by_coroutine("leak.definite", "squares")});
  ASSERT_EQ(job.findings.size(), 3u);
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::expected);
  EXPECT_EQ(job.findings[0].expected_by, "leak.definite of coroutine count_down");
  EXPECT_EQ(job.findings[1].status, model::FindingStatus::new_finding) << "not a coroutine's frame";
  EXPECT_EQ(job.findings[2].status, model::FindingStatus::expected);
  EXPECT_EQ(job.unmatched_expectations, (std::vector<std::string>{"leak.definite of coroutine squares"}));
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

// A known crash in the baseline (its signature: outcome, feature, tool, signal, top frame) does
// not fail; the same crash at another frame, another outcome, or one that now also has a new
// finding, does. A lost report is never a known failure.
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

// A known crash in the baseline (its signature: outcome, feature, tool, signal, top frame) does
// not fail; the same crash at another frame, another outcome, or one that now also has a new
// finding, does. A lost report is never a known failure.
TEST(Judge, ABaselineCoversAKnownCrashAndNotAChangedOne) {
  auto crashed = [](std::string top) {
    model::JobResult job;
    job.suite = "s";
    job.feature = "parse";
    job.tool = model::Tool::asan;
    job.outcome = model::JobOutcome::crashed;
    job.signal = 0;
    job.exit_code = 86;
    job.message = "asan caught SEGV";
    model::Finding crash;
    crash.kind = "crash.signal";
    crash.tool_kind = "SEGV";
    crash.message = "SEGV on unknown address 0x000000000000";
    crash.stack = {{"__interceptor_strlen", "", 0, "libasan.so.8"},
                   {top, "/src/p.c", 9, "/out/lib.so"},
                   {"feature_parse", "/src/s.yaml", 4, "/out/driver"},
                   {"sohound_body_thread", "", 0, "/out/driver"}};
    job.findings = {crash};
    return job;
  };
  const auto known = crashed("parse_header");
  EXPECT_EQ(job_signature(known), "crashed s/parse asan status=86 parse_header");
  const std::set<std::string> jobs = {job_signature(known)};
  const std::set<std::string> fingerprints = {fingerprint(known.findings[0])};
  JudgeContext context;
  context.baseline = &fingerprints;
  context.baseline_jobs = &jobs;

  auto same = crashed("parse_header");
  judge(same, context);
  EXPECT_TRUE(same.passed);
  EXPECT_TRUE(same.baselined);
  EXPECT_EQ(same.outcome, model::JobOutcome::crashed) << "the outcome is kept, and shown";

  auto moved = crashed("parse_body");
  judge(moved, context);
  EXPECT_FALSE(moved.passed) << "a crash at another frame is a new one";
  EXPECT_FALSE(moved.baselined);

  auto timed_out = crashed("parse_header");
  timed_out.outcome = model::JobOutcome::timeout;
  judge(timed_out, context);
  EXPECT_FALSE(timed_out.passed) << "another outcome is a change";

  auto with_new = crashed("parse_header");
  with_new.findings.push_back(leak("leak.definite", "make_label"));
  judge(with_new, context);
  EXPECT_FALSE(with_new.passed) << "a new finding still fails the known crash's job";

  auto lost = crashed("parse_header");
  lost.outcome = model::JobOutcome::report_lost;
  const std::set<std::string> lost_jobs = {job_signature(lost)};
  context.baseline_jobs = &lost_jobs;
  judge(lost, context);
  EXPECT_FALSE(lost.passed) << "a run without its proof is never known-good";
}

// A library's allocation wrapper named in the spec (`allocators:`) is skipped like malloc: the bug
// is titled, and fingerprinted, by the code that leaked.
TEST(Judge, AllocationWrappersAreSkippedInTitlesAndFingerprints) {
  auto leak_via = [](std::string caller) {
    model::Finding f;
    f.kind = "leak.definite";
    f.stack = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"},
               {"jsonp_malloc", "/src/memory.c", 29, "/lib/libjansson.so"},
               {caller, "/src/value.c", 40, "/lib/libjansson.so"},
               {"feature_x", "/src/s.yaml", 3, "/out/driver"}};
    return f;
  };
  model::JobResult plain;
  plain.findings = {leak_via("json_object"), leak_via("json_string")};
  judge(plain, JudgeContext{});
  JudgeContext context;
  context.allocators = {"jsonp_*"};
  model::JobResult wrapped;
  wrapped.findings = plain.findings;
  for (auto& f : wrapped.findings) f.fingerprint.clear();
  judge(wrapped, context);
  ASSERT_EQ(wrapped.findings.size(), 2u);
  EXPECT_TRUE(wrapped.findings[0].stack[1].allocator);
  EXPECT_FALSE(wrapped.findings[0].stack[2].allocator);
  EXPECT_EQ(fingerprint_frames(wrapped.findings[0].stack)[0], "json_object") << "titled by the code that leaked";
  EXPECT_EQ(fingerprint_frames(plain.findings[0].stack)[0], "jsonp_malloc");
  EXPECT_NE(wrapped.findings[0].fingerprint, plain.findings[0].fingerprint);
  // Only at the top of the allocation: the same name deeper in a stack is code like any other.
  std::vector<model::Frame> deeper = {
      {"malloc", "", 0, "libc.so.6"}, {"make", "", 0, "/lib/l.so"}, {"jsonp_malloc", "", 0, "/lib/l.so"}};
  mark_allocators(deeper, {"jsonp_malloc"});
  EXPECT_FALSE(deeper[2].allocator);
}

TEST(Baseline, WritesAndReadsKnownJobFailures) {
  model::RunSummary summary;
  model::JobResult crash;
  crash.suite = "s";
  crash.feature = "f";
  crash.tool = model::Tool::drd;
  crash.outcome = model::JobOutcome::tool_failed;
  crash.passed = false;
  crash.exit_code = 1;
  crash.message = "drd failed its own assertion";
  model::JobResult fine;
  fine.suite = "s";
  fine.feature = "g";
  summary.jobs = {crash, fine};
  const auto path = std::filesystem::temp_directory_path() / "sohound-baseline-jobs-test.json";
  ASSERT_TRUE(write_baseline(summary, path.string()));
  const auto read = load_baseline(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->jobs, std::set<std::string>{"tool_failed s/f drd status=1 -"});
}

}  // namespace
}  // namespace harness::aggregate
