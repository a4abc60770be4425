#include "harness/adopt/ctest.hpp"

#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

namespace harness::adopt {
namespace {

TEST(CtestJson, EveryRunnableTestIsAProgramWithItsCommandCwdEnvAndTimeout) {
  std::vector<std::string> notes;
  auto features = parse_ctest_json(testing::testdata("ctest/show-only-json-v1.json"), notes);
  ASSERT_TRUE(features) << features.error().message;
  ASSERT_EQ(features->size(), 2u);
  const auto& leaks = (*features)[0];
  EXPECT_EQ(leaks.name, "counter.leaks");
  ASSERT_TRUE(leaks.program);
  EXPECT_EQ(leaks.program->argv, (std::vector<std::string>{"/tmp/cproj/counter_test", "leak"}));
  EXPECT_EQ(leaks.program->cwd, "/work/main/tests/e2e/cmake_project");
  EXPECT_EQ(leaks.env.at("COUNTER_START"), "5");
  EXPECT_FALSE(leaks.timeout_s);
  EXPECT_EQ(leaks.program->origin, "ctest");
  EXPECT_EQ(leaks.isolation, model::Isolation::process);
  const auto& clean = (*features)[1];
  EXPECT_EQ(clean.name, "counter.clean");
  ASSERT_TRUE(clean.timeout_s);
  EXPECT_EQ(*clean.timeout_s, 60);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "ctest test 'counter off' is DISABLED: not run");
}

TEST(CtestJson, NamesAJobCannotHoldAreMadeSafeAndUnique) {
  std::vector<std::string> notes;
  auto features = parse_ctest_json(R"({"kind": "ctestInfo", "tests": [
      {"name": "a b/c", "command": ["/bin/true"]}, {"name": "a_b_c", "command": ["/bin/true"]},
      {"name": "no command"}, {"name": "inverted", "command": ["/bin/false"],
       "properties": [{"name": "WILL_FAIL", "value": true}]}]})",
                                   notes);
  ASSERT_TRUE(features);
  ASSERT_EQ(features->size(), 2u);
  EXPECT_EQ((*features)[0].name, "a_b_c");
  EXPECT_EQ((*features)[1].name, "a_b_c~2");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("'no command' has no command"), std::string::npos);
  EXPECT_NE(notes[1].find("WILL_FAIL"), std::string::npos);
}

TEST(CtestJson, OtherTextIsAnError) {
  std::vector<std::string> notes;
  EXPECT_FALSE(parse_ctest_json("Test project /x\n  Test #1: a\n", notes));
  EXPECT_FALSE(parse_ctest_json(R"({"kind": "codemodel"})", notes));
}

}  // namespace
}  // namespace harness::adopt
