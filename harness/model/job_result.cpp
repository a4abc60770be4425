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

namespace {

void relocate_text(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

void relocate(JobResult& job, std::string_view from_dir, std::string_view to_dir) {
  if (from_dir.empty() || to_dir.empty() || from_dir == to_dir) return;  // ("": no folder to move from or to)
  const std::string from = std::string(from_dir) + "/", to = std::string(to_dir) + "/";
  const auto move = [&](std::string& text) { relocate_text(text, from, to); };
  const auto move_frames = [&](std::vector<Frame>& frames) {
    for (auto& frame : frames) {
      move(frame.file);
      move(frame.object);
    }
  };
  for (auto& finding : job.findings) {
    move(finding.message);
    move(finding.process);
    move_frames(finding.stack);
    for (auto& aux : finding.aux_stacks) {
      move(aux.label);
      move_frames(aux.frames);
    }
    if (finding.leaked_coroutine) {
      move(finding.leaked_coroutine->file);
      move(finding.leaked_coroutine->created_file);
    }
  }
  move(job.message);
  for (auto& note : job.notes) move(note);
  move(job.log);
  move(job.build_command);
  move(job.run_command);
}

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
