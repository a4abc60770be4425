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
