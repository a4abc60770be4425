#include "harness/plan/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace harness::plan {
namespace {

using Env = std::map<std::string, std::string>;

ShardSelection resolved(const std::string& cli, int total, const Env& env) {
  auto r = resolve_shard(cli, total, env);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  EXPECT_TRUE(r && *r);
  return r && *r ? **r : ShardSelection{0, 0, "none", {}};
}

std::string refused(const std::string& cli, int total, const Env& env) {
  auto r = resolve_shard(cli, total, env);
  EXPECT_FALSE(r);
  return r ? std::string() : r.error().message;
}

TEST(ResolveShard, EachConventionWithItsOwnBase) {
  auto s = resolved("2/3", 0, {});
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(s.source, "--shard");
  s = resolved("", 0, {{"TEST_TOTAL_SHARDS", "4"}, {"TEST_SHARD_INDEX", "0"}, {"TEST_SHARD_STATUS_FILE", "/tmp/x"}});
  EXPECT_EQ(s.index, 1);  // Bazel counts from 0
  EXPECT_EQ(s.total, 4);
  EXPECT_EQ(s.source, "bazel");
  EXPECT_EQ(s.status_file, "/tmp/x");
  s = resolved("", 0, {{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", "1"}});
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.source, "gtest");
  s = resolved("", 0, {{"CI_NODE_TOTAL", "5"}, {"CI_NODE_INDEX", "5"}});
  EXPECT_EQ(s.index, 5);  // GitLab counts from 1
  EXPECT_EQ(s.source, "gitlab");
  s = resolved("", 7, {{"JOB_COMPLETION_INDEX", "6"}});
  EXPECT_EQ(s.index, 7);
  EXPECT_EQ(s.total, 7);
  EXPECT_EQ(s.source, "kubernetes");
}

TEST(ResolveShard, PrecedenceIsCommandLineBazelGoogleTestGitLabKubernetes) {
  Env all{{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "3"},  {"GTEST_SHARD_INDEX", "0"},
          {"CI_NODE_TOTAL", "4"},     {"CI_NODE_INDEX", "1"},    {"JOB_COMPLETION_INDEX", "0"}};
  EXPECT_EQ(resolved("1/9", 0, all).source, "--shard");
  EXPECT_EQ(resolved("", 0, all).source, "bazel");
  all.erase("TEST_TOTAL_SHARDS");
  all.erase("TEST_SHARD_INDEX");
  EXPECT_EQ(resolved("", 0, all).source, "gtest");
  all.erase("GTEST_TOTAL_SHARDS");
  all.erase("GTEST_SHARD_INDEX");
  EXPECT_EQ(resolved("", 0, all).source, "gitlab");
  all.erase("CI_NODE_TOTAL");
  all.erase("CI_NODE_INDEX");
  EXPECT_EQ(resolved("", 2, all).source, "kubernetes");
}

TEST(ResolveShard, NothingSetIsTheWholeRun) {
  auto r = resolve_shard("", 0, {{"PATH", "/bin"}, {"JOB_COMPLETION_INDEX", "3"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(ResolveShard, BadValuesAreErrorsThatNameTheVariable) {
  EXPECT_NE(refused("0/3", 0, {}).find("1 <= K <= N"), std::string::npos);
  EXPECT_NE(refused("4/3", 0, {}).find("--shard '4/3'"), std::string::npos);
  EXPECT_NE(refused("2", 0, {}).find("K/N"), std::string::npos);
  EXPECT_NE(refused("a/b", 0, {}).find("K/N"), std::string::npos);
  EXPECT_NE(refused("", 0, {{"TEST_TOTAL_SHARDS", "2"}}).find("TEST_SHARD_INDEX is not"), std::string::npos);
  EXPECT_NE(refused("", 0, {{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "2"}}).find("0-based: 0 to 1"), std::string::npos);
  EXPECT_NE(refused("", 0, {{"CI_NODE_TOTAL", "2"}, {"CI_NODE_INDEX", "0"}}).find("1-based: 1 to 2"), std::string::npos);
  EXPECT_NE(refused("", 0, {{"GTEST_TOTAL_SHARDS", "x"}, {"GTEST_SHARD_INDEX", "0"}}).find("GTEST_TOTAL_SHARDS='x'"),
            std::string::npos);
  EXPECT_NE(refused("", 3, {}).find("needs JOB_COMPLETION_INDEX"), std::string::npos);
  EXPECT_NE(refused("", 3, {{"JOB_COMPLETION_INDEX", "3"}}).find("0 to 2"), std::string::npos);
  EXPECT_NE(refused("1/2", 2, {}).find("--shard-total"), std::string::npos);
}

model::SuiteSpec suite_of(const std::string& name, int features) {
  model::SuiteSpec suite;
  suite.name = name;
  for (int i = 0; i < features; ++i) {
    model::FeatureSpec f;
    f.name = "f" + std::to_string(i);
    suite.features.push_back(f);
  }
  return suite;
}

struct Split {
  std::vector<model::SuiteSpec> suites;
  std::vector<JobPlan> jobs;
};

Split example(int features) {
  Split s;
  s.suites = {suite_of("a", features), suite_of("b", features / 2 + 1)};
  s.jobs = make_jobs(s.suites, {});
  return s;
}

TEST(SplitIntoShards, EveryJobInExactlyOneShardAndTheSameSplitEveryTime) {
  const auto s = example(30);
  for (int n : {1, 2, 3, 7}) {
    const auto plan = split_into_shards(s.suites, s.jobs, n, {});
    EXPECT_EQ(plan.balance, "hash");
    ASSERT_EQ(plan.shard_of.size(), s.jobs.size());
    std::vector<std::size_t> per(static_cast<std::size_t>(n), 0);
    for (int shard : plan.shard_of) {
      ASSERT_GE(shard, 0);
      ASSERT_LT(shard, n);
      ++per[static_cast<std::size_t>(shard)];
    }
    if (n > 1) {
      for (auto count : per) EXPECT_GT(count, 0u) << "a shard of " << n << " got nothing from " << s.jobs.size() << " jobs";
    }
    EXPECT_EQ(split_into_shards(s.suites, s.jobs, n, {}).shard_of, plan.shard_of);
  }
}

TEST(SplitIntoShards, AFeaturesJobsOfOneFlavourStayTogether) {
  const auto s = example(30);
  const auto plan = split_into_shards(s.suites, s.jobs, 7, {});
  std::map<std::string, std::set<int>> shards;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    const auto& j = s.jobs[i];
    shards[s.suites[j.suite].name + "/" + std::to_string(j.feature) + "/" + std::string(model::name(model::info(j.tool).flavour))]
        .insert(plan.shard_of[i]);
  }
  for (const auto& [key, set] : shards) EXPECT_EQ(set.size(), 1u) << key;
}

TEST(SplitIntoShards, HashSplitMovesNoOtherFeatureWhenOneIsAdded) {
  auto before = example(30);
  auto after = before;
  model::FeatureSpec extra;
  extra.name = "added";
  after.suites[0].features.insert(after.suites[0].features.begin() + 5, extra);
  after.jobs = make_jobs(after.suites, {});
  const auto a = split_into_shards(before.suites, before.jobs, 3, {});
  const auto b = split_into_shards(after.suites, after.jobs, 3, {});
  std::map<std::string, int> where;
  for (std::size_t i = 0; i < before.jobs.size(); ++i)
    where[cost_key(before.suites[before.jobs[i].suite].name,
                   before.suites[before.jobs[i].suite].features[before.jobs[i].feature].name, before.jobs[i].tool)] =
        a.shard_of[i];
  for (std::size_t i = 0; i < after.jobs.size(); ++i) {
    const auto key = cost_key(after.suites[after.jobs[i].suite].name,
                              after.suites[after.jobs[i].suite].features[after.jobs[i].feature].name, after.jobs[i].tool);
    if (where.count(key)) {
      EXPECT_EQ(where[key], b.shard_of[i]) << key;
    }
  }
}

TEST(SplitIntoShards, KnownCostsBalanceWithinTheLargestUnit) {
  const auto s = example(60);
  // Costs spread over two orders of magnitude, as Valgrind and sanitizer jobs are.
  auto cost = [&](const JobPlan& j) -> std::optional<double> {
    if (j.feature % 11 == 4) return std::nullopt;  // a new feature: the default estimate
    const double base = model::info(j.tool).family == model::ToolFamily::valgrind ? 0.4 : 0.02;
    return base * (1.0 + static_cast<double>((j.feature * 7 + static_cast<std::size_t>(j.tool)) % 13));
  };
  for (int n : {2, 3, 7}) {
    const auto plan = split_into_shards(s.suites, s.jobs, n, cost);
    EXPECT_EQ(plan.balance, "costs");
    // The largest unit: a feature's three Valgrind jobs.
    std::map<std::string, double> units;
    for (std::size_t i = 0; i < s.jobs.size(); ++i) {
      const auto& j = s.jobs[i];
      units[std::to_string(j.suite) + "/" + std::to_string(j.feature) + "/" +
            std::string(model::name(model::info(j.tool).flavour))] += cost(j).value_or(default_job_cost_s(j.tool));
    }
    double largest = 0;
    for (const auto& [k, c] : units) largest = std::max(largest, c + 0.05);
    const auto [lo, hi] = std::minmax_element(plan.load.begin(), plan.load.end());
    EXPECT_LE(*hi - *lo, largest) << n << " shards";
    double total = 0, loads = 0;
    for (const auto& [k, c] : units) total += c + 0.05;
    for (double l : plan.load) loads += l;
    EXPECT_NEAR(loads, total, 1e-6);
    // Within 5 % of an even split here (many small units).
    EXPECT_LE(*hi, total / n * 1.05) << n << " shards";
  }
}

TEST(SplitIntoShards, PlanIdChangesWithTheJobs) {
  const auto s = example(10);
  auto fewer = s.jobs;
  fewer.pop_back();
  EXPECT_EQ(plan_id(s.suites, s.jobs), plan_id(s.suites, s.jobs));
  EXPECT_NE(plan_id(s.suites, s.jobs), plan_id(s.suites, fewer));
}

// merge computes the split again from what results.json carries: the encoded inputs must give the
// same split, split id and plan id as the shards computed from the specs.
TEST(SplitIntoShards, TheCarriedSplitInputsGiveTheSameSplit) {
  const auto s = example(12);
  int calls = 0;
  const CostLookup costs = [&](const JobPlan&) -> std::optional<double> {
    if (++calls % 3 == 0) return std::nullopt;
    return 0.125 * calls;
  };
  // Costs as measured, with more digits than results.json keeps: units whose costs differ only past
  // the sixth decimal must be ordered alike by the shards and by the merge.
  const CostLookup measured = [&](const JobPlan&) -> std::optional<double> { return 0.1 + 1e-7 * ((++calls * 7) % 5); };
  for (const auto& lookup : {CostLookup{}, costs, measured}) {
    calls = 0;
    const auto inputs = split_inputs(s.suites, s.jobs, lookup);
    std::vector<SplitInput> decoded;
    for (const auto& input : inputs) {
      auto back = decode_split_input(encode_split_input(input));
      ASSERT_TRUE(back) << encode_split_input(input);
      decoded.push_back(*back);
    }
    calls = 0;
    const auto direct = split_into_shards(s.suites, s.jobs, 3, lookup);
    const auto again = split_inputs_into_shards(decoded, 3);
    EXPECT_EQ(again.shard_of, direct.shard_of);
    EXPECT_EQ(again.id, direct.id);
    EXPECT_EQ(again.balance, direct.balance);
    EXPECT_EQ(plan_id(decoded), plan_id(s.suites, s.jobs));
  }
  for (const char* bad :
       {"", "a/b/memcheck", "a/b/memchek\t-\t1", "a/memcheck\t-\t1", "a/b/asan\t-1\t1", "a/b/asan\tx\t1", "a/b/asan\t-\t2"})
    EXPECT_FALSE(decode_split_input(bad)) << bad;
}

}  // namespace
}  // namespace harness::plan
