// The bundled example suite under real memcheck and ASan: each deliberate bug is found by each
// tool that can see it, attributed to its feature and the library function that has the bug;
// clean features are clean; both tools agree on each bug's fingerprint.
#include "e2e_support.hpp"

namespace e2e {
namespace {

constexpr const char* k_run = "examples";

struct Case {
  const char* feature;
  const char* kind;
  const char* function;  // the frame that matters
  bool memcheck, asan;   // which tools must find it
};

const Case k_bugs[] = {
    {"leak_definite", "leak.definite", "ex_make_label", true, true},
    {"leak_indirect", "leak.definite", "ex_build_list", true, true},
    {"leak_indirect", "leak.indirect", "ex_build_list", true, true},
    {"leak_possible", "leak.possible", "ex_remember_interior", true, false},
    {"leak_reachable", "leak.reachable", "ex_init_cache", true, false},
    {"invalid_read", "mem.invalid_read", "ex_read_past_end", true, true},
    {"invalid_write", "mem.invalid_write", "ex_write_past_end", true, true},
    {"uninit_branch", "mem.uninit", "ex_uninit_branch", true, false},
    {"double_free", "mem.invalid_free", "ex_double_free", true, true},
    {"overlapping_copy", "mem.overlap", "ex_overlapping_copy", true, true},
    {"mismatched_free", "mem.mismatched_free", "ex_mismatched_free", true, true},
    {"coroutine_leak", "leak.definite", "count_to", true, true},
    {"fd_leak", "fd.leak", "ex_open_log", true, false},
    {"deflate_without_end", "leak.definite", "deflateInit_", true, true},
};

TEST(ExamplesE2E, RunPassedWithEveryJobJudged) {
  const auto& r = results(k_run);
  ASSERT_EQ(r.value("schema", ""), "sohound.results/1");
  EXPECT_EQ(r["exit_code"], 0);
  EXPECT_EQ(r["jobs"].size(), 34u);
  for (const auto& j : r["jobs"]) {
    EXPECT_EQ(j["outcome"], "ok") << j["feature"] << " " << j["tool"] << ": " << j["message"];
    EXPECT_TRUE(j["unmatched_expectations"].empty()) << j["feature"] << " " << j["tool"];
  }
}

TEST(ExamplesE2E, EachDeliberateBugIsFoundWhereItIs) {
  for (const auto& c : k_bugs) {
    for (const char* tool : {"memcheck", "asan"}) {
      const bool must = std::string(tool) == "memcheck" ? c.memcheck : c.asan;
      const auto* j = job(k_run, c.feature, tool);
      ASSERT_NE(j, nullptr) << c.feature << " " << tool;
      const auto* f = finding(*j, c.kind, c.function);
      if (!must) {
        EXPECT_EQ(f, nullptr) << tool << " cannot see " << c.kind << " yet reported it in " << c.feature;
        continue;
      }
      ASSERT_NE(f, nullptr) << tool << " missed " << c.kind << " in " << c.function << " (feature " << c.feature << ")\n"
                            << frames_of(*j);
      EXPECT_EQ((*f)["status"], "expected");
      EXPECT_EQ((*f)["fingerprint"].get<std::string>().size(), 16u);
    }
  }
}

// Origins on demand: memcheck runs without --track-origins; the feature that reported an
// uninitialised value ran again with it, and its finding says where the value was created (the
// malloc in ex_uninit_branch). A clean feature's command has no origins.
TEST(ExamplesE2E, AnUninitialisedValueNamesItsOriginFromASecondRun) {
  const auto* j = job(k_run, "uninit_branch", "memcheck");
  ASSERT_NE(j, nullptr);
  const auto* f = finding(*j, "mem.uninit", "ex_uninit_branch");
  ASSERT_NE(f, nullptr) << frames_of(*j);
  bool origin = false;
  for (const auto& aux : (*f)["aux_stacks"]) {
    if (aux["label"].get<std::string>().find("created by a heap allocation") == std::string::npos) continue;
    for (const auto& frame : aux["stack"]) origin = origin || frame.value("function", "") == "ex_uninit_branch";
  }
  EXPECT_TRUE(origin) << f->dump(1);
  EXPECT_NE((*j)["run_command"].get<std::string>().find("--track-origins=yes"), std::string::npos) << (*j)["run_command"];
  bool told = false;
  for (const auto& note : (*j)["notes"]) told = told || note.get<std::string>().find("ran again with --track-origins=yes") == 0;
  EXPECT_TRUE(told) << (*j)["notes"].dump();
  const auto* clean = job(k_run, "buffer_roundtrip", "memcheck");
  ASSERT_NE(clean, nullptr);
  EXPECT_EQ((*clean)["run_command"].get<std::string>().find("--track-origins"), std::string::npos) << (*clean)["run_command"];
  EXPECT_EQ((*clean)["notes"].dump().find("track-origins"), std::string::npos);
}

TEST(ExamplesE2E, CleanFeaturesAreCleanUnderBothTools) {
  for (const char* feature : {"buffer_roundtrip", "sum_copy_threads", "setup_teardown", "deflate_roundtrip"}) {
    for (const char* tool : {"memcheck", "asan"}) {
      const auto* j = job(k_run, feature, tool);
      ASSERT_NE(j, nullptr) << feature << " " << tool;
      EXPECT_TRUE((*j)["findings"].empty()) << feature << " under " << tool << ":\n" << frames_of(*j);
      EXPECT_TRUE((*j)["passed"].get<bool>());
    }
  }
}

TEST(ExamplesE2E, LsanFindsTheSameDefiniteLeaksAsMemcheck) {
  for (const auto& j : results(k_run)["jobs"]) {
    if (j["tool"] != "memcheck") continue;
    const auto* asan = job(k_run, j["feature"], "asan");
    ASSERT_NE(asan, nullptr);
    for (const auto& f : j["findings"]) {
      if (f["kind"] != "leak.definite") continue;
      bool found = false;
      for (const auto& g : (*asan)["findings"]) found = found || g["fingerprint"] == f["fingerprint"];
      EXPECT_TRUE(found) << "LSan missed memcheck's definite leak " << f["fingerprint"] << " in " << j["feature"];
    }
  }
}

TEST(ExamplesE2E, BothToolsAgreeOnEachBugsFingerprint) {
  for (const auto& c : k_bugs) {
    if (!c.memcheck || !c.asan) continue;
    const auto* m = finding(*job(k_run, c.feature, "memcheck"), c.kind, c.function);
    const auto* a = finding(*job(k_run, c.feature, "asan"), c.kind, c.function);
    ASSERT_TRUE(m && a) << c.feature;
    EXPECT_EQ((*m)["fingerprint"], (*a)["fingerprint"]) << c.feature << " " << c.kind;
  }
}

TEST(ExamplesE2E, LeakStacksReachThroughSystemLibrariesToTheFeature) {
  // zlib is built without frame pointers; the allocation happens inside it.
  for (const char* tool : {"memcheck", "asan"}) {
    const auto* f = finding(*job(k_run, "deflate_without_end", tool), "leak.definite", "deflateInit_");
    ASSERT_NE(f, nullptr) << tool;
    std::vector<std::string> names;
    for (const auto& frame : (*f)["stack"]) names.push_back(frame["function"]);
    const auto caller = std::find(names.begin(), names.end(), "deflateInit_");
    ASSERT_NE(caller, names.end());
    ASSERT_NE(caller + 1, names.end()) << tool << ": the stack stops inside zlib";
    EXPECT_EQ(*(caller + 1), "feature_deflate_without_end") << tool;
    // and the feature frame points back into the spec, through #line
    for (const auto& frame : (*f)["stack"]) {
      if (frame["function"] == "feature_deflate_without_end") {
        EXPECT_NE(frame["file"].get<std::string>().find("zlib.yaml"), std::string::npos) << tool;
      }
    }
  }
}

TEST(ExamplesE2E, ReproductionFilesAreKept) {
  const auto* j = job(k_run, "invalid_read", "memcheck");
  ASSERT_NE(j, nullptr);
  const std::string dir = (*j)["job_dir"];
  // Its own folder reproduces it alone; the process that ran it (its batch's folder, or its own)
  // keeps the tool's output; the suite's driver keeps the feature's source and build.sh.
  const std::string ran = (*j)["unit"].get<std::string>().empty() ? dir : (*j)["unit"].get<std::string>();
  const std::string build = std::string(SOHOUND_E2E_OUT) + "/" + k_run + "/build/examples/plain";
  for (const auto& file : {dir + "/run.sh", ran + "/stderr.txt", ran + "/run.sh", build + "/src/invalid_read.c",
                           build + "/build.sh", build + "/driver"}) {
    std::ifstream in(file);
    EXPECT_TRUE(in.good()) << file;
  }
  EXPECT_NE((*j)["run_command"].get<std::string>().find("valgrind --tool=memcheck --xml=yes"), std::string::npos);
  EXPECT_FALSE((*j)["reports"].empty());
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(ExamplesE2E, PrebuiltLibrariesSayWhatSanitizersCannotSee) {
  const auto* asan = job("examples", "deflate_roundtrip", "asan");
  ASSERT_NE(asan, nullptr);
  ASSERT_EQ((*asan)["notes"].size(), 1u);
  EXPECT_NE((*asan)["notes"][0].get<std::string>().find("ASan sees its allocations and frees but not bad accesses"),
            std::string::npos);
  EXPECT_TRUE((*job("examples", "deflate_roundtrip", "memcheck"))["notes"].empty());
  EXPECT_TRUE((*job("examples", "invalid_read", "asan"))["notes"].empty()) << "libexample is built per flavour";
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(PrebuiltE2E, PathLibraryCppSuiteSourceEntryAndEnv) {
  const auto& r = results("prebuilt");
  EXPECT_EQ(r["exit_code"], 0);
  ASSERT_EQ(r["jobs"].size(), 5u);
  for (const auto& j : r["jobs"]) {
    EXPECT_EQ(j["outcome"], "ok") << j["feature"] << " " << j["tool"] << ": " << j["message"]
                                  << " (from_source aborts when env: is not applied)";
    EXPECT_EQ(j["notes"].empty(), j["tool"] == "memcheck") << "ASan and TSan say what they cannot see in a prebuilt library";
  }
  for (const char* tool : {"memcheck", "asan"}) {
    const auto* f = finding(*job("prebuilt", "from_source", tool), "leak.definite", "run_me");
    ASSERT_NE(f, nullptr) << tool;
    EXPECT_EQ((*f)["stack"][1]["function"], "ex_make_label");
    ASSERT_NE(finding(*job("prebuilt", "inline_cpp", tool), "leak.definite", "ex_make_label"), nullptr) << tool;
  }
}

// TSan's race through free() inside the prebuilt library reaches the feature's frame and spec line
// (restored by Sohound, with a note), not only the driver's thread function.
TEST(PrebuiltE2E, TsanStackThroughAnUninstrumentedLibraryReachesTheFeature) {
  const auto* j = job("prebuilt", "tsan_through_library", "tsan");
  ASSERT_NE(j, nullptr);
  const json* race = nullptr;
  for (const auto& f : (*j)["findings"])
    if (f["kind"] == "race.data") race = &f;
  ASSERT_NE(race, nullptr) << frames_of(*j);
  bool freed_in_library = false, restored = false, noted = false;
  auto scan = [&](const json& stack) {
    for (std::size_t i = 0; i + 1 < stack.size(); ++i) {
      if (stack[i]["function"] == "ex_buffer_free") {
        freed_in_library = true;
        restored = restored || (stack[i + 1]["function"] == "feature_tsan_through_library" &&
                                stack[i + 1]["file"].get<std::string>().find("prebuilt.yaml") != std::string::npos &&
                                stack[i + 1]["line"].get<int>() > 0 && stack[i + 1].value("restored", false));
      }
    }
  };
  scan((*race)["stack"]);
  for (const auto& aux : (*race)["aux_stacks"]) {
    scan(aux["stack"]);
    noted = noted || aux["label"].get<std::string>().rfind("Sohound restored frame #", 0) == 0;
  }
  EXPECT_TRUE(freed_in_library) << frames_of(*j);
  EXPECT_TRUE(restored) << frames_of(*j);
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace e2e
