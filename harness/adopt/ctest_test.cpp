#include "harness/adopt/ctest.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/testing/testdata.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>

namespace harness::adopt {
namespace {

// `ctest --show-only` rewrites the build folder's Testing/Temporary/LastTest.log: Sohound puts the
// user's log back as it was, and leaves no Testing folder where there was none (real ctest).
TEST(CtestSuite, ListingTheTestsLeavesTheBuildFolderAsItWas) {
  harness::testing::TempDir build{"sohound-ctest-kept"};
  std::ofstream(build / "CTestTestfile.cmake") << "add_test(t1 \"/bin/true\")\n";
  std::vector<std::string> notes;
  ASSERT_TRUE(load_ctest_suite(build.path().string(), {}, {}, notes));
  EXPECT_FALSE(std::filesystem::exists(build / "Testing"));

  std::filesystem::create_directories(build / "Testing/Temporary");
  const auto log = build / "Testing/Temporary/LastTest.log";
  std::ofstream(log) << "the user's last run, with its ASan stacks\n";
  const struct timespec then[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, log.c_str(), then, 0), 0);
  const auto suite = load_ctest_suite(build.path().string(), {}, {}, notes);
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->features.size(), 1u);
  EXPECT_EQ(util::read_file_or_empty(log), "the user's last run, with its ASan stacks\n");
  struct stat st {};
  ASSERT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
}

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
  EXPECT_EQ(leaks.program->env.set.at("COUNTER_START"), "5");
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
  ASSERT_EQ(features->size(), 3u);
  EXPECT_EQ((*features)[0].name, "a_b_c");
  EXPECT_EQ((*features)[1].name, "a_b_c~2");
  EXPECT_TRUE((*features)[2].program->verdict.will_fail) << "run, and judged as CTest judges it";
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("'no command' has no command"), std::string::npos);
}

// Every property that changes whether, when or how a test runs or passes reaches the program.
TEST(CtestJson, PropertiesThatDecideHowATestRunsAndPassesAreKept) {
  ::setenv("SOHOUND_CTEST_BASE", "base", 1);
  ::setenv("SOHOUND_CTEST_DROP", "x", 1);
  std::vector<std::string> notes;
  auto features = parse_ctest_json(R"({"kind": "ctestInfo", "tests": [
      {"name": "set up", "command": ["/bin/true"], "properties": [{"name": "FIXTURES_SETUP", "value": ["db"]}]},
      {"name": "user", "command": ["/bin/true"], "properties": [
        {"name": "DEPENDS", "value": ["set up"]}, {"name": "FIXTURES_REQUIRED", "value": ["db"]},
        {"name": "RESOURCE_LOCK", "value": ["port"]}, {"name": "RUN_SERIAL", "value": true},
        {"name": "PROCESSORS", "value": 3}, {"name": "SKIP_RETURN_CODE", "value": 77},
        {"name": "PASS_REGULAR_EXPRESSION", "value": ["ok"]}, {"name": "FAIL_REGULAR_EXPRESSION", "value": ["ERROR"]},
        {"name": "SKIP_REGULAR_EXPRESSION", "value": ["SKIP"]}, {"name": "REQUIRED_FILES", "value": ["/x/y"]},
        {"name": "ENVIRONMENT", "value": ["A=1", "B=2"]},
        {"name": "ENVIRONMENT_MODIFICATION", "value": ["A=string_append:x", "A=string_prepend:<", "B=unset:",
           "P=path_list_append:/b", "P=path_list_prepend:/a", "L=cmake_list_append:z", "SOHOUND_CTEST_BASE=path_list_append:more",
           "SOHOUND_CTEST_DROP=unset:", "R=set:1", "R=reset:"]}]},
      {"name": "odd", "command": ["/bin/true"], "properties": [{"name": "TIMEOUT_AFTER_MATCH", "value": {"timeout": 1}},
        {"name": "PASS_REGULAR_EXPRESSION", "value": ["a[b"]}]}]})",
                                   notes);
  ASSERT_TRUE(features) << features.error().message;
  ASSERT_EQ(features->size(), 3u);
  EXPECT_EQ((*features)[0].order.fixtures_setup, std::vector<std::string>{"db"});
  const auto& user = (*features)[1];
  EXPECT_EQ(user.order.depends, std::vector<std::string>{"set_up"}) << "named as the feature is";
  EXPECT_EQ(user.order.fixtures_required, std::vector<std::string>{"db"});
  EXPECT_EQ(user.order.resource_locks, std::vector<std::string>{"port"});
  EXPECT_TRUE(user.order.run_serial);
  EXPECT_EQ(user.order.processors, 3);
  const auto& v = user.program->verdict;
  EXPECT_EQ(v.skip_exit_status, 77);
  EXPECT_EQ(v.pass_regex, std::vector<std::string>{"ok"});
  EXPECT_EQ(v.fail_regex, std::vector<std::string>{"ERROR"});
  EXPECT_EQ(v.skip_regex, std::vector<std::string>{"SKIP"});
  EXPECT_EQ(v.required_files, std::vector<std::string>{"/x/y"});
  EXPECT_EQ(v.cannot_run, "");
  const auto& env = user.program->env;
  EXPECT_EQ(env.set,
            (std::map<std::string, std::string>{{"A", "<1x"}, {"P", "/a:/b"}, {"L", "z"}, {"SOHOUND_CTEST_BASE", "base:more"}}));
  EXPECT_EQ(env.unset, (std::vector<std::string>{"B", "R", "SOHOUND_CTEST_DROP"}));
  const auto& odd = (*features)[2].program->verdict.cannot_run;
  EXPECT_NE(odd.find("'a[b' is not a regular expression"), std::string::npos) << odd;
  EXPECT_NE(odd.find("Sohound does not honour its TIMEOUT_AFTER_MATCH property"), std::string::npos) << odd;
}

// Found by fuzz.adopt: a member of the wrong type is read as missing, never a throw.
TEST(CtestJson, MembersOfTheWrongTypeAreReadAsMissing) {
  std::vector<std::string> notes;
  const auto features = parse_ctest_json(R"({"kind": "ctestInfo", "tests": [{"name": ["a"], "command": ["/bin/true"],
      "properties": [{"name": 3, "value": 1}, {"name": "WILL_FAIL", "value": "yes"}, {"name": "TIMEOUT", "value": "x"},
      {"name": "DEPENDS", "value": [1, "b"]}, {"name": "PROCESSORS", "value": "two"}]}]})",
                                         notes);
  ASSERT_TRUE(features);
  ASSERT_EQ(features->size(), 1u);
  EXPECT_EQ((*features)[0].name, "test");
  EXPECT_EQ((*features)[0].order.depends, std::vector<std::string>{"b"});
  EXPECT_FALSE((*features)[0].program->verdict.will_fail);
  EXPECT_FALSE(parse_ctest_json(R"({"kind": ["ctestInfo"], "tests": []})", notes));
}

TEST(CtestJson, OtherTextIsAnError) {
  std::vector<std::string> notes;
  EXPECT_FALSE(parse_ctest_json("Test project /x\n  Test #1: a\n", notes));
  EXPECT_FALSE(parse_ctest_json(R"({"kind": "codemodel"})", notes));
}

}  // namespace
}  // namespace harness::adopt
