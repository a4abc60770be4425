#include "harness/plan/planner.hpp"

#include "harness/util/text.hpp"

#include <algorithm>

namespace harness::plan {

std::vector<model::Tool> tools_for(const model::SuiteSpec& suite, const model::FeatureSpec& feature,
                                   const std::vector<model::Tool>& restrict_to) {
  std::vector<model::Tool> tools;
  if (feature.tools)
    tools = *feature.tools;
  else if (suite.tools)
    tools = *suite.tools;
  else
    for (const auto& row : model::tool_table()) tools.push_back(row.tool);
  if (!restrict_to.empty())
    std::erase_if(tools, [&](model::Tool t) { return std::find(restrict_to.begin(), restrict_to.end(), t) == restrict_to.end(); });
  return tools;
}

std::vector<JobPlan> make_jobs(const std::vector<model::SuiteSpec>& suites, const PlanOptions& options) {
  std::vector<JobPlan> jobs;
  for (std::size_t s = 0; s < suites.size(); ++s) {
    const auto& suite = suites[s];
    for (std::size_t f = 0; f < suite.features.size(); ++f) {
      const auto& feature = suite.features[f];
      if (!options.filter.empty() && !util::glob_match(options.filter, feature.name) &&
          !util::glob_match(options.filter, suite.name + "/" + feature.name))
        continue;
      for (auto tool : tools_for(suite, feature, options.tools)) jobs.push_back({s, f, tool});
    }
  }
  return jobs;
}

}  // namespace harness::plan
