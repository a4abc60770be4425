// What memcheck's leak checks read as pointers (fixture e2e.roots.run, tests/e2e/specs/roots.yaml):
// a word of the dynamic loader's clocks made to point inside a lost block leaves it definitely
// lost, since the driver marks those words undefined before each check (drivers/sohound_rt_stacks.h,
// with the words the harness found in the loader's symbol table: exec/host_facts.cpp). Without
// that, memcheck calls the block "possibly lost".
#include "e2e_support.hpp"

#include <gtest/gtest.h>

namespace e2e {
namespace {

TEST(LeakCheckRoots, ALoaderClockPointingInsideALostBlockLeavesItDefinitelyLost) {
  const auto* job = job_in(results("roots"), "loader_clock_points_into_leak", "memcheck");
  ASSERT_NE(job, nullptr);
  ASSERT_EQ((*job)["outcome"], "ok") << (*job)["message"];
  std::vector<std::string> kinds;
  for (const auto& f : (*job)["findings"]) kinds.push_back(f["kind"]);
  ASSERT_EQ(kinds, std::vector<std::string>{"leak.definite"}) << job->dump(1).substr(0, 3000);
  const auto& stack = (*job)["findings"][0]["stack"];
  ASSERT_GE(stack.size(), 3u);
  EXPECT_EQ(stack[1]["function"], "lost_block");
  EXPECT_EQ(stack[2]["function"], "feature_loader_clock_points_into_leak");
  EXPECT_EQ((*job)["passed"], true);
}

TEST(LeakCheckRoots, ABlockKeptInAGlobalStaysReachable) {
  const auto* job = job_in(results("roots"), "kept_in_a_global", "memcheck");
  ASSERT_NE(job, nullptr);
  for (const auto& f : (*job)["findings"]) EXPECT_EQ(f["kind"], "leak.reachable") << f.dump();
  EXPECT_EQ((*job)["passed"], true);
}

}  // namespace
}  // namespace e2e
