// Suppressions, baselines, policy and native suppression files, through the real binary.
#include "e2e_support.hpp"

#include <filesystem>

namespace e2e {
namespace {

namespace fs = std::filesystem;
const std::string k_specs = std::string(SOHOUND_SOURCE_DIR) + "/tests/e2e/specs/";
const std::string k_out = std::string(SOHOUND_E2E_OUT) + "/policy";

TEST(BaselineE2E, WriteThenRunAgainstIt) {
  const auto baseline = k_out + "/baseline.json";
  fs::create_directories(k_out);
  auto first =
      run_sohound("run --no-progress --out " + k_out + "/b1 --write-baseline " + baseline + " " + k_specs + "leaky.yaml");
  EXPECT_EQ(first.exit_code, 1) << first.text;
  std::ifstream in(baseline);
  const auto b = json::parse(in);
  EXPECT_EQ(b["schema"], "sohound.baseline/1");
  ASSERT_EQ(b["findings"].size(), 1u) << "memcheck and ASan see one bug: one fingerprint";
  EXPECT_EQ(b["findings"][0]["kind"], "leak.definite");

  auto second = run_sohound("run --no-progress --out " + k_out + "/b2 --baseline " + baseline + " " + k_specs + "leaky.yaml");
  EXPECT_EQ(second.exit_code, 0) << second.text;
  const auto results_1 = read_results(k_out + "/b2");
  for (const auto& j : results_1["jobs"]) {
    ASSERT_EQ(j["findings"].size(), 1u);
    EXPECT_EQ(j["findings"][0]["status"], "baseline");
  }
}

// A known crash, in the baseline by its signature, does not fail the run; the same crash moved to
// another function does (issue 21: adopting Sohound on code with one known crash).
TEST(BaselineE2E, AKnownCrashIsCoveredAndAChangedOneIsNot) {
  const auto dir = k_out + "/crash";
  fs::create_directories(dir);
  auto spec = [&](const std::string& function) {
    const auto path = dir + "/crash-" + function + ".yaml";
    std::ofstream(path) << "suite: known_crash\nincludes: [stdlib.h]\ntools: [memcheck, asan, ubsan]\n"
                           "globals: |\n  static void "
                        << function
                        << "(volatile int *p) { *p = 1; }\n"
                           "features:\n  - name: crash\n    code: |\n      "
                        << function << "(NULL);\n  - name: fine\n    code: free(malloc(4));\n";
    return path;
  };
  const auto baseline = dir + "/baseline.json";
  auto first =
      run_sohound("run --no-progress --no-cache --out " + dir + "/r1 --write-baseline " + baseline + " " + spec("store"));
  EXPECT_EQ(first.exit_code, 1) << first.text;
  const auto b = json::parse(slurp(baseline));
  ASSERT_EQ(b["jobs"].size(), 3u) << b.dump(2);
  for (const auto& j : b["jobs"]) EXPECT_EQ(j["outcome"], "crashed");

  auto second = run_sohound("run --no-progress --no-cache --out " + dir + "/r2 --baseline " + baseline + " " + spec("store"));
  EXPECT_EQ(second.exit_code, 0) << second.text;
  for (const auto& j : read_results(dir + "/r2")["jobs"]) {
    if (j["feature"] != "crash") continue;
    EXPECT_EQ(j["outcome"], "crashed") << j["tool"];
    EXPECT_TRUE(j["passed"].get<bool>()) << j["tool"];
    EXPECT_TRUE(j.value("baselined", false)) << j["tool"];
  }
  EXPECT_NE(second.text.find("a known failure, in the baseline"), std::string::npos) << second.text;

  auto third = run_sohound("run --no-progress --no-cache --out " + dir + "/r3 --baseline " + baseline + " " + spec("poke"));
  EXPECT_EQ(third.exit_code, 1) << "the crash moved to another function: a new one\n" << third.text;
}

TEST(SuppressionsE2E, SuggestedSuppressionsHideExactlyThoseFindings) {
  fs::create_directories(k_out);
  auto run = run_sohound("run --no-progress --out " + k_out + "/s1 " + k_specs + "leaky.yaml");
  ASSERT_EQ(run.exit_code, 1) << run.text;
  const auto file = k_out + "/suggested.yaml";
  auto suggest = run_sohound("suppressions " + k_out + "/s1/results.json -o " + file);
  ASSERT_EQ(suggest.exit_code, 0) << suggest.text;
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(text.find("kind: leak.definite"), std::string::npos) << text;
  EXPECT_NE(text.find("tools: [memcheck, asan]\n    frames: [keep_forever, ..., feature_leaks]\n"), std::string::npos)
      << "one entry for the bug both tools saw, down to the feature that leaked\n"
      << text;
  EXPECT_EQ(text.find("0x"), std::string::npos) << "no addresses in suggestions";

  auto again = run_sohound("run --no-progress --out " + k_out + "/s2 --suppressions " + file + " " + k_specs + "leaky.yaml");
  EXPECT_EQ(again.exit_code, 0) << again.text;
  const auto results_2 = read_results(k_out + "/s2");
  for (const auto& j : results_2["jobs"]) {
    ASSERT_EQ(j["findings"].size(), 1u);
    EXPECT_EQ(j["findings"][0]["status"], "suppressed");
  }
}

// The suggestion narrowed to what the user means (issue 21): one tool, one kind, one feature.
TEST(SuppressionsE2E, FiltersNarrowTheSuggestionsToTheFindingsAsked) {
  fs::create_directories(k_out + "/filters");
  auto run = run_sohound("run --no-progress --out " + k_out + "/filters/out " + k_specs + "leaky.yaml");
  ASSERT_EQ(run.exit_code, 1) << run.text;
  const auto results_file = k_out + "/filters/out/results.json";
  auto asan = run_sohound("suppressions " + results_file + " --tool asan --kind 'leak.*' --feature 'leaky/leak*'");
  EXPECT_EQ(asan.exit_code, 0) << asan.text;
  EXPECT_NE(asan.text.find("tools: [asan]\n    frames: [keep_forever, ..., feature_leaks]\n"), std::string::npos) << asan.text;
  EXPECT_EQ(asan.text.find("memcheck"), std::string::npos) << asan.text;
  EXPECT_NE(asan.text.find("1 suppression suggested"), std::string::npos) << asan.text;
  const auto results = read_results(k_out + "/filters/out");
  const std::string fingerprint = results["jobs"][0]["findings"][0]["fingerprint"];
  auto by_fingerprint = run_sohound("suppressions " + results_file + " --fingerprint " + fingerprint);
  EXPECT_NE(by_fingerprint.text.find("1 suppression suggested"), std::string::npos) << by_fingerprint.text;
  auto none = run_sohound("suppressions " + results_file + " --kind 'race.*'");
  EXPECT_EQ(none.exit_code, 0) << none.text;
  EXPECT_NE(none.text.find("0 suppressions suggested: no failing finding of " + results_file + " matches the filters"),
            std::string::npos)
      << none.text;
  auto bad_tool = run_sohound("suppressions " + results_file + " --tool asna");
  EXPECT_EQ(bad_tool.exit_code, 2) << bad_tool.text;
}

// A baseline written before fingerprint recipe 2 (no fingerprint_recipe; recipe 1's key of the
// leak, as docs/results.md shows it) still holds the leak, with a note saying how it was read.
TEST(BaselineE2E, ARecipeOneBaselineIsStillRead) {
  fs::create_directories(k_out + "/v1");
  std::ofstream(k_out + "/v1/baseline.json")
      << R"({"schema": "sohound.baseline/1", "findings": [{"fingerprint": "6441e108e8712f33", "kind": "leak.definite"}]})";
  auto run = run_sohound("run --no-progress --report json --baseline " + k_out + "/v1/baseline.json --out " + k_out + "/v1/out " +
                         k_specs + "leaky.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.text;
  EXPECT_NE(run.text.find("holds fingerprints of recipe sohound.fp/1"), std::string::npos) << run.text;
  const auto results_3 = read_results(k_out + "/v1/out");
  for (const auto& j : results_3["jobs"]) {
    ASSERT_EQ(j["findings"].size(), 1u);
    EXPECT_EQ(j["findings"][0]["status"], "baseline") << j["tool"];
    EXPECT_NE(j["findings"][0]["fingerprint"], "6441e108e8712f33") << "results carry recipe 2's key";
  }
  std::ofstream(k_out + "/v1/future.json")
      << R"({"schema": "sohound.baseline/1", "fingerprint_recipe": "sohound.fp/9", "findings": []})";
  auto future = run_sohound("run --no-progress --baseline " + k_out + "/v1/future.json --out " + k_out + "/v1/out2 " + k_specs +
                            "leaky.yaml");
  EXPECT_EQ(future.exit_code, 2);
  EXPECT_NE(future.text.find("fingerprint_recipe \"sohound.fp/9\" is not one this Sohound computes"), std::string::npos)
      << future.text;
}

// One suggested entry over findings of several features may hide more than one bug: it says so.
// A leak's entry never does: it reaches down to the feature that leaked, one entry per feature.
TEST(SuppressionsE2E, SuggestionSpanningSeveralFeaturesWarns) {
  fs::create_directories(k_out + "/span");
  std::ofstream(k_out + "/span/span.yaml")
      << "suite: span\nincludes: [stdlib.h]\ntools: [memcheck]\n"
         "globals: |\n  static void *leak_it(void) { return malloc(8); }\n"
         "  __attribute__((noinline)) static int read_past(void) { int *p = malloc(4); int v = p[1]; free(p); return v; }\n"
         "features:\n  - name: one\n    code: leak_it(); (void)read_past();\n"
         "  - name: two\n    code: leak_it(); (void)read_past();\n";
  auto run = run_sohound("run --no-progress --out " + k_out + "/span/out " + k_out + "/span/span.yaml");
  ASSERT_EQ(run.exit_code, 1) << run.text;
  auto suggest = run_sohound("suppressions " + k_out + "/span/out/results.json -o " + k_out + "/span/s.yaml");
  EXPECT_EQ(suggest.exit_code, 0) << suggest.text;
  EXPECT_NE(suggest.text.find("would hide 1 finding of 2 features (span/one, span/two)"), std::string::npos) << suggest.text;
  const auto written = slurp(k_out + "/span/s.yaml");
  EXPECT_NE(written.find("frames: [leak_it, ..., feature_one]"), std::string::npos) << written;
  EXPECT_NE(written.find("frames: [leak_it, ..., feature_two]"), std::string::npos) << written;
}

TEST(SuppressionsE2E, UnmatchedSuppressionsAreReported) {
  const auto file = k_out + "/unmatched.yaml";
  fs::create_directories(k_out);
  std::ofstream(file) << "- {name: nothing-like-this, kind: race.data, frames: [no_such_function]}\n";
  auto run = run_sohound("run --no-progress --out " + k_out + "/u1 --suppressions " + file + " " + k_specs + "leaky.yaml");
  EXPECT_NE(run.text.find("suppression 'nothing-like-this' (" + file + ":1) matched nothing"), std::string::npos) << run.text;
}

TEST(SuppressionsE2E, BadSuppressionFilePointsAtTheText) {
  const auto file = k_out + "/bad.yaml";
  fs::create_directories(k_out);
  std::ofstream(file) << "- {kind: leak.definite, frame: [x]}\n";
  auto run = run_sohound("run --no-progress --out " + k_out + "/bad --suppressions " + file + " " + k_specs + "leaky.yaml");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.text.find(file + ":1:25: unknown key 'frame' in suppression; did you mean 'frames'?"), std::string::npos)
      << run.text;
}

TEST(PolicyE2E, SeverityOverridesPerSuiteAndFeature) {
  auto run = run_sohound("run --no-progress --out " + k_out + "/p1 " + k_specs + "policy.yaml");
  EXPECT_EQ(run.exit_code, 1) << run.text;
  const auto r = read_results(k_out + "/p1");
  for (const auto& j : r["jobs"]) {
    ASSERT_EQ(j["findings"].size(), 1u);
    if (j["feature"] == "leaks") {
      EXPECT_EQ(j["findings"][0]["severity"], "warning");
      EXPECT_TRUE(j["passed"].get<bool>());
    } else {
      EXPECT_EQ(j["findings"][0]["severity"], "error") << "the feature's policy wins over the suite's";
      EXPECT_FALSE(j["passed"].get<bool>());
    }
  }
}

TEST(NativeSuppressionsE2E, ToolFilesArePassedThrough) {
  auto run = run_sohound("run --no-progress --out " + k_out + "/n1 " + k_specs + "native.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.text;
  const auto results_4 = read_results(k_out + "/n1");
  for (const auto& j : results_4["jobs"]) {
    EXPECT_TRUE(j["findings"].empty()) << j["tool"] << ": the tool itself suppressed it";
    EXPECT_NE(j["run_command"].get<std::string>().find("suppressions"), std::string::npos);
  }
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(MergeE2E, ShardsMergeAndRenderAndOverlapsAreRefused) {
  fs::create_directories(k_out);
  ASSERT_EQ(run_sohound("run --no-progress --tools memcheck --out " + k_out + "/shard1 " + k_specs + "leaky.yaml").exit_code, 1);
  ASSERT_EQ(run_sohound("run --no-progress --tools asan --out " + k_out + "/shard2 " + k_specs + "leaky.yaml").exit_code, 1);
  const auto merged = k_out + "/merged.json";
  auto out = run_sohound("merge " + k_out + "/shard1/results.json " + k_out + "/shard2/results.json -o " + merged);
  EXPECT_EQ(out.exit_code, 1) << "the merged run has an unexpected finding\n" << out.text;
  std::ifstream in(merged);
  const auto m = json::parse(in);
  EXPECT_EQ(m["jobs"].size(), 2u);
  ASSERT_EQ(m["bugs"].size(), 1u) << "the same leak from both shards is one bug";
  EXPECT_EQ(m["bugs"][0]["occurrences"].size(), 2u);

  auto overlap = run_sohound("merge " + k_out + "/shard1/results.json " + k_out + "/shard1/results.json -o " + k_out + "/x.json");
  EXPECT_EQ(overlap.exit_code, 2);
  EXPECT_NE(overlap.text.find("shards must not overlap"), std::string::npos) << overlap.text;

  fs::remove_all(k_out + "/merged-reports");
  auto report = run_sohound("report " + merged + " --report html,junit,sarif --out " + k_out + "/merged-reports");
  EXPECT_EQ(report.exit_code, 0) << report.text;
  for (const char* f : {"report.html", "junit.xml", "results.sarif"})
    EXPECT_TRUE(fs::exists(k_out + "/merged-reports/" + f)) << f;
}

}  // namespace
}  // namespace e2e
