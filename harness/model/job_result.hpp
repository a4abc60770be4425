// What happened to one job (one feature under one tool), bound for the reports. A job that leaks,
// crashes, times out or fails to build is an ordinary JobResult, never an exception.
#pragma once

#include "harness/model/finding.hpp"
#include "harness/model/tool.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::model {

enum class JobOutcome {
  ok,                // the driver ran to completion under the tool; findings (if any) are in `findings`
  build_failed,      // the driver or library did not compile or link; `log` has the compiler output
  crashed,           // the driver died of a signal or exited with an unexpected status
  timeout,           // killed after the tool-scaled timeout
  tool_failed,       // the tool is missing, could not start, or left an unusable report
  cancelled,         // interrupted (Ctrl-C) before it finished
  exited_early,      // the feature ended the process (exit, _exit) before the driver finished it: the
                     // end-of-run checks (LeakSanitizer) may not have run, so "no findings" proves nothing
  skipped,           // not run on purpose, and `message` says why (a program without a build for the
                     // tool's flavour); does not fail the run
  report_lost,       // the run ended, but Sohound cannot show the tool's report reached it whole (the
                     // report channel was closed or replaced for good, reports made did not arrive):
                     // no finding is no proof; `message` says what happened and what to change
  report_truncated,  // the tool cut its own report (LeakSanitizer's 5,000-leak cap, or another
                     // limit): findings past the cut are unknown; fails the job
  not_run,           // not started because what it needs is missing (its fixture's set-up test failed,
                     // a required file is absent) or it asks for what Sohound cannot honour; `message`
                     // says which; fails the job, as CTest's "Not Run" fails the test
};

// How a `todo:` feature's skipped job's message starts (counted apart in the summary).
inline constexpr const char* k_todo_message = "not written yet (todo): ";

// Every outcome, in declaration order (for readers of results.json and the cache).
const std::vector<JobOutcome>& all_outcomes();

std::string_view to_string(JobOutcome outcome);
bool is_infrastructure(JobOutcome outcome);

struct Phase {         // one step of the job, for the timeline
  std::string name;    // build, run, parse
  double start_s = 0;  // seconds since the run started
  double end_s = 0;
  bool operator==(const Phase&) const = default;
};

struct JobResult {
  std::string suite;
  std::string feature;
  Tool tool = Tool::memcheck;
  JobOutcome outcome = JobOutcome::ok;
  bool passed = true;  // outcome ok and no new error-severity finding, or a failure the baseline knows
  // A job failure (crashed, exited early, timed out, the tool failed) whose signature is in the
  // baseline (aggregate::job_signature): passed, its outcome kept and shown.
  bool baselined = false;
  std::string message;  // one line: why it failed, or what the tool said
  double duration_s = 0;
  int exit_code = -1;  // of the driver process under the tool; -1 when it did not run
  int signal = 0;
  std::vector<Finding> findings;
  std::vector<std::string> unmatched_expectations;  // expected but no longer found
  std::vector<std::string> notes;                   // what this tool cannot see here (uninstrumented library, ...)
  std::string log;                                  // compiler output for build failures, the tool's stderr otherwise (tail)
  std::string job_dir;                              // where the driver source, commands and raw reports are kept
  std::string driver_source;
  std::string build_command;
  std::string run_command;
  std::vector<std::string> reports;  // raw report files the findings came from
  std::vector<Phase> phases;
  // The run unit: the tool process that ran this feature. "" when it ran alone (job_dir holds its
  // reports) or not at all; else the batch's folder, which ran `unit_features` in order.
  std::string unit;
  std::vector<std::string> unit_features;
  bool cached = false;  // not run: findings from the result cache, judged again
  // Its tool process ran inside the sandbox (exec/sandbox.hpp); when false, RunSummary::sandbox
  // says why not. A cached job ran as the run that cached it did (the cache key holds it).
  bool sandboxed = false;
  std::string cache_key;  // the result cache key of this job's inputs ("" when none)
  bool operator==(const JobResult&) const = default;
};

// The job without what belongs to the run that produced it (its folders, reports, timings, unit,
// cache key): what the result cache keeps of it (exec/result_cache).
JobResult without_run_specifics(JobResult job);

// Every path under the folder `from` that the job names (its findings' frames, processes and
// messages, its notes, log and commands) moved under `to`: each "FROM/" becomes "TO/". The result
// cache keeps a job with its run's --out as a marker and gives it back under the reading run's, so
// a job served into another --out names that folder, as a job run there would (and its frames are
// judged as that run's own code).
void relocate(JobResult& job, std::string_view from, std::string_view to);

}  // namespace harness::model
