#include "harness/exec/program_verdict.hpp"

#include <gtest/gtest.h>

namespace harness::exec {
namespace {

using model::JobOutcome;

ExitVerdict judge(const model::ProgramSpec& program, int exit_code, const std::string& printed = "") {
  return judge_exit(program, exit_code, [&] { return printed; });
}

TEST(ProgramVerdict, TheExitStatusDecidesWithoutProperties) {
  model::ProgramSpec program;
  EXPECT_EQ(judge(program, 0).outcome, JobOutcome::ok);
  const auto failed = judge(program, 3);
  EXPECT_EQ(failed.outcome, JobOutcome::crashed);
  EXPECT_EQ(failed.message, "the program exited with status 3 (a passing run exits with 0)");
  program.exit_status = 3;
  EXPECT_EQ(judge(program, 3).outcome, JobOutcome::ok);
}

// As CTest judges (cmCTestRunTest::EndTest): WILL_FAIL inverts; SKIP_RETURN_CODE and a SKIP
// expression skip whatever else holds; a PASS expression replaces the exit status; a FAIL
// expression fails; each said in the message.
TEST(ProgramVerdict, CtestPropertiesJudgeAsCtestDoes) {
  model::ProgramSpec program;
  program.verdict.will_fail = true;
  EXPECT_EQ(judge(program, 1).outcome, JobOutcome::ok);
  const auto passed = judge(program, 0);
  EXPECT_EQ(passed.outcome, JobOutcome::crashed);
  EXPECT_EQ(passed.message, "the test is WILL_FAIL and it passed (exit status 0)");

  program = {};
  program.verdict.skip_exit_status = 77;
  const auto skipped = judge(program, 77);
  EXPECT_EQ(skipped.outcome, JobOutcome::skipped);
  EXPECT_EQ(skipped.message, "the test skipped itself: it exited with 77, its SKIP_RETURN_CODE");
  EXPECT_EQ(judge(program, 1).outcome, JobOutcome::crashed);

  program = {};
  program.verdict.pass_regex = {"all g[o]+d", "fine"};
  EXPECT_EQ(judge(program, 3, "line one\nall good here\n").outcome, JobOutcome::ok) << "the exit status does not count";
  const auto missing = judge(program, 0, "nothing to see\n");
  EXPECT_EQ(missing.outcome, JobOutcome::crashed);
  EXPECT_EQ(missing.message,
            "the test failed: no PASS_REGULAR_EXPRESSION matched what it printed (all g[o]+d, fine) (exit status 0)");

  program = {};
  program.verdict.fail_regex = {"^ERROR"};
  EXPECT_EQ(judge(program, 0, "ERROR: broke\n").outcome, JobOutcome::crashed);
  EXPECT_EQ(judge(program, 0, "ok\nERROR later\n").outcome, JobOutcome::ok) << "'^' anchors at the start of the output";
  program.verdict.will_fail = true;
  EXPECT_EQ(judge(program, 0, "ERROR: broke\n").outcome, JobOutcome::ok) << "a forced failure, inverted";

  program = {};
  program.verdict.skip_regex = {"SKIP"};
  program.verdict.will_fail = true;
  EXPECT_EQ(judge(program, 0, "SKIP: no network\n").outcome, JobOutcome::skipped);
}

// Meson: exit status 77 skips, 99 fails even a should_fail test; a TAP test is judged on its output.
TEST(ProgramVerdict, MesonsExitStatusesAndTapJudgeAsMesonDoes) {
  model::ProgramSpec program;
  program.verdict.skip_exit_status = 77;
  program.verdict.error_exit_status = 99;
  program.verdict.will_fail = true;
  EXPECT_EQ(judge(program, 99).outcome, JobOutcome::crashed);
  EXPECT_EQ(judge(program, 77).outcome, JobOutcome::skipped);
  EXPECT_EQ(judge(program, 1).outcome, JobOutcome::ok);

  program = {};
  program.verdict.tap = true;
  EXPECT_EQ(judge(program, 0, "1..2\nok 1 a\nnot ok 2 b # TODO later\n").outcome, JobOutcome::ok);
  const auto failed = judge(program, 0, "1..2\nok 1 a\nnot ok 2 b\n");
  EXPECT_EQ(failed.outcome, JobOutcome::crashed);
  EXPECT_EQ(failed.message, "the test failed: its TAP output says not ok 2 b (exit status 0)");
  EXPECT_EQ(judge(program, 0, "1..3\nok 1 a\n").outcome, JobOutcome::crashed) << "a short plan";
  EXPECT_EQ(judge(program, 0, "1..1\nBail out! no db\n").outcome, JobOutcome::crashed);
  EXPECT_EQ(judge(program, 1, "1..1\nok 1\n").outcome, JobOutcome::crashed) << "its exit status still counts";
  EXPECT_EQ(judge(program, 0, "1..0 # SKIP no network\n").outcome, JobOutcome::skipped);
  EXPECT_EQ(judge(program, 0, "1..1\nok 1 # skip no network\n").outcome, JobOutcome::skipped);
}

TEST(ProgramVerdict, OutputIsReadOnlyWhenAnExpressionNeedsIt) {
  model::ProgramSpec program;
  bool read = false;
  EXPECT_EQ(judge_exit(program, 0, [&] { return read = true, std::string(); }).outcome, JobOutcome::ok);
  EXPECT_FALSE(read);
}

// What Valgrind's launcher prints when the program, not Valgrind, cannot start (valgrind 3.19).
TEST(ProgramVerdict, AProgramValgrindCannotStartIsThePrograms) {
  EXPECT_EQ(program_not_started("==1== \n==1== Warning: Can't execute setuid/setgid/setcap executable: /tmp/sx/suid\n"
                                "==1== Possible workaround: remove --trace-children=yes, if in effect\n==1== \n"
                                "valgrind: /tmp/sx/suid: Permission denied\n"),
            "/tmp/sx/suid is set-user-ID, set-group-ID or has file capabilities, which Valgrind cannot honour (it "
            "runs programs without them): give a copy without them, or leave the Valgrind tools out of its tools");
  EXPECT_EQ(program_not_started("valgrind: /tmp/sx/bad.sh: bad interpreter: No such file or directory\n"),
            "/tmp/sx/bad.sh could not be started: its #! line names an interpreter that is not there (bad "
            "interpreter: No such file or directory)");
  EXPECT_EQ(program_not_started("valgrind: ./t: Permission denied\n"), "./t could not be started: Permission denied");
  EXPECT_EQ(program_not_started("valgrind: failed to start tool 'memcheck' for platform 'amd64-linux': No such file\n"), "")
      << "Valgrind's own failure stays tool_failed";
}

TEST(ProgramVerdict, ARegexGlibcRefusesIsSaid) {
  EXPECT_EQ(regex_error({"fine", "a[b"}), "'a[b' is not a regular expression (POSIX extended syntax)");
  EXPECT_EQ(regex_error({"^x.*y$", "(a|b)+"}), "");
}

}  // namespace
}  // namespace harness::exec
