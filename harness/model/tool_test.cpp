#include "harness/model/tool.hpp"

#include <gtest/gtest.h>

namespace harness::model {
namespace {

// A run's time under a tool: its slowdown, bounded at an hour, never below the native time.
TEST(ToolTimeouts, ScaledByTheToolsSlowdownAndBoundedAtAnHour) {
  EXPECT_DOUBLE_EQ(scaled_timeout_s(60, Tool::memcheck), 1200);    // x20
  EXPECT_DOUBLE_EQ(scaled_timeout_s(60, Tool::helgrind), 3000);    // x50
  EXPECT_DOUBLE_EQ(scaled_timeout_s(1500, Tool::memcheck), 3600);  // CTest's default: an hour, not 8 h
  EXPECT_DOUBLE_EQ(scaled_timeout_s(1500, Tool::helgrind), 3600);
  EXPECT_DOUBLE_EQ(scaled_timeout_s(5000, Tool::memcheck), 5000);  // a test that says it needs longer keeps it
  EXPECT_DOUBLE_EQ(scaled_timeout_s(10, Tool::asan), 10 * info(Tool::asan).timeout_scale);
}

}  // namespace
}  // namespace harness::model
