#include "harness/model/job_result.hpp"

namespace harness::model {

std::string_view to_string(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::ok:
      return "ok";
    case JobOutcome::build_failed:
      return "build_failed";
    case JobOutcome::crashed:
      return "crashed";
    case JobOutcome::timeout:
      return "timeout";
    case JobOutcome::tool_failed:
      return "tool_failed";
    case JobOutcome::cancelled:
      return "cancelled";
    case JobOutcome::exited_early:
      return "exited_early";
    case JobOutcome::skipped:
      return "skipped";
    case JobOutcome::report_lost:
      return "report_lost";
    case JobOutcome::report_truncated:
      return "report_truncated";
    case JobOutcome::not_run:
      return "not_run";
  }
  return "ok";
}

const std::vector<JobOutcome>& all_outcomes() {
  static const std::vector<JobOutcome> k_all = {
      JobOutcome::ok,          JobOutcome::build_failed,     JobOutcome::crashed,      JobOutcome::timeout,
      JobOutcome::tool_failed, JobOutcome::cancelled,        JobOutcome::exited_early, JobOutcome::skipped,
      JobOutcome::report_lost, JobOutcome::report_truncated, JobOutcome::not_run};
  return k_all;
}

bool is_infrastructure(JobOutcome outcome) { return outcome == JobOutcome::tool_failed; }

JobResult without_run_specifics(JobResult job) {
  job.job_dir.clear();
  job.reports.clear();
  job.phases.clear();
  job.unit.clear();
  job.unit_features.clear();
  job.cache_key.clear();
  return job;
}

}  // namespace harness::model
