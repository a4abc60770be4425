// RunSummary -> report.html: one self-contained file (no network, opened from disk) with a summary,
// a feature x tool matrix, bugs grouped by fingerprint with their occurrences, stacks and source
// snippets (read at report time), each job's driver, commands and logs, a timeline, filters and
// stable links (#bug-<fingerprint>, #job-<n>). Data is embedded as JSON and rendered with
// textContent only; a Content-Security-Policy allows nothing but the page's own nonce'd code.
#pragma once

#include "harness/aggregate/bugs.hpp"
#include "harness/model/run_summary.hpp"
#include "reports/report_options.hpp"

#include <ostream>

namespace reports {

// `bugs`: collect_bugs(summary), built once by a caller that renders more than one report.
void write_html(const harness::model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out,
                const ReportOptions& options);
void write_html(const harness::model::RunSummary& summary, std::ostream& out, const ReportOptions& options);

}  // namespace reports
