#include "harness/adopt/gtest.hpp"

#include <gtest/gtest.h>

namespace harness::adopt {
namespace {

// What GoogleTest 1.12 (Debian 12) prints for typed, parameterised and disabled tests.
constexpr const char* k_listing = R"(Running main() from ./googletest/src/gtest_main.cc
Leaks.
  OneBlock
  DISABLED_Later
Races.
  Counter
Typed/0.  # TypeParam = int
  Works
DISABLED_Old.
  Anything
Values/Param.
  Holds/0  # GetParam() = 1
  Holds/1  # GetParam() = 2
)";

TEST(GtestList, CasesInOrderWithoutCommentsOrDisabledOnes) {
  EXPECT_EQ(parse_gtest_list(k_listing), (std::vector<std::string>{"Leaks.OneBlock", "Races.Counter", "Typed/0.Works",
                                                                   "Values/Param.Holds/0", "Values/Param.Holds/1"}));
}

TEST(GtestList, ShardsAsGoogleTestDoes) {
  const auto cases = parse_gtest_list(k_listing);
  EXPECT_EQ(shard_cases(cases, 2, 0), (std::vector<std::string>{"Leaks.OneBlock", "Typed/0.Works", "Values/Param.Holds/1"}));
  EXPECT_EQ(shard_cases(cases, 2, 1), (std::vector<std::string>{"Races.Counter", "Values/Param.Holds/0"}));
  EXPECT_EQ(shard_cases(cases, 1, 0), cases);
  EXPECT_EQ(shard_cases(cases, 3, 7), cases);  // out of range: GoogleTest itself refuses it; run them all
}

TEST(GtestList, FeatureNamesAreFolderSafe) {
  EXPECT_EQ(case_feature_name("unit", "Values/Param.Holds/0"), "unit.Values-Param.Holds-0");
}

// GoogleTest's progress lines, as 1.12 prints them: the summary's repeated FAILED line (no time)
// changes nothing; a case that began and never ended is still running.
TEST(GtestBatch, EachCasesFateComesFromItsOwnProgressLines) {
  using State = GtestCaseRun::State;
  const auto progress = parse_gtest_progress(
      "Running main() from ./googletest/src/gtest_main.cc\n[==========] Running 4 tests from 1 test suite.\n"
      "[ RUN      ] Cases.Leaks\n[       OK ] Cases.Leaks (36 ms)\n"
      "[ RUN      ] Cases.Fails\nx.cpp:45: Failure\n[  FAILED  ] Cases.Fails (3 ms)\n"
      "[ RUN      ] Cases.Skips\n[  SKIPPED ] Cases.Skips (0 ms)\n"
      "[ RUN      ] Cases.Dies\n"
      "[  PASSED  ] 1 test.\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] Cases.Leaks\n");
  EXPECT_EQ(progress.at("Cases.Leaks").state, State::passed);
  EXPECT_DOUBLE_EQ(progress.at("Cases.Leaks").seconds, 0.036);
  EXPECT_EQ(progress.at("Cases.Fails").state, State::failed);
  EXPECT_EQ(progress.at("Cases.Skips").state, State::skipped);
  EXPECT_EQ(progress.at("Cases.Dies").state, State::running);
  EXPECT_EQ(progress.count("Cases.Never"), 0u);
  EXPECT_FALSE(every_case_ended(progress, {"Cases.Leaks", "Cases.Dies"}, false)) << "one is still running";
  EXPECT_FALSE(every_case_ended(progress, {"Cases.Leaks", "Cases.Never"}, false)) << "one never began";
  EXPECT_TRUE(every_case_ended(progress, {"Cases.Leaks", "Cases.Fails", "Cases.Skips"}, true));
  EXPECT_FALSE(every_case_ended(progress, {"Cases.Leaks", "Cases.Fails"}, false)) << "a failure, yet the process passed";
  EXPECT_FALSE(every_case_ended(progress, {"Cases.Leaks", "Cases.Skips"}, true)) << "the process failed, no case did";
}

// Each finding goes to the case whose TestBody is on a stack (the innermost, also in an aux stack);
// a finding that names none, or two cases with one class name, give no answer: run each alone.
TEST(GtestBatch, FindingsGoToTheCaseWhoseTestBodyIsOnTheirStack) {
  auto finding = [](std::vector<std::string> functions, std::vector<std::string> aux = {}) {
    model::Finding f;
    auto frame = [](std::string fn) {
      model::Frame out;
      out.function = std::move(fn);
      return out;
    };
    for (auto& fn : functions) f.stack.push_back(frame(fn));
    if (!aux.empty()) {
      f.aux_stacks.push_back({"Uninitialised value was created by a heap allocation", {}});
      for (auto& fn : aux) f.aux_stacks.back().frames.push_back(frame(fn));
    }
    return f;
  };
  const std::vector<std::string> cases{"Cases.Leaks", "Cases.Clean", "Other.Leaks"};
  const auto by_case =
      findings_by_case({finding({"malloc", "make_buffer(unsigned long)", "Cases_Leaks_Test::TestBody()", "testing::Test::Run()"}),
                        finding({"malloc", "(anonymous namespace)::Other_Leaks_Test::TestBody()"}),
                        finding({"use(int)", "main"}, {"malloc", "Other_Leaks_Test::TestBody()"})},
                       cases);
  ASSERT_TRUE(by_case);
  EXPECT_EQ(by_case->at("Cases.Leaks").size(), 1u);
  EXPECT_TRUE(by_case->at("Cases.Clean").empty());
  EXPECT_EQ(by_case->at("Other.Leaks").size(), 2u);
  EXPECT_FALSE(findings_by_case({finding({"malloc", "worker()", "start_thread"})}, cases)) << "names no case";
  EXPECT_FALSE(findings_by_case({}, {"A_B.C", "A.B_C"})) << "one class name for two cases";
  EXPECT_FALSE(findings_by_case({finding({"NotACase_Test::TestBody()"})}, cases));
}

}  // namespace
}  // namespace harness::adopt
