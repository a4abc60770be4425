#include "harness/model/run_summary.hpp"

namespace harness::model {

int exit_code(const RunSummary& summary) {
  if (summary.interrupted) return 130;  // whatever had failed before: the run is not complete
  if (!summary.input_errors.empty()) return 2;
  bool failed = false, infrastructure = false;
  for (const auto& job : summary.jobs) {
    if (job.passed) continue;
    if (job.outcome == JobOutcome::cancelled) continue;
    if (is_infrastructure(job.outcome))
      infrastructure = true;
    else
      failed = true;
  }
  if (failed) return 1;
  if (infrastructure) return 3;
  return 0;
}

}  // namespace harness::model
