// The whole run: every job's result plus totals; what results.json and every renderer consume.
#pragma once

#include "harness/model/job_result.hpp"
#include "harness/model/suppression.hpp"

#include <string>
#include <vector>

namespace harness::model {

struct RunSummary {
  std::string sohound_version;
  std::string started_at;    // ISO 8601 UTC
  double duration_s = 0;
  bool interrupted = false;  // Ctrl-C: the results are partial
  std::vector<std::string> specs;
  double self_cpu_s = 0;      // Sohound's own user+system CPU time
  double children_cpu_s = 0;  // every child's (compilers, tools, drivers)
  std::vector<JobResult> jobs;
  std::vector<SuppressionUse> suppressions;  // every suppression in force, with its match count
  std::string baseline;                      // the --baseline file, if any
  // How the run executed (exec::PipelineStats): tool processes started, of which batches; features
  // re-run alone after a batch stopped in them; jobs answered from the result cache.
  std::size_t processes = 0, batches = 0, reruns = 0, cached = 0, cache_damaged = 0;
  std::string cache_dir;                     // "" when the cache was off
};

// 0: all passed; 1: unexpected findings or failed jobs; 3: only infrastructure failures;
// 130: interrupted. (docs/results.md, "Exit codes")
int exit_code(const RunSummary& summary);

}  // namespace harness::model
