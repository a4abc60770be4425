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

}  // namespace
}  // namespace harness::adopt
