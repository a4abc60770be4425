// RunSummary -> JUnit XML (junit.xml) for Jenkins, GitLab and GitHub test reporters: a testsuite
// per Sohound suite, a testcase per feature x tool; new findings are <failure>s, build failures,
// crashes, timeouts and tool failures are <error>s, cancelled jobs <skipped>; expected, suppressed
// and baseline findings go to <system-out>, never failing.
#pragma once

#include "harness/model/run_summary.hpp"
#include "reports/report_options.hpp"

#include <ostream>

namespace reports {

void write_junit(const harness::model::RunSummary& summary, std::ostream& out, const ReportOptions& options);

}  // namespace reports
