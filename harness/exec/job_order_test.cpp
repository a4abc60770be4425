#include "harness/exec/job_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace harness::exec {
namespace {

using model::Tool;

model::FeatureSpec test(std::string name) {
  model::FeatureSpec f;
  f.name = std::move(name);
  f.program.emplace();
  f.program->argv = {"/bin/true"};
  return f;
}

// Suite 0's features, each under memcheck and asan (in that order): job = 2 * feature + tool.
std::vector<plan::JobPlan> all_jobs(const model::SuiteSpec& suite) {
  std::vector<plan::JobPlan> jobs;
  for (std::size_t f = 0; f < suite.features.size(); ++f)
    for (auto tool : {Tool::memcheck, Tool::asan}) jobs.push_back({0, f, tool});
  return jobs;
}

bool waits_for(const JobOrder& order, std::size_t job, std::size_t other) {
  const auto& after = order.after(job);
  return std::find(after.begin(), after.end(), other) != after.end();
}

TEST(JobOrder, DependsOrdersTheJobsOfOneTool) {
  model::SuiteSpec suite;
  suite.features = {test("first"), test("second")};
  suite.features[1].order.depends = {"first", "not-selected"};
  const auto jobs = all_jobs(suite);
  const JobOrder order({suite}, jobs);
  EXPECT_TRUE(waits_for(order, 2, 0));  // second/memcheck after first/memcheck
  EXPECT_TRUE(waits_for(order, 3, 1));  // second/asan after first/asan
  EXPECT_FALSE(waits_for(order, 3, 0));
  EXPECT_TRUE(order.after(0).empty());
  EXPECT_FALSE(order.constrained(0));
  EXPECT_TRUE(order.constrained(2));
  EXPECT_TRUE(order.blocked().empty());
}

// A fixture: users after their set-up, clean-up after them (ctest's own DEPENDS say so), the
// set-up's failure keeps a user from running, one tool at a time, and one cache decision.
TEST(JobOrder, AFixtureRunsUnderOneToolAtATimeAndIsCachedWhole) {
  model::SuiteSpec suite;
  suite.features = {test("setup"), test("user"), test("cleanup"), test("other")};
  suite.features[0].order.fixtures_setup = {"db"};
  suite.features[1].order.fixtures_required = {"db"};
  suite.features[1].order.depends = {"setup"};
  suite.features[2].order.fixtures_cleanup = {"db"};
  suite.features[2].order.depends = {"setup", "user"};
  const auto jobs = all_jobs(suite);
  const JobOrder order({suite}, jobs);
  ASSERT_EQ(order.setups(2).size(), 1u);
  EXPECT_EQ(order.setups(2).front(), (std::pair<std::size_t, std::string>{0, "db"}));
  EXPECT_TRUE(order.setups(0).empty());
  EXPECT_TRUE(order.setups(4).empty()) << "the clean-up runs whether or not the set-up passed";
  for (auto asan_job : {1u, 3u, 5u})
    for (auto memcheck_job : {0u, 2u, 4u}) EXPECT_TRUE(waits_for(order, asan_job, memcheck_job));
  EXPECT_FALSE(waits_for(order, 7, 6)) << "'other' is in no fixture";

  EXPECT_EQ(order.with_fixture_partners({2}), (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_EQ(order.with_fixture_partners({7}), (std::vector<std::size_t>{7}));
  EXPECT_EQ(order.with_fixture_partners({3, 6}), (std::vector<std::size_t>{1, 3, 5, 6}));
}

TEST(JobOrder, ACycleBlocksItsJobsInsteadOfHangingTheRun) {
  model::SuiteSpec suite;
  suite.features = {test("a"), test("b"), test("c")};
  suite.features[0].order.depends = {"b"};
  suite.features[1].order.depends = {"a"};
  suite.features[2].order.depends = {"a"};
  const auto jobs = all_jobs(suite);
  const JobOrder order({suite}, jobs);
  EXPECT_EQ(order.blocked().size(), 6u) << "a and b wait for each other, c waits for a";
  EXPECT_NE(order.blocked().at(4).find("cycle"), std::string::npos);
}

TEST(JobOrder, LocksAreSortedAndSerialTakesEverySlot) {
  model::SuiteSpec suite;
  suite.features = {test("locked"), test("serial"), test("wide")};
  suite.features[0].order.resource_locks = {"port", "db", "port"};
  suite.features[1].order.run_serial = true;
  suite.features[2].order.processors = 8;
  const auto jobs = all_jobs(suite);
  const JobOrder order({suite}, jobs);
  EXPECT_EQ(order.locks(0), (std::vector<std::string>{"db", "port"}));
  EXPECT_EQ(order.slots(0, 4), 1);
  EXPECT_EQ(order.slots(2, 4), 4);
  EXPECT_EQ(order.slots(4, 4), 4) << "PROCESSORS is capped at -j";
  EXPECT_EQ(order.slots(4, 16), 8);
}

}  // namespace
}  // namespace harness::exec
