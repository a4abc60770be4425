// The threaded example suite under all six tools: races, a lock-order inversion and UB found by
// each tool that can see them; clean multithreaded features clean, with the shipped suppression
// hiding only the magic-static initialisation; one race is one bug across tools.
#include "e2e_support.hpp"

namespace e2e {
namespace {

constexpr const char* k_run = "threads";

struct Case {
  const char* feature;
  const char* kind;
  const char* function;
  std::vector<std::string> tools;       // the tools that must find it
  std::vector<std::string> maybe = {};  // tools that may or may not
};

const Case k_bugs[] = {
    {"racy_counter", "race.data", "th_bump_unlocked", {"helgrind", "drd", "tsan"}},
    {"racy_static", "race.data", "th_tally", {"helgrind", "drd", "tsan"}},
    {"racy_shared_payload", "race.data", "th_shared_bump", {"helgrind", "drd", "tsan"}},
    // Only helgrind and drd run it; Valgrind's own glibc suppressions hide it from helgrind.
    {"racy_localtime", "race.data", "th_local_hour_unsafe", {"drd"}, {"helgrind"}},
    {"lock_order", "race.lock_order", "th_lock_ab", {"helgrind", "tsan"}},
    {"ub_overflow", "ub.signed-integer-overflow", "th_scale", {"ubsan"}},
    {"ub_shift", "ub.invalid-shift-exponent", "th_flag", {"ubsan"}},
};
const char* k_tools[] = {"memcheck", "helgrind", "drd", "asan", "tsan", "ubsan"};

bool in(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// A finding of `kind` with `function` in its primary stack or any aux stack (lock order: either side).
const json* finding_anywhere(const json& job, const std::string& kind, const std::string& function) {
  if (const auto* f = finding(job, kind, function)) return f;
  for (const auto& f : job["findings"]) {
    if (f["kind"] != kind) continue;
    for (const auto& aux : f["aux_stacks"])
      for (const auto& frame : aux["stack"])
        if (frame["function"] == function) return &f;
  }
  return nullptr;
}

TEST(ThreadsE2E, EveryJobRanAndTheRunPassed) {
  const auto& r = results(k_run);
  EXPECT_EQ(r["exit_code"], 0);
  EXPECT_EQ(r["jobs"].size(), 68u);
  for (const auto& j : r["jobs"]) EXPECT_EQ(j["outcome"], "ok") << j["feature"] << " " << j["tool"] << ": " << j["message"];
}

TEST(ThreadsE2E, EachBugIsFoundByEachToolThatCanSeeIt) {
  for (const auto& c : k_bugs) {
    for (const char* tool : k_tools) {
      const auto* j = job(k_run, c.feature, tool);
      if (!j) {  // the feature names its tools
        EXPECT_FALSE(in(c.tools, tool)) << c.feature << " did not run under " << tool;
        continue;
      }
      const auto* f = finding_anywhere(*j, c.kind, c.function);
      if (in(c.maybe, tool)) continue;
      if (in(c.tools, tool)) {
        ASSERT_NE(f, nullptr) << tool << " missed " << c.kind << " in " << c.function << "\n" << frames_of(*j);
        EXPECT_EQ((*f)["status"], "expected");
      } else {
        EXPECT_EQ(f, nullptr) << tool << " reported " << c.kind << " in " << c.feature;
      }
    }
  }
}

TEST(ThreadsE2E, CleanFeaturesAreCleanUnderEveryTool) {
  for (const char* feature : {"locked_counter", "atomic_counter", "static_and_shared_ptr", "shared_handoff", "local_time"}) {
    for (const char* tool : k_tools) {
      const auto* j = job(k_run, feature, tool);
      ASSERT_NE(j, nullptr);
      for (const auto& f : (*j)["findings"])
        EXPECT_EQ(f["status"], "suppressed") << feature << " under " << tool << ":\n" << frames_of(*j);
    }
  }
}

TEST(ThreadsE2E, ShippedSuppressionHidesOnlyStaticInitialisation) {
  for (const char* tool : {"helgrind", "drd"}) {
    const auto& j = *job(k_run, "static_and_shared_ptr", tool);
    ASSERT_EQ(j["findings"].size(), 1u) << tool << " no longer reports the initialisation: is the suppression still needed?";
    EXPECT_EQ(j["findings"][0]["kind"], "race.data");
    EXPECT_EQ(j["findings"][0]["suppressed_by"], "cxx-function-local-static-init");
    const auto* real = finding(*job(k_run, "racy_static", tool), "race.data", "th_tally");
    ASSERT_NE(real, nullptr);
    EXPECT_EQ((*real)["status"], "expected") << "the real race on a static must not be suppressed";
  }
  bool counted = false;
  for (const auto& s : results(k_run)["suppressions"])
    if (s["name"] == "cxx-function-local-static-init") counted = s["matched"].get<int>() >= 2;
  EXPECT_TRUE(counted);
}

// Each noise feature is reported by helgrind and drd and hidden by its own shipped suppression;
// each control (a real race on the same kind of memory) is still reported.
TEST(ThreadsE2E, ShippedSuppressionsHideLibraryNoiseNotRealRaces) {
  const struct {
    const char* noise;
    const char* suppression;
    const char* control;
    const char* control_function;
  } cases[] = {
      {"local_time", "glibc-time-zone-cache", "racy_localtime", "th_local_hour_unsafe"},
  };
  for (const auto& c : cases) {
    for (const char* tool : {"helgrind", "drd"}) {
      const auto& j = *job(k_run, c.noise, tool);
      EXPECT_FALSE(j["findings"].empty()) << c.noise << " under " << tool
                                          << ": no longer reported; is the suppression still needed?";
      for (const auto& f : j["findings"]) EXPECT_EQ(f["suppressed_by"], c.suppression) << c.noise << " under " << tool;
    }
    const auto* real = finding(*job(k_run, c.control, "drd"), "race.data", c.control_function);
    ASSERT_NE(real, nullptr) << c.control;
    EXPECT_EQ((*real)["status"], "expected") << c.control << ": the real race must not be suppressed";
  }
}

// The library is built from a recipe, so its C++ gets the drivers' libstdc++ happens-before hooks:
// a shared_ptr hand-off is ordered and not reported at all (cxx-shared-ptr-refcount remains for
// prebuilt libraries); the race on the shared object itself still is.
TEST(ThreadsE2E, SharedPtrHandOffIsModelledNotSuppressed) {
  for (const char* tool : {"helgrind", "drd"}) {
    const auto& j = *job(k_run, "shared_handoff", tool);
    for (const auto& f : j["findings"]) EXPECT_NE(f["kind"], "race.data") << tool << ":\n" << frames_of(j);
    const auto* real = finding(*job(k_run, "racy_shared_payload", tool), "race.data", "th_shared_bump");
    ASSERT_NE(real, nullptr) << tool;
    EXPECT_EQ((*real)["status"], "expected");
  }
}

TEST(StreamsE2E, StandardStreamsFromSeveralThreadsAreCleanAndAUserWidthRaceIsNot) {
  // specs/streams.yaml: the shipped stream and stdio suppressions hide libstdc++'s and glibc's
  // accesses, and only those; a user's cout.width() from 4 threads is still a race everywhere.
  EXPECT_EQ(results("streams")["exit_code"], 0);
  std::set<std::string> used;
  for (const char* tool : {"helgrind", "drd", "tsan"}) {
    const auto* noise = job("streams", "mixed_output", tool);
    ASSERT_NE(noise, nullptr) << tool;
    EXPECT_EQ((*noise)["outcome"], "ok");
    for (const auto& f : (*noise)["findings"]) {
      EXPECT_EQ(f["status"], "suppressed") << tool << ":\n" << frames_of(*noise);
      if (f.contains("suppressed_by")) used.insert(f["suppressed_by"].get<std::string>());
    }
    if (std::string(tool) != "tsan") {
      EXPECT_FALSE((*noise)["findings"].empty()) << tool << " no longer reports the streams: are the suppressions still needed?";
    }
    const auto* real = finding(*job("streams", "set_width", tool), "race.data", "std::ios_base::width");
    ASSERT_NE(real, nullptr) << tool << ":\n" << frames_of(*job("streams", "set_width", tool));
    EXPECT_EQ((*real)["status"], "expected") << tool;
    EXPECT_EQ((*real)["stack"][1]["function"].get<std::string>().rfind("feature_set_width", 0), 0u) << tool;
  }
  EXPECT_EQ(used, (std::set<std::string>{"cxx-ostream-format-state", "cxx-num-put-format-state", "glibc-stdio-fwrite"}));
  // A user's own stream shared without a lock: its buffer's races stay visible.
  for (const char* tool : {"helgrind", "drd"}) {
    const auto& j = *job("streams", "shared_ostringstream", tool);
    bool buffer_race = false;
    for (const auto& f : j["findings"]) {
      if (f["status"] != "expected") continue;
      const std::string top = f["stack"][0]["function"];
      buffer_race = buffer_race || top.find("buf<char") != std::string::npos;  // basic_streambuf / basic_stringbuf
    }
    EXPECT_TRUE(buffer_race) << tool << ":\n" << frames_of(j);
  }
}

TEST(ThreadsE2E, OneRaceIsOneBugAcrossTools) {
  const json* racy = nullptr;
  for (const auto& bug : results(k_run)["bugs"]) {
    if (bug["kind"] != "race.data") continue;
    for (const auto& frame : bug["stack"])
      if (frame["function"] == "th_bump_unlocked") racy = &bug;
  }
  ASSERT_NE(racy, nullptr);
  std::set<std::string> tools;
  for (const auto& o : (*racy)["occurrences"]) tools.insert(o["tool"]);
  EXPECT_EQ(tools, (std::set<std::string>{"helgrind", "drd", "tsan"}));
}

TEST(ThreadsE2E, RaceFindingsCarryBothAccesses) {
  const auto* f = finding(*job(k_run, "racy_counter", "helgrind"), "race.data", "th_bump_unlocked");
  ASSERT_NE(f, nullptr);
  bool conflict = false;
  for (const auto& aux : (*f)["aux_stacks"])
    if (aux["label"].get<std::string>().rfind("This conflicts with", 0) == 0) conflict = !aux["stack"].empty();
  EXPECT_TRUE(conflict);
  const auto* t = finding(*job(k_run, "racy_counter", "tsan"), "race.data", "th_bump_unlocked");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ((*t)["aux_stacks"][0]["label"].get<std::string>().rfind("Previous ", 0), 0u);
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// Every job of a Clang run is ok, nothing is missing, and every reported finding's fingerprint is
// the one the GCC run of the same specs gave. Suppressed tool noise is left out: how many distinct
// reports a tool makes of it varies from run to run.
void expect_clang_matches_gcc(const std::string& gcc_run, const std::string& clang_run) {
  const auto& clang = results(clang_run);
  ASSERT_TRUE(clang.contains("jobs")) << clang_run;
  EXPECT_EQ(clang["exit_code"], 0);
  for (const auto& j : clang["jobs"]) {
    EXPECT_EQ(j["outcome"], "ok") << j["feature"] << " " << j["tool"] << ": " << j["message"];
    EXPECT_TRUE(j["unmatched_expectations"].empty()) << j["feature"] << " " << j["tool"] << " missed an expected bug";
  }
  std::map<std::string, std::set<std::string>> gcc_fps, clang_fps;
  auto collect = [](const json& r, std::map<std::string, std::set<std::string>>& out) {
    for (const auto& j : r["jobs"])
      for (const auto& f : j["findings"])
        if (f["status"] != "suppressed")
          out[std::string(j["feature"]) + "/" + std::string(j["tool"]) + "/" + std::string(f["kind"])].insert(f["fingerprint"]);
  };
  collect(results(gcc_run), gcc_fps);
  collect(clang, clang_fps);
  EXPECT_FALSE(gcc_fps.empty());
  EXPECT_EQ(gcc_fps, clang_fps) << "the same bugs built by GCC 12 and Clang 14 must have the same fingerprints";
}

TEST(ClangE2E, ThreadedSuiteAgreesWithGcc) { expect_clang_matches_gcc("threads", "threads-clang"); }
TEST(ClangE2E, MemoryExamplesAgreeWithGcc) { expect_clang_matches_gcc("examples", "examples-clang"); }

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(TsanKindsE2E, ThreadLeakSignalUnsafeCallAndUseAfterFree) {
  const std::string dir = std::string(SOHOUND_E2E_OUT) + "/tsankinds";
  const auto out = run_sohound("run --no-progress --report json --out " + dir + " " + std::string(SOHOUND_SOURCE_DIR) +
                               "/tests/e2e/specs/tsankinds.yaml");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto r = read_results(dir);
  auto job_of = [&](const std::string& feature) -> const json& {
    const auto* j = job_in(r, feature);
    if (!j) throw std::runtime_error("no job " + feature);
    return *j;
  };
  EXPECT_NE(finding(job_of("thread_leak"), "thread.leak", "feature_thread_leak"), nullptr) << frames_of(job_of("thread_leak"));
  EXPECT_NE(finding(job_of("signal_unsafe"), "signal.unsafe_call", "on_signal"), nullptr) << frames_of(job_of("signal_unsafe"));
  const auto* uaf = finding(job_of("use_after_free"), "mem.invalid_read", "late_reader");
  ASSERT_NE(uaf, nullptr) << frames_of(job_of("use_after_free"));
  EXPECT_EQ((*uaf)["tool_kind"], "heap-use-after-free");
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(UbsanKindsE2E, ChecksHaveTheSameKindAndFrameUnderGccAndClang) {
  const std::pair<const char*, const char*> k_expected[][1] = {{{"ub.out-of-bounds-index", "at"}},
                                                               {{"ub.integer-divide-by-zero", "divide"}},
                                                               {{"ub.misaligned-pointer-use", "load"}},
                                                               {{"ub.signed-integer-overflow", "feature_negate"}}};
  const char* k_features[] = {"index", "divide", "misaligned", "negate"};
  for (const char* compiler : {"gcc", "clang"}) {
    const std::string dir = std::string(SOHOUND_E2E_OUT) + "/ubkinds-" + compiler;
    const auto out = run_sohound(std::string("run --no-progress --report json --compiler ") + compiler + " --out " + dir + " " +
                                 std::string(SOHOUND_SOURCE_DIR) + "/tests/e2e/specs/ubkinds.yaml");
    EXPECT_EQ(out.exit_code, 1) << out.text;
    const auto r = read_results(dir);
    for (std::size_t i = 0; i < 4; ++i) {
      const json* j = job_in(r, k_features[i]);
      ASSERT_NE(j, nullptr);
      EXPECT_NE(finding(*j, k_expected[i][0].first, k_expected[i][0].second), nullptr) << compiler << " " << k_features[i] << "\n"
                                                                                       << frames_of(*j);
    }
  }
}

}  // namespace
}  // namespace e2e
