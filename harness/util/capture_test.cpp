#include "harness/util/capture.hpp"

#include <gtest/gtest.h>

namespace harness::util {
namespace {

TEST(Capture, SaidKeepsOutputErrorsAndStatusAndFeedsItsInput) {
  const auto said = capture_said({"sh", "-c", "cat; echo oops >&2; exit 3"}, "fed\n");
  ASSERT_TRUE(said);
  EXPECT_EQ(said->status, 3);
  EXPECT_EQ(said->output, "fed\noops\n");
  const auto clean = capture_said({"true"}, "");
  ASSERT_TRUE(clean);
  EXPECT_EQ(clean->status, 0);
  EXPECT_EQ(clean->output, "");
  EXPECT_FALSE(capture_said({"/nonexistent/sohound-no-such-program"}, "")) << "could not start";
}

}  // namespace
}  // namespace harness::util
