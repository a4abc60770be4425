// The command line: exit codes, spec errors, a missing tool, Ctrl-C.
#include "e2e_support.hpp"

#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;

namespace e2e {
namespace {

namespace fs = std::filesystem;
const std::string k_specs = std::string(SOHOUND_SOURCE_DIR) + "/tests/e2e/specs/";
const std::string k_out = std::string(SOHOUND_E2E_OUT) + "/cli";

TEST(CliE2E, CheckAcceptsTheExamples) {
  const auto out = run_sohound("check " + std::string(SOHOUND_SOURCE_DIR) + "/suites/examples/examples.yaml");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_NE(out.text.find("ok (suite 'examples', 15 features, 13 expectations)"), std::string::npos) << out.text;
}

TEST(CliE2E, BadSpecExitsTwoPointingAtTheText) {
  for (const char* cmd : {"check ", "run --no-progress --out /tmp/sohound-never "}) {
    const auto out = run_sohound(cmd + k_specs + "broken.yaml");
    EXPECT_EQ(out.exit_code, 2) << out.text;
    EXPECT_NE(out.text.find("broken.yaml:5:5: unknown key 'timout' in feature; did you mean 'timeout'?\n"
                            "        timout: 5\n"
                            "        ^"),
              std::string::npos)
        << out.text;
  }
}

// A library the machine does not have is the spec's mistake (exit 2, pointing at it), as `check`
// says, not a failed job of the code; and results the cache cannot keep are said, not only counted.
TEST(CliE2E, AMissingPackageIsBadInputAndAnUnwritableCacheIsSaid) {
  std::filesystem::create_directories(k_out);
  const auto spec = k_out + "/badpkg.yaml";
  std::ofstream(spec) << "suite: badpkg\nlibrary:\n  pkg-config: [libnotthere]\ntools: [memcheck]\n"
                         "features:\n  - name: a\n    code: 'int x = 0; (void)x;'\n";
  auto out = run_sohound("run --no-progress --out " + k_out + "/badpkg " + spec);
  EXPECT_EQ(out.exit_code, 2) << out.text;
  EXPECT_NE(out.text.find("sohound: exit 2 (the spec names what this machine does not have): " + spec +
                          ":3:16: pkg-config package 'libnotthere' not found"),
            std::string::npos)
      << out.text;
  EXPECT_TRUE(std::filesystem::exists(k_out + "/badpkg/results.json"));  // what was gathered is written
  // The summary and results.json say the exit status the process gives, not the jobs' own 1.
  EXPECT_NE(out.text.find("BAD INPUT (exit 2: the spec names what this machine does not have)"), std::string::npos) << out.text;
  const auto r = read_results(k_out + "/badpkg");
  EXPECT_EQ(r["exit_code"], 2);
  ASSERT_EQ(r["input_errors"].size(), 1u);
  EXPECT_NE(r["input_errors"][0].get<std::string>().find("pkg-config package 'libnotthere' not found"), std::string::npos);
  out = run_sohound("run --no-progress --tools asan --cache-dir /dev/null/cache --out " + k_out + "/nocache " + k_specs +
                    "tiny.yaml");
  EXPECT_NE(out.text.find("could not be stored in the result cache /dev/null/cache"), std::string::npos) << out.text;
  // A cache at the root would write /v1 and /v2, as --out / would write there: refused alike.
  out = run_sohound("run --no-progress --out " + k_out + "/rootcache " + k_specs + "tiny.yaml",
                    "SOHOUND_CACHE=1 SOHOUND_CACHE_DIR=/");
  EXPECT_EQ(out.exit_code, 2) << out.text;
  EXPECT_NE(out.text.find("the result cache '/' (SOHOUND_CACHE_DIR) would write into the root folder"), std::string::npos)
      << out.text;
}

TEST(CliE2E, BadCommandLineExitsTwo) {
  auto out = run_sohound("run --tools memchek " + k_specs + "tiny.yaml");
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_NE(out.text.find("unknown tool 'memchek' (did you mean 'memcheck'?)"), std::string::npos) << out.text;
  out = run_sohound("frobnicate");
  EXPECT_EQ(out.exit_code, 2);
  out = run_sohound("run --filter 'nothing*' --out " + k_out + "/none " + k_specs + "tiny.yaml");
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_NE(out.text.find("--filter 'nothing*' matched no feature"), std::string::npos) << out.text;
  out = run_sohound("exec --timeout 0 -- /bin/true");  // once "not in range 0 to 1797693134862315..."
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_NE(out.text.find("--timeout: must be a number of seconds above 0 (0 is not)"), std::string::npos) << out.text;
}

TEST(CliE2E, MissingToolIsAnInfrastructureFailure) {
  const auto out = run_sohound("run --no-progress --tools memcheck --out " + k_out + "/novalgrind " + k_specs + "tiny.yaml",
                               "SOHOUND_VALGRIND=/nonexistent/valgrind");
  EXPECT_EQ(out.exit_code, 3) << out.text;
  const auto r = read_results(k_out + "/novalgrind");
  ASSERT_EQ(r["jobs"].size(), 1u);
  EXPECT_EQ(r["jobs"][0]["outcome"], "tool_failed");
  EXPECT_NE(r["jobs"][0]["message"].get<std::string>().find("/nonexistent/valgrind"), std::string::npos);
}

TEST(CliE2E, CleanRunExitsZeroWithResults) {
  const auto out = run_sohound("run --no-progress --out " + k_out + "/tiny " + k_specs + "tiny.yaml");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_NE(out.text.find("PASS (exit 0)"), std::string::npos) << out.text;
  EXPECT_EQ(read_results(k_out + "/tiny")["totals"]["passed"], 6) << "a spec without tools: runs all six";
}

TEST(CliE2E, CtrlCStopsEveryJobAndStillWritesResults) {
  const std::string out_dir = k_out + "/sleepy";
  fs::remove_all(out_dir);
  const std::string spec = k_specs + "sleepy.yaml";
  const pid_t pid = spawn_sohound({"run", "--no-progress", "--out", out_dir, spec});
  ASSERT_GT(pid, 0);

  // Wait until valgrind has started the driver (its XML report exists), at most 60 s.
  const fs::path job = out_dir + "/jobs/sleepy/sleeps/memcheck";
  bool started = false;
  for (int i = 0; i < 600 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (fs::exists(job))
      for (const auto& e : fs::directory_iterator(job)) started = started || e.path().extension() == ".xml";
  }
  ASSERT_TRUE(started);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);

  const auto r = read_results(out_dir);
  ASSERT_FALSE(r.empty()) << "results must be written after Ctrl-C";
  EXPECT_TRUE(r["interrupted"].get<bool>());
  ASSERT_EQ(r["jobs"].size(), 1u);
  EXPECT_EQ(r["jobs"][0]["outcome"], "cancelled");
  // No driver is left running: nothing in /proc runs our driver binary.
  const std::string driver = (fs::path(out_dir) / "jobs/sleepy/sleeps/build-plain/driver").string();
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream cmdline(e.path() / "cmdline");
    std::string text;
    std::getline(cmdline, text, '\0');
    std::string rest;
    std::getline(cmdline, rest);
    EXPECT_EQ((text + rest).find(driver), std::string::npos) << "left running: pid " << e.path().filename();
  }
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(InfrastructureE2E, ValgrindDyingMidReportKeepsTheCompletePartAndExitsThree) {
  const std::string dir = k_out + "/dies";
  const auto out = run_sohound("run --no-progress --filter plain --out " + dir + " " + k_specs + "infra.yaml",
                               "SOHOUND_TESTDATA=" + std::string(SOHOUND_SOURCE_DIR) + "/testdata SOHOUND_VALGRIND=" +
                                   std::string(SOHOUND_SOURCE_DIR) + "/tests/e2e/fake-valgrind-dies.sh");
  EXPECT_EQ(out.exit_code, 3) << out.text;
  const auto r = read_results(dir);
  ASSERT_EQ(r["jobs"].size(), 1u);
  const auto& j = r["jobs"][0];
  EXPECT_EQ(j["outcome"], "tool_failed");
  EXPECT_NE(j["message"].get<std::string>().find("truncated XML"), std::string::npos) << j["message"];
  ASSERT_EQ(j["findings"].size(), 1u) << "the record completed before the cut is kept";
  EXPECT_EQ(j["findings"][0]["kind"], "mem.invalid_read");
}

TEST(InfrastructureE2E, SanitizerFatalErrorIsAToolFailureNotACrash) {
  const std::string dir = k_out + "/tsanfatal";
  const auto out = run_sohound("run --no-progress --filter tsan_cannot_map --out " + dir + " " + k_specs + "infra.yaml");
  EXPECT_EQ(out.exit_code, 3) << out.text;
  const auto r = read_results(dir);
  const auto& j = r["jobs"][0];
  EXPECT_EQ(j["outcome"], "tool_failed");
  EXPECT_EQ(j["message"], "FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000100000");
}

TEST(InfrastructureE2E, OtherFailuresWinOverInfrastructure) {
  // A failing job plus a tool failure: exit 1, because something in the user's code failed.
  const std::string dir = k_out + "/mixed";
  const auto out = run_sohound("run --no-progress --out " + dir + " " + k_specs + "infra.yaml " + k_specs + "leaky.yaml");
  EXPECT_EQ(out.exit_code, 1) << out.text;
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

TEST(CliE2E, MissingPkgConfigPackagePointsAtItInTheSpec) {
  const auto out = run_sohound("run --no-progress --report json --out " + k_out + "/nopkg " + k_specs + "nopkg.yaml");
  EXPECT_EQ(out.exit_code, 2) << out.text;  // the spec's mistake, as `check` says (issue 23; was 1)
  EXPECT_NE(out.text.find("nopkg.yaml:4:22: pkg-config package 'no-such-lib' not found"), std::string::npos) << out.text;
}

// `check` asks pkg-config before anything is built: a wrong name is exit 2 at its place in the
// spec, with the closest installed names; a prebuilt path must be a shared library.
TEST(CliE2E, CheckVerifiesLibrariesAreInstalled) {
  const auto out = run_sohound("check " + k_specs + "nopkg.yaml");
  EXPECT_EQ(out.exit_code, 2) << out.text;
  EXPECT_NE(out.text.find("nopkg.yaml:4:22: pkg-config does not know 'no-such-lib'"), std::string::npos) << out.text;
  const auto dir = k_out + "/check-installed";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/typo.yaml") << "suite: typo\nlibrary:\n  pkg-config: [zlb]\nfeatures:\n  - name: a\n    code: f();\n";
  const auto typo = run_sohound("check " + dir + "/typo.yaml");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.text.find("typo.yaml:3:16: pkg-config does not know 'zlb'; installed: zlib"), std::string::npos) << typo.text;
  std::ofstream(dir + "/notso.yaml") << "suite: notso\nlibrary:\n  path: notso.yaml\nfeatures:\n  - name: a\n    code: f();\n";
  const auto notso = run_sohound("check " + dir + "/notso.yaml");
  EXPECT_EQ(notso.exit_code, 2);
  EXPECT_NE(notso.text.find("is not an ELF shared library"), std::string::npos) << notso.text;
  EXPECT_EQ(run_sohound("check " + std::string(SOHOUND_SOURCE_DIR) + "/suites/examples/zlib.yaml").exit_code, 0);
}

// One compile error fails the feature under every tool of its flavours: the summary prints it once,
// naming the tools.
TEST(CliE2E, ACompileErrorIsPrintedOncePerFeature) {
  const auto out = run_sohound("run --no-progress --report json --filter build_error --out " + k_out + "/build-once " + k_specs +
                               "outcomes.yaml");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_NE(out.text.find("build_failed outcomes/build_error [memcheck, asan]"), std::string::npos) << out.text;
  std::size_t count = 0;
  for (auto at = out.text.find("error: expected expression"); at != std::string::npos;
       at = out.text.find("error: expected expression", at + 1))
    ++count;
  EXPECT_EQ(count, 1u) << out.text;
}

// Features share one translation unit; one of them calls a function nothing defines. Only that one
// fails (each is then compiled and linked alone); the others run and report what they did.
TEST(CliE2E, AFeatureThatDoesNotLinkStopsNoOtherInItsUnit) {
  const std::string dir = k_out + "/linkerror";
  const auto out = run_sohound("run --no-progress --report json --out " + dir + " " + k_specs + "linkerror.yaml");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto r = read_results(dir);
  int seen = 0;
  for (const auto& j : r["jobs"]) {
    const std::string feature = j["feature"], tool = j["tool"];
    ++seen;
    if (feature == "link_error") {
      EXPECT_EQ(j["outcome"], "build_failed") << tool;
      EXPECT_NE(j["message"].get<std::string>().find("the driver did not link"), std::string::npos) << j["message"];
      EXPECT_NE(j["log"].get<std::string>().find("undefined reference to `sohound_no_such_function_anywhere'"), std::string::npos)
          << j["log"];
    } else {
      EXPECT_EQ(j["outcome"], "ok") << feature << " " << tool << ": " << j["message"];
      bool leak = false;
      for (const auto& f : j["findings"])
        if (f["kind"] == "leak.definite")
          for (const auto& frame : f["stack"]) leak = leak || frame.value("function", "") == "feature_leaks";
      EXPECT_EQ(leak, feature == "leaks") << feature << " " << tool;
    }
  }
  EXPECT_EQ(seen, 6);
  // They were first compiled together, then each alone after the shared link failed.
  EXPECT_TRUE(fs::exists(dir + "/build/linkerror/plain/src/+unit-1.c"));
  EXPECT_TRUE(fs::exists(dir + "/build/linkerror/plain/obj/leaks.o"));
}

TEST(CliE2E, LibrarySourcesAllCompileAndEveryErrorIsReported) {
  const std::string dir = k_out + "/brokenlib";
  const auto out = run_sohound("run --no-progress --report json --out " + dir + " " + k_specs + "brokenlib.yaml");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto r = read_results(dir);
  ASSERT_EQ(r["jobs"].size(), 1u);
  const auto& j = r["jobs"][0];
  EXPECT_EQ(j["outcome"], "build_failed");
  // The first failing source in the recipe's order names the failure, whichever finished first.
  EXPECT_EQ(j["message"], "library build failed: gcc exited with status 1");
  const std::string log = j["log"];
  EXPECT_NE(log.find("bad_c.c:1:26: error:"), std::string::npos) << log;
  EXPECT_NE(log.find("bad_cxx.cpp:4:24: error:"), std::string::npos) << log;
  // A library's C++ source gets gnu++17 (`requires` is an identifier there), not the drivers' C++20.
  EXPECT_EQ(log.find("requires"), std::string::npos) << log;
  const std::string commands = j["build_command"];
  EXPECT_NE(commands.find("-std=gnu++17"), std::string::npos) << commands;
  // Not linked: the compiles failed.
  EXPECT_FALSE(fs::exists(dir + "/lib/brokenlib/ubsan/libbroken.so"));
  EXPECT_TRUE(fs::exists(dir + "/lib/brokenlib/ubsan/obj/0-good.o"));
}

TEST(CliE2E, LibraryLinkFailureNamesTheCompiler) {
  // Compiles go through ccache when it is installed, links never do: name the program either way.
  for (const char* ccache : {"0", "1"}) {
    const std::string dir = k_out + "/brokenlink-" + ccache;
    const auto out = run_sohound("run --no-progress --report json --out " + dir + " " + k_specs + "brokenlink.yaml",
                                 std::string("SOHOUND_CCACHE=") + ccache);
    EXPECT_EQ(out.exit_code, 1) << out.text;
    const auto j = read_results(dir)["jobs"].at(0);
    EXPECT_EQ(j["outcome"], "build_failed");
    EXPECT_EQ(j["message"], "library build failed: gcc exited with status 1") << "SOHOUND_CCACHE=" << ccache;
    EXPECT_NE(j["log"].get<std::string>().find("sohound-no-such-library"), std::string::npos);
  }
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// SIGTERM (as CI sends it) after one job has already failed: every job stops, even one that
// ignores SIGTERM, the results are written, and the exit code says "interrupted", not "failed".
TEST(CliE2E, SigtermAfterAFailureExits130AndStopsEvenAJobThatIgnoresIt) {
  const std::string out_dir = k_out + "/stubborn";
  fs::remove_all(out_dir);
  const pid_t pid = spawn_sohound({"run", "--no-progress", "-j", "2", "--out", out_dir, k_specs + "stubborn.yaml"});
  ASSERT_GT(pid, 0);
  // Wait until the stubborn driver has said it ignores SIGTERM (at most 60 s).
  const fs::path ready = out_dir + "/jobs/stubborn/ignores_sigterm/asan/work/ready";
  for (int i = 0; i < 600 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(fs::exists(ready));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the failing job is long done by now
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_LT(took, 30.0) << "stopped by Sohound, not by the feature's 60 s timeout";
  const auto r = read_results(out_dir);
  EXPECT_TRUE(r["interrupted"].get<bool>());
  const auto* failed = job_in(r, "fails", "asan");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ((*failed)["outcome"], "crashed");
  const auto* stubborn = job_in(r, "ignores_sigterm", "asan");
  ASSERT_NE(stubborn, nullptr);
  EXPECT_EQ((*stubborn)["outcome"], "cancelled");
}

}  // namespace
}  // namespace e2e
