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
