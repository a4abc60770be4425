// No false PASS (issue 19): code under test that closes or replaces the descriptors a tool reports
// on, prints text in a sanitizer's format, or leaks more than LeakSanitizer lists; and a spec whose
// only include is a library header that includes nothing. Fixtures e2e.trust.run (GCC) and
// e2e.trust-clang.run (Clang) run tests/e2e/specs/trust.yaml and bare.yaml; each row asserts the
// job's outcome, the finding that matters (kind and frame), and what the job says happened.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace e2e {
namespace {

struct Expect {
  std::string suite, feature, tool, outcome;
  std::string kind;  // a finding of this kind, with `function` in its stack ("" = no finding at all)
  std::string function;
  std::string says;  // a regular expression over message and notes ("" = anything)
};

void PrintTo(const Expect& e, std::ostream* os) { *os << e.feature << "/" << e.tool; }

std::vector<Expect> rows() {
  const std::string restored = "the feature {} closed or replaced descriptor \\d+, which carried {}'s reports .*nothing was lost";
  auto note = [&](const std::string& feature, const std::string& tool) {
    std::string text = restored;
    text.replace(text.find("{}"), 2, feature);
    text.replace(text.find("{}"), 2, tool);
    return text;
  };
  return {
      // stderr redirected: UBSan reports on a channel of its own.
      {"trust", "ub_after_freopen_stderr", "ubsan", "ok", "ub.signed-integer-overflow", "feature_ub_after_freopen_stderr", ""},
      {"trust", "ub_after_dup2_stderr", "ubsan", "ok", "ub.signed-integer-overflow", "feature_ub_after_dup2_stderr", ""},
      // Every descriptor from 3 closed: the leak is found, and the job says the channel was restored.
      {"trust", "leak_after_closefrom", "memcheck", "ok", "leak.definite", "feature_leak_after_closefrom", ""},
      {"trust", "leak_after_closefrom", "asan", "ok", "leak.definite", "feature_leak_after_closefrom",
       note("leak_after_closefrom", "asan")},
      {"trust", "daemon_style_start_then_leak", "memcheck", "ok", "leak.definite", "feature_daemon_style_start_then_leak", ""},
      {"trust", "daemon_style_start_then_leak", "asan", "ok", "leak.definite", "feature_daemon_style_start_then_leak",
       note("daemon_style_start_then_leak", "asan")},
      {"trust", "daemon_style_start_then_leak", "ubsan", "ok", "", "", note("daemon_style_start_then_leak", "ubsan")},
      {"trust", "overflow_while_channel_replaced", "asan", "ok", "mem.invalid_write", "feature_overflow_while_channel_replaced",
       note("overflow_while_channel_replaced", "asan")},
      {"trust", "race_after_closefrom", "tsan", "ok", "race.data", "feature_race_after_closefrom",
       note("race_after_closefrom", "tsan")},
      // Text in a sanitizer's format on stdout and stderr is not a finding.
      {"trust", "prints_a_forged_report", "asan", "ok", "", "", ""},
      {"trust", "prints_a_forged_report", "ubsan", "ok", "", "", ""},
      // LeakSanitizer's cap: the job fails and says so; the first 5,000 are still there.
      {"trust", "six_thousand_leaks", "asan", "report_truncated", "leak.definite", "trust_leak_path",
       "asan cut its report in asan\\.report: \"Too many leaks! Only the first 5000 leaks encountered will be reported\\.\""},
      // The channel closed and every descriptor taken: report_lost, never clean.
      {"trust", "channel_closed_for_good", "asan", "report_lost", "", "",
       "closed or replaced the descriptor that carried asan's reports \\(asan\\.report\\), and the driver could not reopen it"},
      {"trust", "channel_closed_for_good", "ubsan", "report_lost", "", "",
       "closed or replaced the descriptor that carried ubsan's reports \\(ubsan\\.report\\), and the driver could not reopen it"},
      // A daemon started as the feature returns is found, whatever the timing.
      {"trust", "starts_a_daemon_and_returns", "memcheck", "ok", "process.leak", "", "sleep 30"},
      {"trust", "starts_a_daemon_and_returns", "asan", "ok", "process.leak", "", "sleep 30"},
      // A report replaced by name: its completion record is not this run's.
      {"trust", "replaces_its_report_by_name", "memcheck", "report_lost", "", "",
       "no Valgrind report in the job folder carries the driver's completion record for this run"},
      {"trust", "replaces_its_report_by_name", "asan", "report_lost", "", "",
       "asan\\.report's completion record is not this run's"},
      // Under TSan the copies of a threaded body start a step apart (the feature aborts otherwise).
      {"trust", "copies_start_a_step_apart", "tsan", "ok", "", "", ""},
      {"trust", "clean_control", "memcheck", "ok", "", "", ""},
      {"trust", "clean_control", "asan", "ok", "", "", ""},
      {"trust", "clean_control", "tsan", "ok", "", "", ""},
      {"trust", "clean_control", "ubsan", "ok", "", "", ""},
      // Only the library's own header, which includes nothing standard: it builds and passes.
      {"bare", "adds", "memcheck", "ok", "", "", ""},
      {"bare", "adds", "asan", "ok", "", "", ""},
      {"bare", "adds", "ubsan", "ok", "", "", ""},
      {"bare", "with_setup_and_teardown", "memcheck", "ok", "", "", ""},
      {"bare", "with_setup_and_teardown", "asan", "ok", "", "", ""},
  };
}

class Trust : public ::testing::TestWithParam<std::tuple<std::string, Expect>> {};

TEST_P(Trust, NoCleanVerdictWithoutProof) {
  const auto& [run, e] = GetParam();
  const json* j = nullptr;
  for (const auto& candidate : results(run)["jobs"])
    if (candidate["suite"] == e.suite && candidate["feature"] == e.feature && candidate["tool"] == e.tool) j = &candidate;
  ASSERT_NE(j, nullptr) << run << ": no job " << e.suite << "/" << e.feature << " under " << e.tool;
  EXPECT_EQ((*j)["outcome"], e.outcome) << (*j)["message"];
  std::string says = (*j)["message"];
  for (const auto& n : (*j)["notes"]) says += "\n" + std::string(n);
  for (const auto& f : (*j)["findings"]) says += "\n" + std::string(f["message"]);
  if (!e.says.empty()) {
    EXPECT_TRUE(std::regex_search(says, std::regex(e.says))) << "expected /" << e.says << "/ in:\n" << says;
  }
  if (e.kind.empty()) {
    EXPECT_TRUE((*j)["findings"].empty()) << frames_of(*j);
    EXPECT_EQ((*j)["passed"].get<bool>(), e.outcome == "ok");
  } else {
    const json* f = nullptr;
    if (e.function.empty()) {
      for (const auto& candidate : (*j)["findings"])
        if (candidate["kind"] == e.kind) f = &candidate;
    } else {
      f = finding(*j, e.kind, e.function);
    }
    ASSERT_NE(f, nullptr) << e.kind << " in " << e.function << ":\n" << frames_of(*j);
    EXPECT_EQ((*f)["status"], "new");
    EXPECT_FALSE((*j)["passed"].get<bool>());
  }
  if (e.kind == "leak.definite" && e.tool == "asan" && e.outcome == "ok") {
    // The leak the runtime reported after the channel came back, in the channel's own file.
    bool from_channel = false;
    for (const auto& r : (*j)["reports"]) from_channel = from_channel || std::string(r).ends_with("/asan.report");
    EXPECT_TRUE(from_channel);
  }
}

INSTANTIATE_TEST_SUITE_P(Channels, Trust,
                         ::testing::Combine(::testing::Values(std::string("trust"), std::string("trust-clang")),
                                            ::testing::ValuesIn(rows())),
                         [](const auto& row) {
                           const auto& e = std::get<1>(row.param);
                           auto name = std::get<0>(row.param) + "_" + e.feature + "_" + e.tool;
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

// ---- Runs that must leave nothing behind -----------------------------------------------------

namespace fs = std::filesystem;

// Processes whose environment carries a job token of the run `prefix` (the content of
// OUT/.sohound-run), or whose command line names `dir`.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<std::string> processes_of(const std::string& prefix, const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || name == std::to_string(::getpid())) continue;
    auto environ = slurp(entry.path() / "environ");
    auto cmdline = slurp(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    const auto stat = slurp(entry.path() / "stat");
    if (stat.find(") Z") != std::string::npos) continue;  // a zombie is gone, only not yet reaped
    if ((!prefix.empty() && environ.find("SOHOUND_JOB_TOKEN=" + prefix + "-") != std::string::npos) ||
        cmdline.find(dir.string()) != std::string::npos)
      found.push_back(name + " " + cmdline);
  }
  return found;
}

const std::string k_daemon_spec = R"(suite: killed
includes: [stdlib.h, unistd.h]
tools: [memcheck, asan]
features:
  - name: starts_a_daemon_and_waits
    timeout: 300
    code: |
      if (fork() == 0) { setsid(); execl("/bin/sleep", "sleep", "3600", (char *)0); _exit(1); }
      sleep(120);
)";

const std::string k_clean_spec =
    "suite: clean\nincludes: [stdlib.h]\ntools: [asan]\nfeatures:\n  - name: clean\n    code: free(malloc(8));\n";

// kill -9 of Sohound mid-run: its tool processes die within 2 s (they carry PR_SET_PDEATHSIG);
// the daemon a feature started lives on, and the next run into the same --out stops it.
TEST(KilledRun, ToolProcessesDieWithSohoundAndTheNextRunReapsWhatIsLeft) {
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "trust-killed";
  fs::remove_all(dir);
  put(dir / "daemon.yaml", k_daemon_spec);
  put(dir / "clean.yaml", k_clean_spec);
  const auto out = dir / "out";
  const pid_t sohound =
      spawn_sohound({"run", (dir / "daemon.yaml").string(), "--out", out.string(), "--no-cache", "--no-progress", "-j", "2"});
  ASSERT_GT(sohound, 0);
  // Until both tool processes run and the feature's daemon exists.
  std::string prefix;
  bool ready = false;
  for (int i = 0; i < 600 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    prefix = trimmed(slurp(out / ".sohound-run"));
    const auto running = processes_of(prefix, out);
    int daemons = 0, tools = 0;
    for (const auto& p : running) {
      daemons += p.find(" sleep 3600") != std::string::npos;
      tools += p.find("valgrind") != std::string::npos || p.find("/build/") != std::string::npos;
    }
    ready = daemons >= 2 && tools >= 2;
  }
  ASSERT_TRUE(ready) << "the run did not get its tools and daemons going";
  ASSERT_EQ(::kill(sohound, SIGKILL), 0);
  ::waitpid(sohound, nullptr, 0);
  std::vector<std::string> left;
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left.clear();
    for (const auto& p : processes_of(prefix, out))
      if (p.find(" sleep 3600") == std::string::npos) left.push_back(p);
    if (left.empty()) break;
  }
  EXPECT_EQ(left, std::vector<std::string>{}) << "tool processes outlived Sohound by 2 s";

  // The daemons (reparented to init) are the next run's to stop.
  std::vector<std::string> daemons;
  for (const auto& p : processes_of(prefix, out))
    if (p.find(" sleep 3600") != std::string::npos) daemons.push_back(p);
  EXPECT_EQ(daemons.size(), 2u);
  const auto again = run_sohound("run " + (dir / "clean.yaml").string() + " --out " + out.string() + " --no-progress");
  EXPECT_EQ(again.exit_code, 0) << again.text;
  EXPECT_NE(again.text.find("(sleep 3600), left running by an earlier run into --out that was killed"), std::string::npos)
      << again.text;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(processes_of(prefix, out), std::vector<std::string>{});
}

// A rerun into an --out that cannot finish writing its results (its files are limited to 4 KiB
// here, as a full disk would) leaves no earlier run's PASS there for a CI step to read.
TEST(StaleResults, ARunThatCannotWriteItsResultsLeavesNoEarlierVerdict) {
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "trust-stale";
  fs::remove_all(dir);
  put(dir / "clean.yaml", k_clean_spec);
  const auto out = dir / "out";
  const auto first = run_sohound("run " + (dir / "clean.yaml").string() + " --out " + out.string() +
                                 " --no-progress --report json,junit,html,sarif");
  ASSERT_EQ(first.exit_code, 0) << first.text;
  for (const char* file : {"results.json", "junit.xml", "report.html", "results.sarif"})
    ASSERT_TRUE(fs::exists(out / file)) << file;
  const auto second = run_sohound_shell("ulimit -f 8; " + std::string(SOHOUND_BIN) + " run " + (dir / "clean.yaml").string() +
                                        " --out " + out.string() + " --no-progress --report json,junit,html,sarif");
  EXPECT_NE(second.exit_code, 0) << second.text;
  for (const char* file : {"results.json", "junit.xml", "report.html", "results.sarif"})
    EXPECT_FALSE(fs::exists(out / file)) << file << " of the first run is still there:\n" << second.text;
}

// Text from the code under test reaches the terminal with its control characters made visible:
// a process named with escape sequences cannot rewrite the summary's lines.
TEST(TerminalOutput, ControlCharactersFromTheCodeUnderTestAreShownNotObeyed) {
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "trust-escapes";
  fs::remove_all(dir);
  put(dir / "s.yaml", R"(suite: escapes
includes: [stdlib.h, unistd.h]
tools: [asan]
features:
  - name: names_its_daemon_with_escapes
    code: |
      if (fork() == 0) { setsid(); execl("/bin/sleep", "\033[1A\033[2K\r  PASS all good", "30", (char *)0); _exit(1); }
      usleep(100000);
)");
  const auto out = run_sohound("run " + (dir / "s.yaml").string() + " --out " + (dir / "out").string() + " --no-progress");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_EQ(out.text.find('\033'), std::string::npos) << "an escape sequence reached the terminal";
  EXPECT_NE(out.text.find("\\x1b[1A\\x1b[2K\\x0d  PASS all good"), std::string::npos) << out.text;
}

}  // namespace
}  // namespace e2e
