// The summary printed at the end of a run: a line per feature and tool, then each unexpected
// finding with its primary stack, then the verdict and why.
#pragma once

#include "harness/aggregate/bugs.hpp"
#include "harness/model/run_summary.hpp"

#include <ostream>

namespace reports {

struct TerminalOptions {
  bool color = false;
  std::size_t max_frames = 8;
  // Unexpected findings listed in full; the rest are counted (a CI log is read by people: every
  // finding is in results.json and the reports). 0 = no limit.
  std::size_t max_findings = 100;
  // False when every job's line was already printed as it ended (plain progress lines in CI): the
  // summary then lists only the jobs that did not pass, so a log shows each job once.
  bool list_passing = true;
};

// `bugs`: collect_bugs(summary), built once by a caller that renders more than one report.
void write_terminal_summary(const harness::model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs,
                            std::ostream& out, const TerminalOptions& options);
void write_terminal_summary(const harness::model::RunSummary& summary, std::ostream& out, const TerminalOptions& options);

// One line for a finished job ("ok   examples/leak_definite [memcheck] 1 expected").
std::string job_line(const harness::model::JobResult& job, bool color);

}  // namespace reports
