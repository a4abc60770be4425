#include "harness/exec/tool_commands.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace harness::exec {
namespace {

using model::Tool;

TEST(ToolCommand, ShadowMemorySanitizersStartWithoutAddressRandomisationWhenAsked) {
  for (const auto tool : {Tool::asan, Tool::tsan}) {
    const auto command = tool_command(tool, "/d/driver", "/d/job", true);
    ASSERT_EQ(command.argv.size(), 3u);
    EXPECT_EQ(command.argv[0], "setarch");
    EXPECT_EQ(command.argv[1], "-R");
    EXPECT_EQ(command.argv[2], "/d/driver");
    EXPECT_EQ(tool_command(tool, "/d/driver", "/d/job", false).argv, std::vector<std::string>{"/d/driver"});
  }
}

TEST(ToolCommand, UbsanAndValgrindKeepTheirCommandWhateverTheAslrSetting) {
  EXPECT_EQ(tool_command(Tool::ubsan, "/d/driver", "/d/job", true).argv, std::vector<std::string>{"/d/driver"});
  for (const auto tool : {Tool::memcheck, Tool::helgrind, Tool::drd}) {
    const auto argv = tool_command(tool, "/d/driver", "/d/job", true).argv;
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "setarch"), 0);
    EXPECT_EQ(argv.back(), "/d/driver");
  }
}

}  // namespace
}  // namespace harness::exec

namespace harness::exec {
namespace {

TEST(CxxSyncFlags, OnlyCxxOfThePlainFlavourGetsTheHappensBeforeHooks) {
  const auto flags = cxx_sync_flags(model::Flavour::plain, model::Language::cxx);
  EXPECT_NE(std::find(flags.begin(), flags.end(), "-D_GLIBCXX_TSAN=1"), flags.end());
  EXPECT_NE(std::find(flags.begin(), flags.end(), "valgrind/helgrind.h"), flags.end());
  EXPECT_TRUE(cxx_sync_flags(model::Flavour::plain, model::Language::c).empty());
  EXPECT_TRUE(cxx_sync_flags(model::Flavour::tsan, model::Language::cxx).empty());
}

}  // namespace
}  // namespace harness::exec
