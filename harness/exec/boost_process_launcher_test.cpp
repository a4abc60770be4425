// The real launcher against real processes: exit codes, signals, missing programs, environment,
// and that cancellation stops the child's whole process group.
#include "harness/exec/boost_process_launcher.hpp"
#include "harness/testing/launch.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <signal.h>

#include <filesystem>
#include <thread>

namespace harness::exec {
namespace {
namespace asio = boost::asio;

struct LauncherTest : ::testing::Test {
  asio::io_context io;
  BoostProcessLauncher launcher{std::chrono::milliseconds(500)};
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("sohound-launcher-" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  ProcessResult run(const Command& command) { return testing::launch(io, launcher, command); }
};

TEST_F(LauncherTest, ExitCodeOutputAndEnvironment) {
  Command c;
  c.argv = {"sh", "-c", "echo \"$SOHOUND_TEST_VAR\"; echo oops >&2; exit 3"};
  c.env = {{"SOHOUND_TEST_VAR", "hello"}};
  c.stdout_path = (dir / "out").string();
  c.stderr_path = (dir / "err").string();
  const auto result = run(c);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.signal, 0);
  std::string out, err;
  util::read_file(c.stdout_path, out);
  util::read_file(c.stderr_path, err);
  EXPECT_EQ(out, "hello\n");
  EXPECT_EQ(err, "oops\n");
}

// A process that prints without end stops at the file-size limit (a failed write), not at a full
// disk; the limit holds for its children too.
TEST_F(LauncherTest, OutputStopsAtTheFileSizeLimit) {
  Command c;
  c.argv = {"sh", "-c", "head -c 5000000 /dev/zero; echo after"};
  c.stdout_path = (dir / "out").string();
  c.max_file_bytes = 1 << 20;
  const auto result = run(c);
  EXPECT_EQ(result.signal, 0) << "SIGXFSZ is ignored: the write fails instead";
  EXPECT_EQ(std::filesystem::file_size(c.stdout_path), 1u << 20);
}

// A child that leaves its session is found by the job token and reported.
TEST_F(LauncherTest, AProcessLeftRunningOutsideTheGroupIsKilledAndReported) {
  Command c;
  c.argv = {"sh", "-c", "setsid sleep 302 & sleep 0.2"};
  const auto result = run(c);
  EXPECT_EQ(result.exit_code, 0);
  ASSERT_EQ(result.strays.size(), 1u);
  EXPECT_EQ(result.strays[0].command, "sleep 302");
  // Its start, on the clock of the driver's markers: within the run, to the kernel's tick.
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const double now_ms = static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
  EXPECT_GT(result.strays[0].started_ms, now_ms - 5000);
  EXPECT_LE(result.strays[0].started_ms, now_ms);
}

TEST_F(LauncherTest, DeathBySignal) {
  Command c;
  c.argv = {"sh", "-c", "kill -SEGV $$"};
  const auto result = run(c);
  EXPECT_EQ(result.signal, SIGSEGV);
}

TEST_F(LauncherTest, MissingProgramIsNotStarted) {
  Command c;
  c.argv = {"sohound-no-such-program"};
  const auto result = run(c);
  EXPECT_FALSE(result.started);
  EXPECT_EQ(result.start_error, "sohound-no-such-program: not found on PATH");
}

TEST_F(LauncherTest, MissingOrNonExecutableProgramPathIsNotStarted) {
  Command c;
  c.argv = {"/nonexistent/valgrind"};
  auto result = run(c);
  EXPECT_FALSE(result.started);
  EXPECT_EQ(result.start_error, "/nonexistent/valgrind: No such file or directory");

  const auto plain = (dir / "not-executable").string();
  util::write_file(plain, "#!/bin/sh\n");
  c.argv = {plain};
  result = run(c);
  EXPECT_FALSE(result.started);
  EXPECT_EQ(result.start_error, plain + ": Permission denied");
}

TEST_F(LauncherTest, CancellationStopsTheWholeProcessGroup) {
  Command c;
  const auto pids = (dir / "pids").string();
  // A child that starts a grandchild, records both pids, and ignores nothing.
  c.argv = {"sh", "-c", "sleep 60 & echo $! > " + pids + "; echo $$ >> " + pids + "; wait"};
  // Cancel once both pids are written.
  const bool aborted = testing::launch_and_cancel_when(io, launcher, c, [&] {
    std::string text;
    return util::read_file(pids, text) && std::count(text.begin(), text.end(), '\n') == 2;
  });
  EXPECT_TRUE(aborted);
  std::string text;
  ASSERT_TRUE(util::read_file(pids, text));
  // SIGKILL cannot be ignored, but its delivery to the grandchild is asynchronous: allow it time.
  for (auto line : util::split_lines(text)) {
    const int pid = std::stoi(std::string(line));
    std::string state;
    for (int i = 0; i < 200; ++i) {
      // Gone, or a zombie waiting for a reaper that is not ours (PID 1 in a container may not reap).
      std::string stat;
      const bool exists = util::read_file("/proc/" + std::to_string(pid) + "/stat", stat);
      state = exists ? stat.substr(stat.rfind(')') + 2, 1) : "gone";
      if (state == "gone" || state == "Z") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(state == "gone" || state == "Z") << "process " << pid << " survived cancellation (state " << state << ")";
  }
}

}  // namespace
}  // namespace harness::exec
