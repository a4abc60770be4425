// The stages of `sohound run` (and of exec and ctest, which build their suites and run them the
// same way): load and check every input, plan (this shard's jobs), run (the event loop), write
// (results.json first, then the reports). Internal to harness/cli.
#pragma once

#include "harness/cli/commands.hpp"
#include "harness/exec/pipeline.hpp"
#include "harness/model/run_summary.hpp"
#include "harness/model/trace.hpp"
#include "harness/plan/planner.hpp"
#include "harness/plan/shard.hpp"
#include "reports/registry.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace harness::cli {

// Every input of a run, read and checked.
struct RunInputs {
  std::vector<model::SuiteSpec> suites;
  plan::PlanOptions plan_options;          // --tools, --filter
  exec::PipelineOptions pipeline_options;  // --suppressions, --baseline (the rest is set when the run starts)
  std::vector<const reports::Renderer*> renderers;
  std::map<std::string, double> known_costs;  // --costs
  std::optional<plan::ShardSelection> shard;  // this process's shard, when the run is sharded
};

// Stage 1 (run_inputs.cpp): specs, GoogleTest expansion, --compiler, --tools, suite names,
// suppressions, baseline, reports, costs and the shard. What is wrong is printed (file:line:col
// where it has one); nullopt then (exit 2).
std::optional<RunInputs> load_run_inputs(const RunOptions& options, const std::map<std::string, std::string>& environment);

// Stage 2 (run_inputs.cpp): the jobs this process runs (its shard's part of the plan, the same in
// every shard), and what the shard says about itself. nullopt when there is nothing to run.
struct PlannedRun {
  std::vector<plan::JobPlan> jobs;
  model::ShardInfo shard;
};
std::optional<PlannedRun> plan_run(const RunOptions& options, const RunInputs& inputs, model::Tracer& tracer,
                                   model::Tracer::Handle run_span);

// The spec files' contents (and the suites exec/ctest built, by what they run): whether two shards
// ran the same specs.
std::string specs_digest(const RunOptions& options);

}  // namespace harness::cli
