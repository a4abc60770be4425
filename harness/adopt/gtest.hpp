// GoogleTest binaries: each test case becomes a program of its own (model::ProgramSpec with
// gtest_case), so every finding lands on the case whose process reported it.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/util/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::adopt {

// The cases `--gtest_list_tests` printed ("Suite.Name", parameterised "Prefix/Suite.Name/0"), in
// order, without the "  # GetParam() = ..." comments. Disabled cases (DISABLED_ in the suite or the
// name) are left out: GoogleTest does not run them.
std::vector<std::string> parse_gtest_list(std::string_view text);

// The cases GoogleTest's own sharding gives shard `index` of `total` (as it does: the i-th runnable
// case runs on shard i % total). Unchanged when total <= 1 or index is out of range.
std::vector<std::string> shard_cases(std::vector<std::string> cases, int total, int index);

// A feature name for case `name` of program `program`: "program.Suite.Name", '/' written '-'.
std::string case_feature_name(const std::string& program, const std::string& name);

// Replaces every GoogleTest program of `suite` (gtest: true, no case yet) by one program per case
// it lists with its own arguments, honouring GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX from the
// spec's env or, failing that, `environment` (Sohound's own). An error names the spec position.
util::Result<bool> expand_gtest(model::SuiteSpec& suite, const std::map<std::string, std::string>& environment);

// ---- Cases of one binary in one memcheck process --------------------------------------------
// Memcheck's start costs more than most cases take, so the cases of one binary run in one process
// when each finding can be given to its case: by the test's TestBody frame on one of its stacks.

// (Which cases may share a process: model::can_share_gtest_process.)

struct GtestCaseRun {
  enum class State { not_started, running, passed, failed, skipped };
  State state = State::not_started;
  double seconds = -1;
};

// Each case's fate from GoogleTest's own progress lines on stdout ("[ RUN      ] X", then
// "[       OK ] X (N ms)", "[  FAILED  ] X (N ms)" or "[  SKIPPED ] X (N ms)"); the summary's
// repeated "[  FAILED  ] X" lines change nothing.
std::map<std::string, GtestCaseRun> parse_gtest_progress(std::string_view stdout_text);

// Whether every case of `cases` ended (passed, failed, skipped) and some failed exactly when the
// process exited with a failure (`process_failed`): GoogleTest's lines tell each case's verdict.
bool every_case_ended(const std::map<std::string, GtestCaseRun>& progress, const std::vector<std::string>& cases,
                      bool process_failed);

// The findings of one process that ran `cases`, each given to the case whose TestBody is on one of
// its stacks (the innermost). None when a finding names no case's TestBody, or two cases share a
// class name ("A_B.C" and "A.B_C"): then each case must run alone to be judged as it would be.
std::optional<std::map<std::string, std::vector<model::Finding>>> findings_by_case(const std::vector<model::Finding>& findings,
                                                                                   const std::vector<std::string>& cases);

}  // namespace harness::adopt
