// The sandbox (issue 19, item 4): fixture e2e.sandbox.run runs tests/e2e/specs/sandbox.yaml with
// --sandbox on and a result cache of its own. A feature that writes outside its job folder, into
// --out or into the cache fails to (a write that succeeds ends the feature with abort(), which
// would show as `crashed`), nothing appears there, and the verdicts are the usual ones.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace e2e {
namespace {

namespace fs = std::filesystem;

const std::string k_run = "sandbox";
std::string out_dir() { return std::string(SOHOUND_E2E_OUT) + "/sandbox"; }
std::string cache_dir() { return std::string(SOHOUND_E2E_OUT) + "/sandbox-cache"; }
std::string outside_dir() { return std::string(SOHOUND_E2E_OUT) + "/sandbox-outside"; }

const json& job_of(const std::string& feature, const std::string& tool) {
  const auto* j = job(k_run, feature, tool);
  if (!j) throw std::runtime_error("no job " + feature + "/" + tool + " in the sandbox run");
  return *j;
}

TEST(Sandbox, RunSaysItWasOnForEveryJob) {
  const auto& r = results(k_run);
  ASSERT_TRUE(r.contains("sandbox")) << r.dump().substr(0, 400);
  EXPECT_EQ(r["sandbox"]["on"], true) << r["sandbox"].dump();
  EXPECT_EQ(r["sandbox"]["engine"], "bubblewrap");
  ASSERT_EQ(r["jobs"].size(), 14u);
  for (const auto& j : r["jobs"]) EXPECT_EQ(j["sandboxed"], true) << j["feature"] << "/" << j["tool"];
}

class Refused : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(Refused, WriteFailsAndTheJobIsClean) {
  const auto& [feature, tool] = GetParam();
  const auto& j = job_of(feature, tool);
  EXPECT_EQ(j["outcome"], "ok") << j["message"] << "\n" << j["log"];
  EXPECT_EQ(j["findings"].size(), 0u) << frames_of(j);
  EXPECT_EQ(j["passed"], true);
}

INSTANTIATE_TEST_SUITE_P(Features, Refused,
                         ::testing::Combine(::testing::Values("writes_outside_its_folder", "writes_into_out", "writes_into_cache",
                                                              "writes_its_own_folder"),
                                            ::testing::Values("memcheck", "asan")),
                         [](const auto& row) { return std::get<0>(row.param) + "_" + std::get<1>(row.param); });

TEST(Sandbox, NothingReachedTheFoldersItMustNotWrite) {
  EXPECT_FALSE(fs::exists(outside_dir() + "/escaped.txt"));
  EXPECT_FALSE(fs::exists(out_dir() + "/planted.txt"));
  EXPECT_FALSE(fs::exists(out_dir() + "/build/planted.txt"));
  EXPECT_FALSE(fs::exists(cache_dir() + "/planted.txt"));
  EXPECT_FALSE(fs::exists(cache_dir() + "/v2/planted.txt"));
  // results.json is Sohound's: the run failed (a leak, a crash), the forged one said exit 0.
  EXPECT_EQ(results(k_run)["exit_code"], 1);
  // The cache holds the entries of this run (the features could not read its key to forge one).
  EXPECT_TRUE(fs::exists(cache_dir() + "/v2/key"));
}

TEST(Sandbox, VerdictsAreTheUsualOnes) {
  for (const std::string tool : {"memcheck", "asan"}) {
    SCOPED_TRACE(tool);
    const auto& leak = job_of("leaks_one_block", tool);
    EXPECT_EQ(leak["outcome"], "ok");
    EXPECT_NE(finding(leak, "leak.definite", "feature_leaks_one_block"), nullptr) << frames_of(leak);
    EXPECT_EQ(leak["passed"], false);
    // A crash inside bubblewrap is still a signal (bwrap alone would say exit status 139).
    const auto& crash = job_of("crashes_with_segv", tool);
    EXPECT_EQ(crash["outcome"], "crashed");
    EXPECT_NE(finding(crash, "crash.signal", "feature_crashes_with_segv"), nullptr) << frames_of(crash);
    // ...and an exit status of 139 is an exit status, not a SIGSEGV.
    const auto& exit139 = job_of("exits_with_139", tool);
    EXPECT_EQ(exit139["exit_code"], 139) << exit139.dump().substr(0, 600);
    EXPECT_EQ(exit139["signal"], 0);
    EXPECT_NE(std::string(exit139["message"]).find("exited with status 139"), std::string::npos) << exit139["message"];
  }
}

}  // namespace
}  // namespace e2e
