// Specs -> jobs: one job per feature and tool, in spec order. Pure: no I/O.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/model/tool.hpp"

#include <string>
#include <vector>

namespace harness::plan {

struct JobPlan {
  std::size_t suite = 0;    // index into the specs
  std::size_t feature = 0;  // index into the suite's features
  model::Tool tool = model::Tool::memcheck;
};

struct PlanOptions {
  std::vector<model::Tool> tools;  // --tools: restricts every feature to these; empty = no restriction
  std::string filter;              // --filter GLOB over "suite/feature" or "feature"; empty = all
};

// The tools a feature runs under: its own list, else the suite's, else every tool; then
// restricted to --tools.
std::vector<model::Tool> tools_for(const model::SuiteSpec& suite, const model::FeatureSpec& feature,
                                   const std::vector<model::Tool>& restrict_to);

std::vector<JobPlan> make_jobs(const std::vector<model::SuiteSpec>& suites, const PlanOptions& options);

}  // namespace harness::plan
