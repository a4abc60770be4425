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
      EXPECT_EQ(step["with"]["key"].as<std::string>(), "sohound-ccache-${{ github.sha }}");
      EXPECT_EQ(step["with"]["path"].as<std::string>(), ".ccache");
    }
  EXPECT_TRUE(cache);
}

TEST(Templates, GitlabIsValidYaml) { EXPECT_NO_THROW(load("gitlab-ci.yml")); }

}  // namespace
