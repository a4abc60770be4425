// No false PASS (issue 19): code under test that closes or replaces the descriptors a tool reports
// on, prints text in a sanitizer's format, or leaks more than LeakSanitizer lists; and a spec whose
// only include is a library header that includes nothing. Fixtures e2e.trust.run (GCC) and
// e2e.trust-clang.run (Clang) run tests/e2e/specs/trust.yaml and bare.yaml; each row asserts the
// job's outcome, the finding that matters (kind and frame), and what the job says happened.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace e2e {
namespace {

struct Expect {
  std::string suite, feature, tool, outcome;
  std::string kind;      // a finding of this kind, with `function` in its stack ("" = no finding at all)
  std::string function;
  std::string says;      // a regular expression over message and notes ("" = anything)
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
      {"trust", "race_after_closefrom", "tsan", "ok", "race.data", "feature_race_after_closefrom", note("race_after_closefrom", "tsan")},
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
  if (!e.says.empty()) EXPECT_TRUE(std::regex_search(says, std::regex(e.says))) << "expected /" << e.says << "/ in:\n" << says;
  if (e.kind.empty()) {
    EXPECT_TRUE((*j)["findings"].empty()) << frames_of(*j);
    EXPECT_EQ((*j)["passed"].get<bool>(), e.outcome == "ok");
  } else {
    const auto* f = finding(*j, e.kind, e.function);
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
                         [](const auto& info) {
                           const auto& e = std::get<1>(info.param);
                           auto name = std::get<0>(info.param) + "_" + e.feature + "_" + e.tool;
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace e2e
