#include "harness/exec/strays.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace harness::exec {
namespace {

// Init (and kthreadd, where visible) has no parent in our namespace and is no process of ours: its
// empty environment is never waited for. A child of ours is; a pid that has ended is read again.
TEST(Strays, OnlyOurOwnProcessesAreWaitedForInExec) {
  EXPECT_FALSE(may_be_ours_in_exec(1));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  EXPECT_TRUE(may_be_ours_in_exec(child));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(may_be_ours_in_exec(child));  // gone: its parent cannot be read
  EXPECT_FALSE(may_be_ours_in_exec(::getppid()));
}

// A process that leaves its group and session (setsid) and outlives its parent is found by its
// token and killed, with the feature position its line inherited; one without the token is left
// alone.
TEST(Strays, ASetsidGrandchildIsFoundByItsTokenAndKilled) {
  ASSERT_TRUE(become_subreaper());
  const auto token = new_job_token();
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv(k_job_token_variable, token.c_str(), 1);
    ::setenv(k_feature_slot_variable, "0000000004", 1);
    if (::fork() == 0) {
      ::setsid();
      const char byte = 1;
      [[maybe_unused]] auto n = ::write(ready[1], &byte, 1);
      ::execl("/bin/sleep", "sleep", "300", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ::waitpid(child, nullptr, 0);
  ::usleep(100 * 1000);  // exec of sleep, so its environment is the token's

  const auto strays = kill_strays(token);
  ASSERT_EQ(strays.size(), 1u);
  EXPECT_EQ(strays[0].command, "sleep 300");
  EXPECT_EQ(strays[0].feature_slot, 4) << "the position of the feature that started its line";
  EXPECT_NE(::kill(strays[0].pid, 0), 0) << "killed and reaped";
  EXPECT_TRUE(kill_strays(token).empty());
  EXPECT_TRUE(kill_strays("another-token").empty());
}

TEST(Strays, AnOrphanWithoutItsTokenIsKilledAtTheEnd) {
  ASSERT_TRUE(become_subreaper());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::fork() == 0) {
      ::setsid();
      ::execl("/bin/sleep", "sleep", "301", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::_exit(0);
  }
  ::waitpid(child, nullptr, 0);
  ::usleep(100 * 1000);
  const auto orphans = kill_orphans();
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans[0].command, "sleep 301");
  EXPECT_TRUE(kill_orphans().empty());
}

// The case: a test that starts `setsid sleep 30 &` and exits at once. When the shell has
// exited, its background child may still be on its way through exec (of setsid, then of sleep),
// when /proc/PID/environ reads empty; it is found every time, not when the timing is kind.
TEST(Strays, ADaemonStartedJustBeforeTheJobExitsIsFoundEveryTime) {
  ASSERT_TRUE(become_subreaper());
  int found = 0;
  constexpr int k_runs = 100;
  for (int run = 0; run < k_runs; ++run) {
    const auto token = new_job_token();
    const pid_t shell = ::fork();
    ASSERT_GE(shell, 0);
    if (shell == 0) {
      ::setenv(k_job_token_variable, token.c_str(), 1);
      ::execl("/bin/sh", "sh", "-c", "setsid sleep 30 & exit 0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::waitpid(shell, nullptr, 0);
    const auto strays = kill_strays(token);
    found += strays.size() == 1 ? 1 : 0;
    EXPECT_EQ(strays.size(), 1u) << "run " << run;
  }
  EXPECT_EQ(found, k_runs);
  EXPECT_TRUE(kill_orphans().empty()) << "nothing was left for the end-of-run sweep";
}

}  // namespace
}  // namespace harness::exec
