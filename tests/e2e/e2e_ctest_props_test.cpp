// `sohound ctest` gives every CTest test the verdict plain `ctest` gives it (issue 23): a project
// whose tests use fixtures, DEPENDS, SKIP_RETURN_CODE, ENVIRONMENT_MODIFICATION, the PASS and FAIL
// expressions, WILL_FAIL, REQUIRED_FILES, RESOURCE_LOCK, RUN_SERIAL, a shell-script test and a
// wrapper that starts each build's own program (tests/e2e/ctest_props, built plain and with ASan by
// its setup.sh). Plain ctest is run here, on the same build, and is the oracle.
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <regex>

namespace e2e {
namespace {

const std::string k_props = std::string(SOHOUND_E2E_OUT) + "/ctest_props";
const std::vector<std::string> k_tools = {"memcheck", "asan", "helgrind"};

// What plain ctest says of each test: Passed, Failed, Skipped or Not Run (`builds`: one test's own
// plain and ASan build folders).
std::map<std::string, std::string> ctest_verdicts(const std::string& builds) {
  const auto run = run_sohound_shell(fmt::format("ctest --test-dir '{}/plain' -j 2", builds));
  std::map<std::string, std::string> verdicts;
  const std::regex line(R"(Test +#\d+: (\S+) \.+[ *]*(Passed|Failed|Skipped|Not Run))");
  for (std::sregex_iterator it(run.text.begin(), run.text.end(), line), end; it != end; ++it) verdicts[(*it)[1]] = (*it)[2];
  return verdicts;
}

std::string outcome_for(const std::string& ctest_verdict) {
  if (ctest_verdict == "Passed") return "ok";
  if (ctest_verdict == "Failed") return "crashed";
  if (ctest_verdict == "Skipped") return "skipped";
  return "not_run";
}

// Every test under every tool: plain ctest's verdict, and the planted leak (props_leak) where the
// test runs it, nothing else. Returns what differs, one line each.
std::vector<std::string> differences(const json& r, const std::map<std::string, std::string>& verdicts) {
  std::vector<std::string> wrong;
  for (const auto& [test, verdict] : verdicts)
    for (const auto& tool : k_tools) {
      const auto* job = job_in(r, test, tool);
      if (!job) {
        wrong.push_back(fmt::format("{} under {}: no job", test, tool));
        continue;
      }
      if ((*job)["outcome"] != outcome_for(verdict))
        wrong.push_back(fmt::format("{} under {}: {} ({}), ctest says {}", test, tool, std::string((*job)["outcome"]),
                                    (*job).value("message", ""), verdict));
      const bool planted = (test == "leaks" || test == "script") && tool != "helgrind";
      std::size_t fresh = 0;
      for (const auto& f : (*job)["findings"]) fresh += f["status"] == "new";
      if (fresh != (planted ? 1u : 0u))
        wrong.push_back(fmt::format("{} under {}: {} new findings\n{}", test, tool, fresh, frames_of(*job)));
      if (planted && !finding(*job, "leak.definite", "props_leak"))
        wrong.push_back(fmt::format("{} under {}: no leak.definite in props_leak\n{}", test, tool, frames_of(*job)));
    }
  return wrong;
}

TEST(CtestFidelity, EveryTestGetsPlainCtestsVerdictUnderEveryToolRunAfterRun) {
  const auto builds = k_props + "/fidelity";
  const auto verdicts = ctest_verdicts(builds);
  ASSERT_EQ(verdicts.size(), 20u);
  ASSERT_EQ(verdicts.at("broken.user"), "Not Run");  // the oracle is what this test says it is
  ASSERT_EQ(verdicts.at("skips"), "Skipped");
  ASSERT_EQ(verdicts.at("will_fail"), "Passed");
  // SOHOUND_FIDELITY_RUNS=10 for the issue's "10 runs of 10".
  const int runs = std::getenv("SOHOUND_FIDELITY_RUNS") ? std::atoi(std::getenv("SOHOUND_FIDELITY_RUNS")) : 2;
  for (int i = 1; i <= runs; ++i) {
    const auto out = fmt::format("{}/fidelity-{}", k_props, i);
    const auto run =
        run_sohound(fmt::format("ctest '{0}/plain' --asan '{0}/asan' --tools {1} -j 2 --no-progress "
                                "--report json --out '{2}'",
                                builds, fmt::join(k_tools, ","), out));
    EXPECT_EQ(run.exit_code, 1) << run.text;
    const auto r = read_results(out);
    EXPECT_EQ(differences(r, verdicts), std::vector<std::string>{}) << "run " << i;
    // The wrapper started the ASan build's program under ASan, the plain one under memcheck.
    const auto* asan = job_in(r, "script", "asan");
    ASSERT_TRUE(asan);
    EXPECT_NE(slurp(std::string((*asan)["job_dir"]) + "/run.sh").find(builds + "/asan/props"), std::string::npos);
    const auto* user = job_in(r, "broken.user", "memcheck");
    ASSERT_TRUE(user);
    EXPECT_NE((*user)["message"].get<std::string>().find("the set-up test 'broken.setup' of its fixture 'broken'"),
              std::string::npos);
  }
}

// With the result cache: a fixture's jobs under one tool run together or are cached together (the
// users read what the set-up makes and the clean-up removes), and a cached result never stands for
// a test that would not run (broken.user's command is the same as a passing test's).
TEST(CtestFidelity, TheCacheKeepsEveryVerdict) {
  const auto builds = k_props + "/cache";
  const auto verdicts = ctest_verdicts(builds);
  const auto cache = k_props + "/result-cache";
  std::filesystem::remove_all(cache);
  for (int i = 1; i <= 2; ++i) {
    const auto out = fmt::format("{}/cached-{}", k_props, i);
    const auto run = run_sohound(fmt::format("ctest '{0}/plain' --asan '{0}/asan' --tools {1} -j 2 --no-progress "
                                             "--report json --cache-dir '{2}' --out '{3}'",
                                             builds, fmt::join(k_tools, ","), cache, out),
                                 "SOHOUND_CACHE=1");
    EXPECT_EQ(run.exit_code, 1) << run.text;
    const auto r = read_results(out);
    EXPECT_EQ(differences(r, verdicts), std::vector<std::string>{}) << "run " << i;
    for (const auto& tool : k_tools) {
      std::set<bool> cached;
      for (const auto* test : {"db.setup", "db.read", "db.read2", "db.cleanup"})
        cached.insert(job_in(r, test, tool)->value("cached", false));
      EXPECT_EQ(cached.size(), 1u) << tool << ": the fixture ran in part";
    }
    if (i == 2) {
      EXPECT_TRUE(job_in(r, "fails", "memcheck")->value("cached", false));
    }
  }
}

// A program Valgrind cannot start is the test's problem, said as such (not_run, exit 1), never
// Valgrind's (tool_failed, exit 3): a set-user-ID program, a #! naming no interpreter, a working
// folder that is not there.
TEST(ProgramsNotStarted, SetuidBadInterpreterAndMissingFolderAreTheTestsNotValgrinds) {
  const auto dir = std::filesystem::path(k_props) / "not-started";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file("/bin/true", dir / "suid");
  std::filesystem::permissions(dir / "suid", std::filesystem::perms::set_uid, std::filesystem::perm_options::add);
  put(dir / "bad.sh", "#!/no/such/interpreter\necho hi\n");
  std::filesystem::permissions(dir / "bad.sh", std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  put(dir / "ct/CTestTestfile.cmake",
      fmt::format("add_test(suid \"{0}/suid\")\nadd_test(bad \"{0}/bad.sh\")\nadd_test(gone \"/bin/true\")\n"
                  "set_tests_properties(gone PROPERTIES WORKING_DIRECTORY \"{0}/gone\")\n",
                  dir.string()));
  const auto out = (dir / "out").string();
  const auto run =
      run_sohound(fmt::format("ctest '{}/ct' --tools memcheck --no-progress --report json --out '{}'", dir.string(), out));
  EXPECT_EQ(run.exit_code, 1) << run.text;
  const auto r = read_results(out);
  const std::map<std::string, std::string> says = {
      {"suid", "is set-user-ID, set-group-ID or has file capabilities, which Valgrind cannot honour"},
      {"bad", "its #! line names an interpreter that is not there"},
      {"gone", "its working folder " + (dir / "gone").string() + " is not there"}};
  for (const auto& [test, text] : says) {
    const auto* job = job_in(r, test, "memcheck");
    ASSERT_TRUE(job) << test;
    EXPECT_EQ((*job)["outcome"], "not_run") << test;
    EXPECT_NE((*job)["message"].get<std::string>().find(text), std::string::npos) << (*job)["message"];
  }
}

}  // namespace
}  // namespace e2e
