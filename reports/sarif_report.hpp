// RunSummary -> SARIF 2.1.0 (results.sarif) for GitHub code scanning: a rule per kind, a result per
// bug (fingerprint) located at its first source frame relative to the source root, the primary
// stack as a codeFlow (shown by GitHub) and every stack under `stacks`, Sohound's fingerprint in
// partialFingerprints, expected and suppressed bugs carried with SARIF suppressions, and the
// result count kept under GitHub's limits.
#pragma once

#include "harness/aggregate/bugs.hpp"
#include "harness/model/run_summary.hpp"
#include "reports/report_options.hpp"

#include <ostream>

namespace reports {

inline constexpr std::size_t k_sarif_max_results = 25000;  // GitHub's per-run limit
// Frames per code flow and per stack: the bug's neighbourhood, and a file that stays far below
// GitHub's 10 MB (gzipped) upload limit at 10,000 results. The full stacks are in results.json.
inline constexpr std::size_t k_sarif_max_frames = 16;

// `bugs`: collect_bugs(summary), built once by a caller that renders more than one report.
void write_sarif(const harness::model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out,
                 const ReportOptions& options);
void write_sarif(const harness::model::RunSummary& summary, std::ostream& out, const ReportOptions& options);

}  // namespace reports
