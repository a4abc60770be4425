// The CI templates in ci/templates/ are copied into users' pipelines as they are: each must be
// valid YAML (the GitHub one once had `${{ }}` inside a flow mapping, which no parser accepts).
// Issue 12 asks for the engines' own parsers on top of this.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>

namespace {

YAML::Node load(const std::string& name) { return YAML::LoadFile(std::string(SOHOUND_SOURCE_DIR) + "/ci/templates/" + name); }

TEST(Templates, GithubActionsIsValidYamlAndKeysTheCacheOnTheCommit) {
  YAML::Node workflow;
  ASSERT_NO_THROW(workflow = load("github-actions.yml"));
  bool cache = false;
  for (const auto& step : workflow["jobs"]["sohound"]["steps"])
    if (step["uses"] && step["uses"].as<std::string>() == "actions/cache@v4") {
      cache = true;
      EXPECT_EQ(step["with"]["key"].as<std::string>(), "sohound-cache-${{ github.sha }}");
      // Both the compiler cache and Sohound's result cache, where the job's env puts them.
      EXPECT_EQ(step["with"]["path"].as<std::string>(), ".ccache\n.sohound-cache\n");
    }
  EXPECT_TRUE(cache);
  EXPECT_EQ(workflow["jobs"]["sohound"]["env"]["SOHOUND_CACHE_DIR"].as<std::string>(), "${{ github.workspace }}/.sohound-cache");
}

TEST(Templates, GitlabIsValidYamlShardsAndKeepsTheResultCacheAndTheJobTimes) {
  YAML::Node pipeline;
  ASSERT_NO_THROW(pipeline = load("gitlab-ci.yml"));
  const auto shard = pipeline["sohound"];
  EXPECT_EQ(shard["variables"]["SOHOUND_CACHE_DIR"].as<std::string>(), "$CI_PROJECT_DIR/.sohound-cache");
  EXPECT_GE(shard["parallel"].as<int>(), 2);
  // Each shard keeps its own result cache; every shard reads the job times the merge job saves.
  bool kept = false, costs_pulled = false;
  for (const auto& cache : shard["cache"]) {
    for (const auto& path : cache["paths"]) kept = kept || path.as<std::string>() == ".sohound-cache";
    costs_pulled =
        costs_pulled || (cache["key"].as<std::string>() == "sohound-costs" && cache["policy"].as<std::string>() == "pull");
  }
  EXPECT_TRUE(kept);
  EXPECT_TRUE(costs_pulled);
  const auto merge = pipeline["sohound-merge"];
  EXPECT_EQ(merge["needs"][0].as<std::string>(), "sohound");
  EXPECT_EQ(merge["when"].as<std::string>(), "always");
  EXPECT_EQ(merge["cache"]["key"].as<std::string>(), "sohound-costs");
  EXPECT_EQ(merge["cache"]["policy"].as<std::string>(), "push");
  EXPECT_EQ(merge["artifacts"]["reports"]["junit"].as<std::string>(), "sohound-out/report/junit.xml");
}

}  // namespace
