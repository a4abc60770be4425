#include "harness/adopt/meson.hpp"

#include <gtest/gtest.h>

namespace harness::adopt {
namespace {

// What `meson introspect --tests` prints (Meson 1.0), trimmed to what Sohound reads.
constexpr const char* k_tests = R"([
  {"cmd": ["/b/t", "clean"], "env": {"LD_LIBRARY_PATH": "/b/"}, "name": "clean", "workdir": null, "timeout": 30,
   "suite": ["p:fast"], "is_parallel": true, "protocol": "exitcode"},
  {"cmd": ["/b/t", "exit", "1"], "env": {}, "name": "fails on purpose", "workdir": "/src", "timeout": 0,
   "suite": ["p:fast", "p:slow"], "is_parallel": false, "protocol": "exitcode"},
  {"cmd": ["/b/t", "tap"], "env": {}, "name": "tap", "workdir": null, "timeout": 30, "suite": ["p"],
   "is_parallel": true, "protocol": "tap", "should_fail": false},
  {"cmd": [], "name": "empty", "suite": []}])";

TEST(MesonTests, EveryTestIsAProgramJudgedAsMesonTestJudgesIt) {
  std::vector<std::string> notes;
  auto features = parse_meson_tests(k_tests, "/b", {false, true, true}, {}, notes);
  ASSERT_TRUE(features) << features.error().message;
  ASSERT_EQ(features->size(), 3u);
  const auto& clean = (*features)[0];
  EXPECT_EQ(clean.program->argv, (std::vector<std::string>{"/b/t", "clean"}));
  EXPECT_EQ(clean.program->cwd, "/b") << "no workdir: where meson test runs, the build folder";
  EXPECT_EQ(clean.program->env.set.at("LD_LIBRARY_PATH"), "/b/");
  EXPECT_EQ(clean.timeout_s, 30);
  EXPECT_EQ(clean.program->verdict.skip_exit_status, 77);
  EXPECT_EQ(clean.program->verdict.error_exit_status, 99);
  EXPECT_FALSE(clean.program->verdict.will_fail);
  EXPECT_FALSE(clean.order.run_serial);
  const auto& fails = (*features)[1];
  EXPECT_EQ(fails.name, "fails_on_purpose");
  EXPECT_TRUE(fails.program->verdict.will_fail) << "should_fail, from Meson's own test list";
  EXPECT_EQ(fails.program->cwd, "/src");
  EXPECT_TRUE(fails.order.run_serial);
  EXPECT_GT(*fails.timeout_s, 1000) << "timeout 0: Meson sets no limit";
  const auto& tap = (*features)[2];
  EXPECT_TRUE(tap.program->verdict.tap);
  EXPECT_FALSE(tap.program->verdict.will_fail) << "the introspection's own should_fail comes first";
  EXPECT_FALSE(tap.program->verdict.skip_exit_status);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "meson test 'empty' has no command: not run");
}

TEST(MesonTests, MembersOfTheWrongTypeAreReadAsMissing) {
  std::vector<std::string> notes;
  const auto features = parse_meson_tests(R"([{"name": 1, "cmd": ["/b/t", 2], "timeout": "30", "suite": "p:fast",
      "is_parallel": "no", "protocol": 7, "workdir": 3, "env": []}])",
                                          "/b", {}, {}, notes);
  ASSERT_TRUE(features);
  ASSERT_EQ(features->size(), 1u);
  EXPECT_EQ((*features)[0].program->argv, std::vector<std::string>{"/b/t"});
  EXPECT_EQ((*features)[0].program->cwd, "/b");
  EXPECT_EQ((*features)[0].timeout_s, 30);
  EXPECT_FALSE((*features)[0].order.run_serial);
}

TEST(MesonTests, SuitesSelectAsMesonTestDoes) {
  EXPECT_TRUE(meson_suite_matches({"p:fast"}, "fast"));
  EXPECT_TRUE(meson_suite_matches({"p:fast"}, "p")) << "a project's name selects its tests";
  EXPECT_TRUE(meson_suite_matches({"p:fast"}, "p:fast"));
  EXPECT_FALSE(meson_suite_matches({"p:fast"}, "q:fast"));
  EXPECT_FALSE(meson_suite_matches({"p:fast"}, "slow"));
  std::vector<std::string> notes;
  MesonSelection selection;
  selection.suites = {"fast"};
  selection.no_suites = {"slow"};
  auto features = parse_meson_tests(k_tests, "/b", {}, selection, notes);
  ASSERT_TRUE(features);
  ASSERT_EQ(features->size(), 1u);
  EXPECT_EQ((*features)[0].name, "clean");
  selection = {};
  selection.names = {"fail*", "tap"};
  features = parse_meson_tests(k_tests, "/b", {}, selection, notes);
  ASSERT_TRUE(features);
  EXPECT_EQ(features->size(), 2u);
  EXPECT_FALSE(parse_meson_tests(R"({"kind": "ctestInfo"})", "/b", {}, {}, notes));
}

}  // namespace
}  // namespace harness::adopt
