// Programs users already have, run as they are (issue 12), against the real tools: a C test
// program that leaks and starts a child that leaks (spec `programs:` and `sohound exec`), and a
// GoogleTest binary run case by case (tests/e2e/programs/, built plain and in the user's own ASan
// and TSan builds by tests/e2e/CMakeLists.txt).
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace e2e {
namespace {

// The finding of `kind` with a frame whose function contains `function` (Valgrind names
// "(anonymous namespace)::make_buffer(unsigned long)", ASan "make_buffer").
const json* finding_in(const json& job, const std::string& kind, const std::string& function) {
  for (const auto& f : job["findings"]) {
    if (f["kind"] != kind) continue;
    for (const auto& frame : f["stack"])
      if (frame["function"].get<std::string>().find(function) != std::string::npos) return &f;
  }
  return nullptr;
}

std::vector<std::string> kinds_of(const json& job) {
  std::vector<std::string> kinds;
  for (const auto& f : job["findings"])
    if (f["status"] == "new" && f["severity"] == "error") kinds.push_back(f["kind"]);
  return kinds;
}

TEST(Programs, ALeakInTheProgramAndOneInItsChildEachNameTheirProcess) {
  for (const char* run : {"programs", "exec"}) {
    SCOPED_TRACE(run);
    const std::string feature = std::string(run) == "exec" ? "sohound_e2e_leaky_test" : "leaky";
    const auto* memcheck = job(run, feature, "memcheck");
    ASSERT_TRUE(memcheck);
    EXPECT_EQ((*memcheck)["outcome"], "ok");
    const auto* parent = finding_in(*memcheck, "leak.definite", "parent_leak");
    const auto* child = finding_in(*memcheck, "leak.definite", "child_leak_fn");
    ASSERT_TRUE(parent) << frames_of(*memcheck);
    ASSERT_TRUE(child) << "the child process was not followed: " << frames_of(*memcheck);
    EXPECT_EQ((*parent)["bytes"], 48);
    EXPECT_EQ((*child)["bytes"], 24);
    EXPECT_NE((*parent)["process"].get<std::string>().find("sohound_e2e_leaky_test (pid"), std::string::npos);
    EXPECT_NE((*child)["process"].get<std::string>().find("sohound_e2e_child_leak (pid"), std::string::npos);
    EXPECT_NE((*child)["process"].get<std::string>().find(", parent " + std::to_string((*parent)["pid"].get<int>())),
              std::string::npos)
        << (*child)["process"];
    // The user's ASan build finds the program's own leak (the child is not an ASan build).
    const auto* asan = job(run, feature, "asan");
    ASSERT_TRUE(asan);
    ASSERT_TRUE(finding_in(*asan, "leak.definite", "parent_leak")) << frames_of(*asan);
    EXPECT_EQ(kinds_of(*asan).size(), 1u);
  }
  // No race in a single-threaded program.
  for (const char* tool : {"helgrind", "drd"}) {
    const auto* j = job("programs", "leaky", tool);
    ASSERT_TRUE(j) << tool;
    EXPECT_TRUE(kinds_of(*j).empty()) << tool << ": " << frames_of(*j);
    EXPECT_EQ((*j)["outcome"], "ok") << tool;
  }
}

TEST(Programs, AToolWithoutTheUsersBuildIsSkippedAndSaysWhy) {
  const auto* tsan = job("programs", "leaky", "tsan");
  ASSERT_TRUE(tsan);
  EXPECT_EQ((*tsan)["outcome"], "skipped");
  EXPECT_TRUE((*tsan)["passed"].get<bool>());
  EXPECT_NE((*tsan)["message"].get<std::string>().find("no tsan build of the program was given"), std::string::npos);
}

TEST(Programs, TheExpectedExitStatusPasses) {
  const auto* j = job("programs", "exits_three", "memcheck");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["outcome"], "ok");
  EXPECT_EQ((*j)["exit_code"], 3);
  EXPECT_TRUE((*j)["passed"].get<bool>());
}

TEST(Programs, EveryGoogleTestCaseIsAJobOfItsOwnWithItsOwnFindings) {
  const auto& r = results("programs");
  std::set<std::string> cases;
  for (const auto& j : r["jobs"])
    if (j["feature"].get<std::string>().rfind("cases.", 0) == 0) cases.insert(j["feature"]);
  EXPECT_EQ(cases, (std::set<std::string>{"cases.Cases.Leaks", "cases.Cases.Races", "cases.Cases.Clean",
                                          "cases.Cases.FailsItsAssertion"}));  // not the DISABLED_ one

  // The leak is the leaking case's, under memcheck and the ASan build, and nobody else's.
  for (const char* tool : {"memcheck", "asan"}) {
    SCOPED_TRACE(tool);
    const auto* leaks = job("programs", "cases.Cases.Leaks", tool);
    ASSERT_TRUE(leaks);
    const auto* leak = finding_in(*leaks, "leak.definite", "make_buffer");
    ASSERT_TRUE(leak) << frames_of(*leaks);
    EXPECT_EQ((*leak)["bytes"], 64);
    EXPECT_TRUE(finding_in(*leaks, "leak.definite", "Cases_Leaks_Test::TestBody"));
    for (const char* other : {"cases.Cases.Races", "cases.Cases.Clean"}) {
      const auto* j = job("programs", other, tool);
      ASSERT_TRUE(j) << other;
      EXPECT_TRUE(kinds_of(*j).empty()) << other << ": " << frames_of(*j);
    }
  }
  // The race is the racing case's, under Helgrind, DRD and the TSan build.
  for (const char* tool : {"helgrind", "drd", "tsan"}) {
    SCOPED_TRACE(tool);
    const auto* races = job("programs", "cases.Cases.Races", tool);
    ASSERT_TRUE(races);
    ASSERT_TRUE(finding_in(*races, "race.data", "bump_counter")) << frames_of(*races);
    for (const char* other : {"cases.Cases.Leaks", "cases.Cases.Clean"}) {
      const auto* j = job("programs", other, tool);
      ASSERT_TRUE(j) << other;
      EXPECT_TRUE(kinds_of(*j).empty()) << other << ": " << frames_of(*j);
    }
  }
  // Clean everywhere.
  for (const char* tool : {"memcheck", "helgrind", "drd", "asan", "tsan"}) {
    const auto* clean = job("programs", "cases.Cases.Clean", tool);
    ASSERT_TRUE(clean) << tool;
    EXPECT_TRUE((*clean)["passed"].get<bool>()) << tool << ": " << (*clean)["message"];
  }
}

// Under memcheck the cases shared one process (each finding named its case's TestBody); under the
// other tools each case ran alone.
TEST(Programs, TheCasesOfOneBinaryShareOneMemcheckProcess) {
  std::set<std::string> units;
  for (const auto& j : results("programs")["jobs"]) {
    if (j["feature"].get<std::string>().rfind("cases.", 0) != 0) continue;
    if (j["tool"] == "memcheck")
      units.insert(j.value("unit", ""));
    else
      EXPECT_EQ(j.value("unit", ""), "") << j["feature"] << " " << j["tool"];
  }
  ASSERT_EQ(units.size(), 1u);
  EXPECT_NE(units.begin()->find("/batches/"), std::string::npos) << *units.begin();
}

// A finding no TestBody names (a block a case's thread leaked) cannot be given to a case from one
// shared process: each case runs alone, and the leak is the threaded case's only, as it would be.
TEST(Programs, WhenAFindingNamesNoCaseEachCaseRunsAlone) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/gtest-thread-leak";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/t.cpp") << R"(#include <gtest/gtest.h>
#include <cstdlib>
#include <thread>
static void* volatile g_keep;
__attribute__((noinline)) static void leak_in_thread() { void* volatile p = std::malloc(40); p = nullptr; (void)p; }
TEST(T, ThreadLeaks) { std::thread t(leak_in_thread); t.join(); }
TEST(T, BodyLeaks) { void* volatile p = std::malloc(24); p = nullptr; (void)p; }
TEST(T, Clean) { g_keep = nullptr; }
)";
  ASSERT_EQ(std::system(fmt::format("c++ -g -O0 -pthread -o '{0}/t' '{0}/t.cpp' -lgtest -lgtest_main", dir).c_str()), 0);
  const auto out = run_sohound(
      fmt::format("exec --gtest --no-cache --tools memcheck --no-progress --report json --out '{0}/out' -- '{0}/t'", dir));
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto r = read_results(dir + "/out");
  EXPECT_EQ(r["execution"]["batches"], 1);
  EXPECT_EQ(r["execution"]["reruns"], 3);
  // The batch, each case alone, and ThreadLeaks again over the C library's full debug information
  // (its leak's stack runs through start_thread; docs/ARCHITECTURE.md, "Symbols first").
  EXPECT_EQ(r["execution"]["processes"], 5);
  std::map<std::string, std::vector<std::string>> kinds;
  for (const auto& j : r["jobs"]) {
    kinds[j["feature"]] = kinds_of(j);
    EXPECT_EQ(j.value("unit", ""), "") << j["feature"] << ": judged from its own process";
  }
  EXPECT_EQ(kinds["t.T.ThreadLeaks"], std::vector<std::string>{"leak.definite"});
  EXPECT_EQ(kinds["t.T.BodyLeaks"], std::vector<std::string>{"leak.definite"});
  EXPECT_TRUE(kinds["t.T.Clean"].empty());
  const auto* body = job_in(r, "t.T.BodyLeaks");
  ASSERT_TRUE(body);
  EXPECT_TRUE(finding_in(*body, "leak.definite", "T_BodyLeaks_Test::TestBody"));
}

// A case of a shared memcheck process that reported an uninitialised value runs again alone with
// --track-origins (as a feature or a program would); the other case keeps its share of the process.
TEST(Programs, ASharedCasesUninitialisedValueNamesItsOriginFromARunOfItsOwn) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/gtest-origins";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/u.cpp") << R"(#include <gtest/gtest.h>
#include <cstdlib>
__attribute__((noinline)) static int* make_flag() { return static_cast<int*>(std::malloc(sizeof(int))); }
TEST(U, Uninit) { int* flag = make_flag(); int r = 0; if (*flag > 0) r = 1; std::free(flag); EXPECT_EQ(r - r, 0); }
TEST(U, Clean) { std::free(make_flag()); }
)";
  ASSERT_EQ(std::system(fmt::format("c++ -g -O0 -pthread -o '{0}/u' '{0}/u.cpp' -lgtest -lgtest_main", dir).c_str()), 0);
  const auto out = run_sohound(
      fmt::format("exec --gtest --no-cache --tools memcheck --no-progress --report json --out '{0}/out' -- '{0}/u'", dir));
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto r = read_results(dir + "/out");
  const auto* uninit = job_in(r, "u.U.Uninit");
  const auto* clean = job_in(r, "u.U.Clean");
  ASSERT_TRUE(uninit && clean);
  const auto* f = finding_in(*uninit, "mem.uninit", "U_Uninit_Test::TestBody");
  ASSERT_TRUE(f) << uninit->dump(1);
  bool origin = false;
  for (const auto& aux : (*f)["aux_stacks"])
    for (const auto& frame : aux["stack"]) origin = origin || frame.value("function", "") == "make_flag()";
  EXPECT_TRUE(origin) << f->dump(1);
  EXPECT_NE((*uninit)["run_command"].get<std::string>().find("--track-origins=yes"), std::string::npos);
  EXPECT_EQ(uninit->value("unit", ""), "") << "judged from its own run";
  EXPECT_NE(clean->value("unit", ""), "") << "judged from the shared process";
  EXPECT_TRUE(kinds_of(*clean).empty()) << clean->dump(1);
}

TEST(Programs, AFailingCaseIsReportedBesideTheToolsFindings) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto* j = job("programs", "cases.Cases.FailsItsAssertion", tool);
    ASSERT_TRUE(j) << tool;
    EXPECT_FALSE((*j)["passed"].get<bool>());
    EXPECT_EQ((*j)["message"], "the test Cases.FailsItsAssertion failed (exit status 1)");
    EXPECT_TRUE(kinds_of(*j).empty()) << frames_of(*j);
  }
  // A case that passes with a finding fails for the finding, not for itself.
  const auto* leaks = job("programs", "cases.Cases.Leaks", "memcheck");
  ASSERT_TRUE(leaks);
  EXPECT_EQ((*leaks)["outcome"], "ok");
  EXPECT_EQ((*leaks)["exit_code"], 0);
}

TEST(Programs, GoogleTestShardingVariablesShardTheWholeRun) {
  // GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX in Sohound's environment split the run (docs/sharding.md):
  // each case's job lands in exactly one of the shards, and each shard says where its index came from.
  std::set<std::string> all;
  std::size_t total = 0;
  for (int index = 0; index < 2; ++index) {
    const auto out = std::string(SOHOUND_E2E_OUT) + "/programs-shard-" + std::to_string(index);
    const auto result = run_sohound_shell(fmt::format(
        "GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX={} '{}' exec --gtest --no-cache --tools memcheck --no-progress --report json "
        "--out '{}' -- '{}'",
        index, SOHOUND_BIN, out, SOHOUND_E2E_GTEST_CASES));
    const auto r = read_results(out);
    ASSERT_TRUE(r.contains("shard")) << result.text;
    EXPECT_EQ(r["shard"]["source"], "gtest");
    EXPECT_EQ(r["shard"]["index"], index + 1);
    EXPECT_EQ(r["shard"]["plan_jobs"], 4);
    for (const auto& j : r["jobs"]) all.insert(j["feature"]);
    total += r["jobs"].size();
  }
  EXPECT_EQ(total, 4u);  // no case twice
  EXPECT_EQ(all,
            (std::set<std::string>{"sohound_e2e_gtest_cases.Cases.Leaks", "sohound_e2e_gtest_cases.Cases.Races",
                                   "sohound_e2e_gtest_cases.Cases.Clean", "sohound_e2e_gtest_cases.Cases.FailsItsAssertion"}));
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// Shell-script tests (issue 23): the descriptor a shell keeps on its script (dash's 10, bash's 255)
// is the interpreter's, not the test's fd.leak, whether the script runs by its #! line or is given
// to the shell; a descriptor the script itself leaves open still is one.
TEST(Programs, AShellsDescriptorOnItsOwnScriptIsNoLeak) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/programs-scripts";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::map<std::string, std::string> scripts = {{"dash.sh", "#!/bin/sh\ncat /etc/hostname >/dev/null\n"},
                                                      {"bash.sh", "#!/bin/bash\ncat /etc/hostname >/dev/null\n"},
                                                      {"leaky.sh", "#!/bin/sh\nexec 3</etc/hostname\ntrue\n"}};
  for (const auto& [name, text] : scripts) {
    std::ofstream(dir + "/" + name) << text;
    std::filesystem::permissions(dir + "/" + name, std::filesystem::perms::owner_all);
  }
  std::ofstream(dir + "/spec.yaml") << fmt::format(
      "suite: scripts\ntools: [memcheck]\nprograms:\n"
      "  - {{name: dash_direct, program: '{0}/dash.sh'}}\n"
      "  - {{name: dash_given, program: sh, args: [dash.sh], cwd: '{0}'}}\n"
      "  - {{name: bash_direct, program: '{0}/bash.sh'}}\n"
      "  - {{name: leaky, program: '{0}/leaky.sh'}}\n",
      dir);
  const auto result = run_sohound(fmt::format("run '{0}/spec.yaml' --no-cache --no-progress --report json --out '{0}/out'", dir));
  std::map<std::string, std::vector<std::string>> leaks;
  const auto results = read_results(dir + "/out");
  for (const auto& job : results["jobs"]) {
    auto& mine = leaks[job["feature"]];
    for (const auto& f : job["findings"])
      if (f["kind"] == "fd.leak") mine.push_back(f["message"]);
  }
  EXPECT_EQ(leaks["dash_direct"], std::vector<std::string>{});
  EXPECT_EQ(leaks["dash_given"], std::vector<std::string>{});
  EXPECT_EQ(leaks["bash_direct"], std::vector<std::string>{});
  EXPECT_EQ(leaks["leaky"], std::vector<std::string>{"file descriptor 3 (/etc/hostname) left open"}) << result.text;
  EXPECT_EQ(result.exit_code, 1) << result.text;  // leaky's leak, and only that, fails the run
}

// A program whose spec names its inputs is cached like a feature: not run again while the program,
// the libraries it loads and its inputs are unchanged; run again when one of them changes. One
// without `inputs:` is keyed on what its last run opened (drivers/sohound_record.c), its children
// included; one that read what no file's content stands for (/proc; the random sources are not
// that: no run reads them twice), or ran a program the recorder
// cannot see into (a static one), always runs, and says why.
TEST(Programs, AProgramIsCachedUntilWhatItReadChanges) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/programs-cache";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/input.txt") << "first\n";
    std::ofstream(dir + "/spec.yaml")
        << "suite: cached\ntools: [memcheck]\nprograms:\n"
           "  - name: reads_input\n    program: cat\n    args: [input.txt]\n    cwd: .\n"
           "    inputs: ['*.txt']\n"
           "  - name: recorded\n    program: cat\n    args: [input.txt]\n    cwd: .\n"
           "  - name: shell\n    program: sh\n    args: ['-c', 'cat input.txt | wc -c']\n    cwd: .\n"
           "  - name: proc\n    program: cat\n    args: [/proc/version]\n"
           "  - name: random\n    program: head\n    args: ['-c', '16', /dev/urandom]\n"
           "  - name: static_child\n    program: sh\n    args: ['-c', 'ldconfig -p >/dev/null']\n"
           "    env: {PATH: '/usr/sbin:/sbin:/usr/bin:/bin'}\n"
           "    skip_children: ['*/ldconfig']\n";  // a static glibc program: memcheck's noise
  }
  std::map<std::string, std::string> notes;
  auto run = [&](const std::string& name) {
    const auto result = run_sohound(
        fmt::format("run '{0}/spec.yaml' --cache-dir '{0}/cache' --no-progress --report json --out '{0}/{1}'", dir, name));
    EXPECT_EQ(result.exit_code, 0) << result.text;
    std::set<std::string> cached;
    const auto results = read_results(dir + "/" + name);
    for (const auto& j : results["jobs"]) {
      if (j["cached"].get<bool>()) cached.insert(j["feature"].get<std::string>());
      for (const auto& note : j["notes"])
        if (note.get<std::string>().rfind("not cached", 0) == 0) notes[j["feature"]] = note;
    }
    return cached;
  };
  using Names = std::set<std::string>;
  EXPECT_EQ(run("first"), Names{});
  // random read /dev/urandom, as a program seeding a hash does: random numbers, like the clock, are
  // not a file the key could name, and its cached result is its recorded run's.
  EXPECT_EQ(run("again"), (Names{"reads_input", "recorded", "shell", "random"}));
  std::ofstream(dir + "/input.txt") << "second\n";
  EXPECT_EQ(run("changed"), Names{"random"});
  EXPECT_EQ(run("unchanged"), (Names{"reads_input", "recorded", "shell", "random"}));
  std::ofstream(dir + "/other.txt") << "a file the recorded programs never read\n";
  EXPECT_EQ(run("unrelated"), (Names{"recorded", "shell", "random"}));  // reads_input's glob names it
  EXPECT_EQ(notes["proc"],
            "not cached (it runs again next time): it read /proc/version, a system file whose content is not what the "
            "program saw when it ran");
  EXPECT_NE(notes["static_child"].find("which did not load Sohound's recorder (a static or set-user-ID program)"),
            std::string::npos)
      << notes["static_child"];
  EXPECT_NE(notes["static_child"].find("ldconfig"), std::string::npos) << notes["static_child"];
  EXPECT_EQ(notes.count("recorded") + notes.count("shell") + notes.count("random"), 0u);
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A CI log (stdout and stderr together, not a terminal) shows each job once, with --no-progress
// (nothing while running, every job in the summary) and without it (a line per job as it ends, the
// summary only for jobs that did not pass).
// Origins on demand for a program: its first memcheck run reports the uninitialised value without
// an origin; it runs again with --track-origins=yes and the finding names the malloc that made it.
TEST(Programs, AProgramsUninitialisedValueNamesItsOriginFromASecondRun) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/origins";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/uninit.c")
      << "#include <stdlib.h>\n"
         "__attribute__((noinline)) static int *make_flag(void) { return malloc(sizeof(int)); }\n"
         "int main(void) { int *flag = make_flag(), r = 0; if (*flag > 0) r = 1; free(flag); return r - r; }\n";
  ASSERT_EQ(std::system(fmt::format("cc -g -O0 -o '{0}/uninit' '{0}/uninit.c'", dir).c_str()), 0);
  const auto out = run_sohound(
      fmt::format("exec --no-cache --tools memcheck --no-progress --report json --out '{0}/out' -- '{0}/uninit'", dir));
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto r = read_results(dir + "/out");
  ASSERT_EQ(r["jobs"].size(), 1u);
  const auto& j = r["jobs"][0];
  const auto* f = finding_in(j, "mem.uninit", "main");
  ASSERT_NE(f, nullptr) << j.dump(1);
  bool origin = false;
  for (const auto& aux : (*f)["aux_stacks"])
    for (const auto& frame : aux["stack"]) origin = origin || frame.value("function", "") == "make_flag";
  EXPECT_TRUE(origin) << f->dump(1);
  EXPECT_NE(j["run_command"].get<std::string>().find("--track-origins=yes"), std::string::npos) << j["run_command"];
  EXPECT_NE(j["notes"].dump().find("ran again with --track-origins=yes"), std::string::npos) << j["notes"].dump();
}

TEST(Output, EachJobIsPrintedOnce) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/output-once";
  std::filesystem::remove_all(dir);
  for (const char* progress : {"--no-progress", ""}) {
    SCOPED_TRACE(progress);
    const auto out = run_sohound(fmt::format("exec --no-cache --tools memcheck,asan {} --report json --out '{}/{}' -- true",
                                             progress, dir, *progress ? "quiet" : "lines"));
    EXPECT_EQ(out.exit_code, 0) << out.text;
    EXPECT_EQ(occurrences(out.text, "exec/true "), 2u) << out.text;  // memcheck, and asan (skipped)
    EXPECT_EQ(occurrences(out.text, " memcheck "), 1u) << out.text;
  }
  // A failing job is listed again in the summary only when it was not already printed.
  const auto failing =
      run_sohound(fmt::format("exec --no-cache --tools memcheck --report json --out '{}/failing' -- false", dir));
  EXPECT_EQ(failing.exit_code, 1) << failing.text;
  EXPECT_EQ(occurrences(failing.text, "FAIL exec/false "), 2u) << failing.text;  // as it ended, and among those that did not pass
  EXPECT_NE(failing.text.find("the program exited with status 1 (a passing run exits with 0)"), std::string::npos)
      << failing.text;
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(Programs, CheckCountsProgramsApartFromFeatures) {
  const auto check = run_sohound(fmt::format("check '{}'", SOHOUND_E2E_PROGRAMS_SPEC));
  EXPECT_EQ(check.exit_code, 0) << check.text;
  EXPECT_NE(check.text.find("ok (suite 'programs', 0 features, 10 programs, 0 expectations)"), std::string::npos) << check.text;
}

}  // namespace
}  // namespace e2e

// Issue 19: a program under a sanitizer reports through Sohound's channel library
// (drivers/sohound_channel.c). What a daemon does to its descriptors (closefrom, stderr sent to
// /dev/null, every low descriptor replaced) loses no finding, under GCC's ASan, UBSan and TSan and
// Clang's ASan; a program that skips its exit handlers or forges its report is report_lost; a
// script that runs nothing under the tool is skipped, never a clean pass.
namespace e2e {
namespace {

const json* first_finding(const json& job, const std::string& kind, const std::string& function) {
  for (const auto& f : job["findings"]) {
    if (f["kind"] != kind) continue;
    for (const auto& frame : f["stack"])
      if (frame["function"] == function) return &f;
  }
  return nullptr;
}

TEST(ProgramChannel, WhatADaemonDoesToItsDescriptorsLosesNoFinding) {
  const std::pair<const char*, const char*> k_expected[] = {
      {"asan", "leak.definite"}, {"ubsan", "ub.signed-integer-overflow"}, {"tsan", "race.data"}};
  for (const char* feature : {"channel_closefrom", "channel_stderr"}) {
    for (const auto& [tool, kind] : k_expected) {
      SCOPED_TRACE(std::string(feature) + " " + tool);
      const auto* j = job("programs", feature, tool);
      ASSERT_TRUE(j);
      EXPECT_EQ((*j)["outcome"], "ok") << (*j)["message"];
      EXPECT_TRUE(first_finding(*j, kind, std::string(tool) == "tsan" ? "channel_racer" : "channel_bugs")) << frames_of(*j);
    }
  }
  // Clang links the runtime into the program: the interposed calls keep the channel.
  const auto* clang = job("programs", "channel_clang", "asan");
  ASSERT_TRUE(clang);
  EXPECT_EQ((*clang)["outcome"], "ok") << (*clang)["message"];
  const auto* leak = first_finding(*clang, "leak.definite", "channel_bugs");
  ASSERT_TRUE(leak) << frames_of(*clang);
  EXPECT_EQ((*leak)["bytes"], 43);
  for (const char* tool : {"asan", "ubsan", "tsan"}) {
    const auto* clean = job("programs", "channel_clean", tool);
    ASSERT_TRUE(clean) << tool;
    EXPECT_EQ((*clean)["outcome"], "ok") << tool << ": " << (*clean)["message"];
    EXPECT_TRUE((*clean)["findings"].empty()) << tool << ": " << frames_of(*clean);
  }
}

TEST(ProgramChannel, NoProofIsNeverAPass) {
  const auto* early = job("programs", "channel_exit_early", "asan");
  ASSERT_TRUE(early);
  EXPECT_EQ((*early)["outcome"], "report_lost");
  EXPECT_FALSE((*early)["passed"].get<bool>());
  EXPECT_NE((*early)["message"].get<std::string>().find("skipped its exit handlers (_exit"), std::string::npos)
      << (*early)["message"];
  for (const char* tool : {"asan", "ubsan"}) {
    const auto* forged = job("programs", "channel_forged", tool);
    ASSERT_TRUE(forged) << tool;
    EXPECT_EQ((*forged)["outcome"], "report_lost") << tool;
    EXPECT_FALSE((*forged)["passed"].get<bool>());
    EXPECT_NE((*forged)["message"].get<std::string>().find("completion record is not this run's"), std::string::npos)
        << (*forged)["message"];
  }
  const auto* script = job("programs", "script_without_sanitizer", "asan");
  ASSERT_TRUE(script);
  EXPECT_EQ((*script)["outcome"], "skipped");
  EXPECT_NE((*script)["message"].get<std::string>().find("/bin/sh is not built with asan"), std::string::npos)
      << (*script)["message"];
}

}  // namespace
}  // namespace e2e
