#include "reports/results_reader.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

namespace reports {
namespace {

TEST(JobCosts, ReadsDurationsOfJobsThatRan) {
  harness::testing::TempDir dir("costs");
  const auto path = dir / "results.json";
  harness::util::write_file(path, R"({"jobs": [
    {"suite": "s", "feature": "a", "tool": "memcheck", "outcome": "ok", "duration_s": 1.5},
    {"suite": "s", "feature": "b", "tool": "asan", "outcome": "build_failed", "duration_s": 9},
    {"suite": "s", "feature": "c", "tool": "drd", "outcome": "timeout", "duration_s": 30}]})");
  auto costs = read_job_costs(path);
  ASSERT_TRUE(costs) << costs.error().message;
  EXPECT_EQ(costs->size(), 2u);
  EXPECT_DOUBLE_EQ(costs->at("s/a/memcheck"), 1.5);
  EXPECT_DOUBLE_EQ(costs->at("s/c/drd"), 30);
  harness::util::write_file(path, R"({"features": []})");
  EXPECT_NE(read_job_costs(path).error().message.find("not a results.json"), std::string::npos);
  harness::util::write_file(path, "{\n  \"jobs\": [ oops");
  EXPECT_NE(read_job_costs(path).error().message.find(path + ":2:"), std::string::npos);
  harness::util::write_file(path, R"({"jobs": [{"suite": 3, "duration_s": 1}]})");
  EXPECT_NE(read_job_costs(path).error().message.find("/jobs/0/suite: expected a string, found a whole number"),
            std::string::npos)
      << read_job_costs(path).error().message;
}

TEST(ResultsReader, TypeErrorsNameTheJsonPath) {
  const auto r = parse_results(R"({"schema": "sohound.results/1", "jobs": [{"suite": "s", "feature": "f", "tool": "memcheck",
      "findings": [{"kind": "leak.definite", "stack": [{"function": 7}]}]}]})",
                               "r.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "r.json: /jobs/0/findings/0/stack/0/function: expected a string, found a whole number");
  const auto deep = parse_results(std::string(100, '[') + std::string(100, ']'), "d.json");
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message.find("d.json:1:65: nested more than 64 levels deep"), std::string::npos) << deep.error().message;
  const auto syntax = parse_results("{\n \"schema\": ,}", "s.json");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().message.find("s.json:2:"), std::string::npos) << syntax.error().message;
  EXPECT_NE(parse_results(R"({"schema": 1})", "n.json").error().message.find("not a Sohound results file"), std::string::npos);
}

}  // namespace
}  // namespace reports
