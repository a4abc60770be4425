// Symbols first (exec/slim_debug): fixture e2e.slim-debug.run runs the example suites one feature
// per process in the sandbox, with a result cache of its own, so each Valgrind process reads the
// runtimes' slim debug copies (symbols, no DWARF) first. A result stands only when the full debug
// files could not have changed it; the others run again over them. What was reported must be what
// the runs over the full files (e2e.examples-process.run, e2e.threads-process.run, with
// SOHOUND_DEBUG_COPIES=0: no copies) reported: the same findings with the same frames, lines and
// inlined calls.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace e2e {
namespace {

const std::string k_run = "slim-debug";

bool valgrind_tool(const std::string& tool) { return tool == "memcheck" || tool == "helgrind" || tool == "drd"; }

// A job's findings, each as its kind, fingerprint, status and frames (primary and auxiliary
// stacks: function, file, line, with the run's --out taken out), sorted.
std::vector<std::string> described(const json& job, const std::string& out) {
  std::vector<std::string> all;
  auto frames = [&](const json& stack) {
    std::string text;
    for (const auto& f : stack) {
      std::string file = f.value("file", "");
      if (file.starts_with(out)) file = "OUT" + file.substr(out.size());
      text += " | " + f.value("function", "") + " " + file + ":" + std::to_string(f.value("line", 0));
    }
    return text;
  };
  for (const auto& f : job["findings"]) {
    std::string text = f["kind"].get<std::string>() + " " + f["fingerprint"].get<std::string>() + " " +
                       f["status"].get<std::string>() + frames(f["stack"]);
    for (const auto& aux : f["aux_stacks"]) text += " || aux" + frames(aux.value("frames", json::array()));
    all.push_back(text);
  }
  std::sort(all.begin(), all.end());
  return all;
}

TEST(SymbolsFirst, EveryValgrindJobReportsWhatTheRunOverTheFullDebugFilesReported) {
  const auto& slim = results(k_run);
  ASSERT_EQ(slim["sandbox"]["on"], true) << slim["sandbox"].dump() << " (ci/setup.sh installs bubblewrap)";
  std::size_t compared = 0, findings = 0;
  for (const auto& [run, suites] : std::map<std::string, std::set<std::string>>{{"examples-process", {"examples", "zlib-basics"}},
                                                                                {"threads-process", {"threads"}}}) {
    const auto& full = results(run);
    ASSERT_TRUE(full["sandbox"]["debug_copies"].empty()) << run << " read copies: it is no reference";
    for (const auto& job : full["jobs"]) {
      const std::string tool = job["tool"];
      if (!valgrind_tool(tool) || !suites.count(job["suite"])) continue;
      const std::string feature = job["feature"];
      SCOPED_TRACE(feature + "/" + tool);
      const auto* mine = job_in(slim, feature, tool);
      ASSERT_NE(mine, nullptr);
      EXPECT_EQ((*mine)["outcome"], job["outcome"]);
      EXPECT_EQ((*mine)["passed"], job["passed"]);
      EXPECT_EQ(described(*mine, std::string(SOHOUND_E2E_OUT) + "/" + k_run + "/"),
                described(job, std::string(SOHOUND_E2E_OUT) + "/" + run + "/"));
      ++compared;
      findings += job["findings"].size();
    }
  }
  EXPECT_GE(compared, 40u);
  EXPECT_GE(findings, 20u);
}

TEST(SymbolsFirst, CleanJobsRanOnceOverSymbolsAndJobsWithFramesInTheCLibraryRanAgain) {
  const auto& slim = results(k_run);
  // Each Valgrind process of the run, by its features and tool: whether it read symbols only, and
  // why it had to run again.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<bool, std::string>>> processes;
  for (const auto& span : slim["trace"]["spans"]) {
    if (span["name"] != "unit" || !valgrind_tool(span["attributes"].value("tool", ""))) continue;
    const auto& a = span["attributes"];
    processes[{a.value("features", ""), a.value("tool", "")}].emplace_back(a.value("debug_info", "") == "symbols",
                                                                           a.value("again", ""));
  }
  // A clean job: one process, over symbols, which stood.
  const auto clean = processes[{"buffer_roundtrip", "memcheck"}];
  ASSERT_EQ(clean.size(), 1u);
  EXPECT_TRUE(clean[0].first);
  EXPECT_EQ(clean[0].second, "");
  EXPECT_TRUE(job_in(slim, "buffer_roundtrip", "memcheck")->at("notes").empty());
  // A race whose stacks run through the C library's start_thread: over symbols, then again over
  // the full files, whose lines the finding names.
  const auto race = processes[{"racy_counter", "helgrind"}];
  ASSERT_EQ(race.size(), 2u);
  EXPECT_TRUE(race[0].first);
  EXPECT_NE(race[0].second.find("frames in the C library"), std::string::npos) << race[0].second;
  EXPECT_FALSE(race[1].first);
  const auto* job = job_in(slim, "racy_counter", "helgrind");
  ASSERT_NE(job, nullptr);
  EXPECT_NE(job->at("notes").dump().find("full debug information"), std::string::npos) << job->at("notes").dump();
  const auto* found = finding(*job, "race.data", "start_thread");
  ASSERT_NE(found, nullptr) << frames_of(*job);
  bool named = false;
  for (const auto& frame : (*found)["stack"])
    if (frame["function"] == "start_thread") named = frame.value("file", "").ends_with("pthread_create.c") && frame["line"] > 0;
  EXPECT_TRUE(named) << frames_of(*job);
  // Symbols first is for one job per process: nothing here ran in a batch.
  EXPECT_EQ(slim["execution"]["batches"], 0);
}

}  // namespace
}  // namespace e2e
