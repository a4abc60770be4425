// Job outcomes with the real tools: build failures, crashes, timeouts, odd exit statuses,
// unexpected findings and expectations that no longer hold. One broken feature never stops the
// others.
#include "e2e_support.hpp"

namespace e2e {
namespace {

constexpr const char* k_run = "outcomes";

const json& must_job(const std::string& feature, const std::string& tool) {
  const auto* j = job(k_run, feature, tool);
  if (!j) throw std::runtime_error("no job " + feature + "/" + tool);
  return *j;
}

TEST(OutcomesE2E, RunFailsAndSaysSo) {
  EXPECT_EQ(results(k_run)["exit_code"], 1);
  EXPECT_EQ(results(k_run)["jobs"].size(), 14u);
}

TEST(OutcomesE2E, BuildErrorPointsIntoTheSpecAndOthersStillRun) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = must_job("build_error", tool);
    EXPECT_EQ(j["outcome"], "build_failed");
    EXPECT_FALSE(j["passed"].get<bool>());
    EXPECT_NE(j["log"].get<std::string>().find("outcomes.yaml:12:9: error: expected expression"), std::string::npos) << j["log"];
    EXPECT_EQ(must_job("clean", tool)["outcome"], "ok");
    EXPECT_TRUE(must_job("clean", tool)["passed"].get<bool>());
  }
}

TEST(OutcomesE2E, SegfaultIsACrashWithItsStack) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = must_job("crash_segv", tool);
    EXPECT_EQ(j["outcome"], "crashed") << tool;
    EXPECT_NE(finding(j, "crash.signal", "feature_crash_segv"), nullptr) << tool << "\n" << frames_of(j);
  }
  EXPECT_NE(must_job("crash_segv", "memcheck")["message"].get<std::string>().find("SIGSEGV"), std::string::npos);
}

TEST(OutcomesE2E, HangIsStoppedAtTheToolScaledTimeout) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = must_job("hang", tool);
    EXPECT_EQ(j["outcome"], "timeout") << tool;
    EXPECT_LT(j["duration_s"].get<double>(), 30.0);
  }
  // 0.1 s native x20 for memcheck; the grace period lets valgrind finish its report.
  EXPECT_NE(must_job("hang", "memcheck")["message"].get<std::string>().find("stopped after 2.0 s"), std::string::npos);
}

// The driver runtime's own threads, allocations and the signal Sohound sends at a timeout are never
// findings: after a crash only the feature's own reports (no leak.possible in the runner thread's
// DTV), after a timeout nothing (no crash.signal SIGTERM at the main thread's pthread_join).
TEST(OutcomesE2E, HarnessArtifactsAreNeverFindings) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& crash = must_job("crash_segv", tool);
    ASSERT_FALSE(crash["findings"].empty()) << tool;
    for (const auto& f : crash["findings"]) {
      EXPECT_EQ(f["stack"][0]["function"], "feature_crash_segv") << tool << "\n" << frames_of(crash);
      EXPECT_NE(f["kind"].get<std::string>().rfind("leak.", 0), 0u) << tool << "\n" << frames_of(crash);
    }
    EXPECT_TRUE(must_job("hang", tool)["findings"].empty()) << tool << "\n" << frames_of(must_job("hang", tool));
  }
}

TEST(OutcomesE2E, UnexpectedExitStatusIsAFailure) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = must_job("exit_status", tool);
    EXPECT_EQ(j["outcome"], "crashed");
    EXPECT_EQ(j["exit_code"], 3);
    EXPECT_EQ(j["message"], "the driver exited with status 3 (the feature ended the process before the driver finished it)");
  }
}

TEST(OutcomesE2E, UnexpectedLeakFailsWithTheFeatureFrame) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = must_job("unexpected_leak", tool);
    EXPECT_EQ(j["outcome"], "ok");
    EXPECT_FALSE(j["passed"].get<bool>());
    const auto* f = finding(j, "leak.definite", "feature_unexpected_leak");
    ASSERT_NE(f, nullptr) << tool << "\n" << frames_of(j);
    EXPECT_EQ((*f)["status"], "new");
    EXPECT_EQ((*f)["bytes"], 40);
  }
}

TEST(OutcomesE2E, ExpectationNoLongerFoundIsReportedButPasses) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = must_job("no_longer_found", tool);
    EXPECT_TRUE(j["passed"].get<bool>());
    ASSERT_EQ(j["unmatched_expectations"].size(), 1u);
    EXPECT_EQ(j["unmatched_expectations"][0], "leak.definite in feature_no_longer_found");
  }
}

}  // namespace
}  // namespace e2e
