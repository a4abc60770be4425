// The job coroutines: for each planned job, build the library and the driver for its flavour
// (each once, shared by every job that needs it), run the driver under the tool, parse the raw
// reports and judge the findings. Every failure becomes a JobOutcome; nothing here throws past a job.
#pragma once

#include "harness/exec/scheduler.hpp"
#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/plan/planner.hpp"

#include <boost/asio/awaitable.hpp>

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace harness::exec {

class OutputDir;

struct PipelineOptions {
  const OutputDir* out = nullptr;      // claimed and locked by the caller; every path lies inside it
  std::string out_dir;                 // out->path(), set by the pipeline
  std::chrono::seconds build_timeout{300};
  std::vector<model::Suppression> suppressions;  // from --suppressions, for every suite
  bool default_suppressions = true;              // the shipped ones (aggregate/default_suppressions.yaml)
  std::set<std::string> baseline;                // fingerprints from --baseline
  bool use_baseline = false;
};

class Pipeline {
 public:
  Pipeline(Scheduler& scheduler, const std::vector<model::SuiteSpec>& suites, PipelineOptions options);
  ~Pipeline();

  // Runs every job (spawned into the scheduler, joined before returning). `results` is indexed
  // like `jobs`; a job cancelled before it finished is left with outcome cancelled.
  boost::asio::awaitable<void> run_all(const std::vector<plan::JobPlan>& jobs, std::vector<model::JobResult>& results,
                                       std::function<void(const model::JobResult&)> on_finished);

  // A note for the job whose process `sender` is (by its job token), shown on that job when it
  // ends; false when `sender` is no job's process.
  bool note_for_process(pid_t sender, const std::string& note);

  // Every suppression in force, with how many findings each matched (after run_all).
  std::vector<model::SuppressionUse> suppression_uses() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Where a job's files live: OUT/jobs/<suite>/<feature>/<tool or build-flavour>.
std::string job_dir(const std::string& out_dir, const std::string& suite, const std::string& feature,
                    const std::string& leaf);

}  // namespace harness::exec
