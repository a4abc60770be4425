// The sandbox's command lines (pure), and the real launcher running real processes inside
// bubblewrap through the real status shim: signals, exit statuses, missing programs, read-only.
#include "harness/exec/sandbox.hpp"

#include "harness/exec/boost_process_launcher.hpp"
#include "harness/testing/launch.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>

namespace harness::exec {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;

std::ptrdiff_t position(const std::vector<std::string>& argv, const std::vector<std::string>& run) {
  const auto it = std::search(argv.begin(), argv.end(), run.begin(), run.end());
  return it == argv.end() ? -1 : it - argv.begin();
}

Sandbox planned() {
  Sandbox s;
  s.on = true;
  s.engine = "bubblewrap";
  s.bwrap = "/usr/bin/bwrap";
  s.shim = "/opt/sohound/libexec/sohound/sohound-status";
  s.hidden = {"/w/out", "/home/u/.cache/sohound"};
  s.readable = {"/w/out/build", "/w/out/lib", "/w/out/runtime"};
  return s;
}

TEST(SandboxArgv, LaterMountsCoverEarlierOnes) {
  const auto argv = sandbox_argv(planned(), {"/w/out/jobs/s/f/memcheck"}, "/w/out/jobs/s/f/memcheck/work");
  ASSERT_EQ(argv.front(), "/usr/bin/bwrap");
  const auto root = position(argv, {"--ro-bind", "/", "/"});
  const auto tmp = position(argv, {"--tmpfs", "/tmp"});
  const auto out = position(argv, {"--tmpfs", "/w/out"});
  const auto cache = position(argv, {"--tmpfs", "/home/u/.cache/sohound"});
  const auto build = position(argv, {"--ro-bind-try", "/w/out/build", "/w/out/build"});
  const auto job = position(argv, {"--bind", "/w/out/jobs/s/f/memcheck", "/w/out/jobs/s/f/memcheck"});
  const auto out_ro = position(argv, {"--remount-ro", "/w/out"});
  const auto cache_ro = position(argv, {"--remount-ro", "/home/u/.cache/sohound"});
  for (auto p : {root, tmp, out, cache, build, job, out_ro, cache_ro}) ASSERT_GE(p, 0);
  EXPECT_LT(root, tmp);
  EXPECT_LT(tmp, out);
  EXPECT_LT(out, build);
  EXPECT_LT(build, job);
  EXPECT_LT(job, out_ro);
  EXPECT_LT(cache, cache_ro);
  EXPECT_GE(position(argv, {"--unshare-net"}), 0);
  EXPECT_GE(position(argv, {"--die-with-parent"}), 0);
  EXPECT_EQ(position(argv, {"--new-session"}), -1);  // the launcher stops a job by its process group
  EXPECT_GE(position(argv, {"--chdir", "/w/out/jobs/s/f/memcheck/work"}), 0);
  // The shim last, then the command.
  const std::vector<std::string> tail = {"--", "/opt/sohound/libexec/sohound/sohound-status", "850", "--"};
  EXPECT_EQ(std::vector<std::string>(argv.end() - 4, argv.end()), tail);
}

// A decompressed debug file is bound over the original after the private /tmp and the folders
// shown in it (an original there is replaced too), before the cache it lives in is hidden.
TEST(SandboxArgv, AReplacedFileIsBoundOverItsOriginal) {
  auto sandbox = planned();
  sandbox.replaced = {{"/home/u/.cache/sohound/v2/debug/k.debug", "/usr/lib/debug/.build-id/93/ac.debug"}};
  const auto argv = sandbox_argv(sandbox, {}, "");
  const auto tmp = position(argv, {"--tmpfs", "/tmp"});
  const auto copy =
      position(argv, {"--ro-bind-try", "/home/u/.cache/sohound/v2/debug/k.debug", "/usr/lib/debug/.build-id/93/ac.debug"});
  ASSERT_GE(tmp, 0);
  ASSERT_GE(copy, 0);
  EXPECT_LT(tmp, copy);
  EXPECT_LT(copy, position(argv, {"--tmpfs", "/home/u/.cache/sohound"}));
}

TEST(SandboxArgv, ConfineBindsAWorkingFolderOutsideTheJobs) {
  Command c;
  c.argv = {"./test_foo"};
  c.cwd = "/src/project/build/tests";  // an adopted CTest test's WORKING_DIRECTORY
  confine(c, planned(), {"/w/out/jobs/p/test_foo/memcheck"});
  EXPECT_GE(position(c.sandbox, {"--bind", "/src/project/build/tests", "/src/project/build/tests"}), 0);
  Command inside;
  inside.argv = {"driver"};
  inside.cwd = "/w/out/jobs/s/f/memcheck/work";
  confine(inside, planned(), {"/w/out/jobs/s/f/memcheck"});
  EXPECT_EQ(position(inside.sandbox, {"--bind", "/w/out/jobs/s/f/memcheck/work"}), -1);
  Sandbox off;
  Command untouched;
  untouched.argv = {"driver"};
  confine(untouched, off, {"/w/out/jobs"});
  EXPECT_TRUE(untouched.sandbox.empty());
}

TEST(SandboxArgv, FoldersUnderTmpTheRunReadsAreShownReadOnly) {
  const auto roots = temporary_roots({"/tmp/ci/build/libex.so", "-L/tmp/deps/lib", "-Wl,-rpath,/tmp/rpath/lib", "/a:/tmp/ld/x",
                                      "/var/tmp/not-ours/x", "/tmp", "/home/u/tmp/x", "-I/tmp/ci/include", "K=/tmp/env/x", ""});
  EXPECT_EQ(roots, (std::vector<std::string>{"/tmp/ci", "/tmp/deps", "/tmp/env", "/tmp/ld", "/tmp/rpath"}));
  auto sandbox = planned();
  sandbox.shown = {"/tmp/ci"};
  const auto argv = sandbox_argv(sandbox, {}, "");
  const auto tmp = position(argv, {"--tmpfs", "/tmp"});
  const auto shown = position(argv, {"--ro-bind-try", "/tmp/ci", "/tmp/ci"});
  const auto out = position(argv, {"--tmpfs", "/w/out"});
  ASSERT_GE(tmp, 0);
  EXPECT_LT(tmp, shown);
  EXPECT_LT(shown, out);  // an --out inside a shown folder is still hidden
}

// A test's working folder that holds --out (a build folder with the output inside it): bound
// first, so --out is still hidden within it.
TEST(SandboxArgv, AWritableFolderHoldingOutIsBoundBeforeOutIsHidden) {
  const auto argv = sandbox_argv(planned(), {"/w", "/w/out/jobs/p/t/memcheck"}, "/w");
  const auto outer = position(argv, {"--bind", "/w", "/w"});
  const auto out = position(argv, {"--tmpfs", "/w/out"});
  const auto job = position(argv, {"--bind", "/w/out/jobs/p/t/memcheck", "/w/out/jobs/p/t/memcheck"});
  ASSERT_GE(outer, 0);
  EXPECT_LT(outer, out);
  EXPECT_LT(out, job);
}

TEST(SandboxPlan, SaysWhyNot) {
  EXPECT_FALSE(plan_sandbox(SandboxMode::off, "/x/sohound-status", "/w/out", {}).on);
  EXPECT_EQ(plan_sandbox(SandboxMode::off, "/x/sohound-status", "/w/out", {}).reason, "turned off by --sandbox off");
  const auto no_shim = plan_sandbox(SandboxMode::automatic, "", "/w/out", {});
  EXPECT_FALSE(no_shim.on);
  EXPECT_NE(no_shim.reason.find("sohound-status"), std::string::npos) << no_shim.reason;
  const auto hidden_shim = plan_sandbox(SandboxMode::on, "/w/out/bin/sohound-status", "/w/out", {});
  EXPECT_FALSE(hidden_shim.on);
  EXPECT_NE(hidden_shim.reason.find("hides"), std::string::npos) << hidden_shim.reason;
  const auto ok = plan_sandbox(SandboxMode::automatic, "/x/sohound-status", "/w/out", {"/c", "/w/out/cache", ""});
  ASSERT_TRUE(ok.on) << ok.reason;
  EXPECT_EQ(ok.hidden, (std::vector<std::string>{"/w/out", "/c"}));  // one inside --out is hidden already
}

// The real thing: bwrap and sohound-status, through the launcher.
struct SandboxRun : ::testing::Test {
  asio::io_context io;
  BoostProcessLauncher launcher{std::chrono::milliseconds(500)};
  fs::path dir = fs::temp_directory_path() / ("sohound-sandbox-" + std::to_string(::getpid()));
  Sandbox sandbox;
  void SetUp() override {
    fs::create_directories(dir / "out" / "job" / "work");
    fs::create_directories(dir / "outside");
    sandbox = plan_sandbox(SandboxMode::on, SOHOUND_STATUS_SHIM, (dir / "out").string(), {});
    ASSERT_TRUE(sandbox.on) << sandbox.reason << " (ci/setup.sh installs bubblewrap)";
  }
  void TearDown() override { fs::remove_all(dir); }

  ProcessResult run(const std::string& script) {
    Command c;
    c.argv = {"sh", "-c", script};
    c.cwd = (dir / "out" / "job" / "work").string();
    c.stderr_path = (dir / "out" / "job" / "stderr.txt").string();
    confine(c, sandbox, {(dir / "out" / "job").string()});
    return testing::launch(io, launcher, c);
  }
};

TEST_F(SandboxRun, ASignalIsASignalAndAnExitStatusIsAnExitStatus) {
  const auto killed = run("kill -SEGV $$");
  ASSERT_TRUE(killed.started) << killed.start_error;
  EXPECT_EQ(killed.signal, SIGSEGV);
  EXPECT_EQ(killed.exit_code, -1);
  const auto exited = run("exit 139");
  ASSERT_TRUE(exited.started) << exited.start_error;
  EXPECT_EQ(exited.exit_code, 139);
  EXPECT_EQ(exited.signal, 0);
}

// The command leads its own process group, as outside the sandbox (a feature that forks and tells
// parent from children by getpgid(0) == getpid() behaves the same).
TEST_F(SandboxRun, TheCommandLeadsItsProcessGroup) {
  const auto result = run("test \"$(cut -d' ' -f5 /proc/$$/stat)\" = \"$$\"");
  ASSERT_TRUE(result.started) << result.start_error;
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(SandboxRun, OnlyTheJobFolderAndTmpAreWritable) {
  const auto outside = (dir / "outside" / "x").string();
  const auto beside = (dir / "out" / "x").string();
  const auto result = run("touch own && touch ../report && touch /tmp/t && ! touch " + outside + " && ! touch " + beside +
                          " && ! ls " + (dir / "out" / "job" / ".." / ".." / "outside").string());
  ASSERT_TRUE(result.started) << result.start_error;
  EXPECT_EQ(result.exit_code, 0) << util::read_file_or_empty((dir / "out" / "job" / "stderr.txt").string());
  EXPECT_TRUE(fs::exists(dir / "out" / "job" / "work" / "own"));
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_FALSE(fs::exists(beside));
}

// The copy is read at the original's path although the folder it lives in (the result cache) is
// hidden; the original outside is untouched.
TEST_F(SandboxRun, AReplacedFileReadsAsItsCopy) {
  fs::create_directories(dir / "cache");
  util::write_file((dir / "outside" / "original").string(), "original\n");
  util::write_file((dir / "cache" / "copy").string(), "copy\n");
  sandbox = plan_sandbox(SandboxMode::on, SOHOUND_STATUS_SHIM, (dir / "out").string(), {(dir / "cache").string()});
  sandbox.replaced = {{(dir / "cache" / "copy").string(), (dir / "outside" / "original").string()}};
  const auto result =
      run("test \"$(cat " + (dir / "outside" / "original").string() + ")\" = copy && ! ls " + (dir / "cache" / "copy").string());
  ASSERT_TRUE(result.started) << result.start_error;
  EXPECT_EQ(result.exit_code, 0) << util::read_file_or_empty((dir / "out" / "job" / "stderr.txt").string());
  EXPECT_EQ(util::read_file_or_empty((dir / "outside" / "original").string()), "original\n");
}

TEST_F(SandboxRun, AProgramThatCannotStartIsSaidSo) {
  Command c;
  c.argv = {"/bin/sh"};
  c.cwd = (dir / "out" / "job" / "work").string();
  confine(c, sandbox, {(dir / "out" / "job").string()});
  c.argv = {(dir / "outside").string()};  // a folder: exec fails with EACCES, inside the sandbox
  const auto result = testing::launch(io, launcher, c);
  EXPECT_FALSE(result.started);
  EXPECT_NE(result.start_error.find("in the sandbox"), std::string::npos) << result.start_error;
}

// A stop (timeout, Ctrl-C) reaches the command as SIGTERM, and it may finish what it writes (as
// Valgrind completes its XML) within the grace period: bwrap does not die first and take it along.
TEST_F(SandboxRun, AStopLetsTheCommandFinishItsReport) {
  const auto ready = (dir / "out" / "job" / "ready").string();
  const auto report = (dir / "out" / "job" / "report").string();
  Command c;
  c.argv = {"sh", "-c", "trap 'sleep 0.2; echo whole > " + report + "; exit 5' TERM; touch " + ready + "; sleep 60 & wait"};
  c.cwd = (dir / "out" / "job" / "work").string();
  confine(c, sandbox, {(dir / "out" / "job").string()});
  const bool aborted = testing::launch_and_cancel_when(io, launcher, c, [&] { return fs::exists(ready); });
  EXPECT_TRUE(aborted);
  EXPECT_EQ(util::read_file_or_empty(report), "whole\n");
}

}  // namespace
}  // namespace harness::exec
