// Specs -> jobs: one job per feature and tool, in spec order. Pure: no I/O.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/model/tool.hpp"

#include <functional>
#include <optional>
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

// What runs: one tool process running one feature, or several one after another (a batch). What is
// reported stays one result per job (feature x tool); a unit lists the jobs it runs.
struct RunUnit {
  std::size_t suite = 0;
  model::Tool tool = model::Tool::memcheck;
  std::vector<std::size_t> jobs;  // indices into the job list, in run order
  double cost_s = 0;              // estimated: tool start-up plus each job's known or guessed time
  bool unseen = false;            // holds a job with no recorded duration
};

struct UnitOptions {
  std::optional<model::Isolation> isolation;  // --isolation: process forces it everywhere
  int parallel = 2;                           // processes at once
  // A job's duration in an earlier run, when recorded.
  std::function<std::optional<double>(const JobPlan&)> known_cost;
};

// The isolation a feature runs with: `process` from --isolation wins, then the feature's, the
// suite's, --isolation batch, else batch. A feature with its own ldflags always runs alone (it
// cannot share a link).
model::Isolation isolation_for(const model::SuiteSpec& suite, const model::FeatureSpec& feature,
                               std::optional<model::Isolation> cli);

// Groups `selected` jobs (indices into `jobs`) into run units, ordered for the scheduler: units
// holding an unseen job first, then longest first. Features batch only with features of the same
// suite and tool that share env and timeout; a group is cut into more batches only while
// that shortens the run as estimated by longest-first packing onto `parallel` processes, and never
// into batches whose work is less than one more tool start-up.
std::vector<RunUnit> make_units(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs,
                                const std::vector<std::size_t>& selected, const UnitOptions& options);

// Estimated start-up of one tool process, and a feature's time under the tool when unknown.
double startup_cost_s(model::Tool tool);
double default_job_cost_s(model::Tool tool);

}  // namespace harness::plan
