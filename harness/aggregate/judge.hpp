// Policy: within one job, merge repeats of a finding, mark what the spec expected, set severities,
// and decide pass or fail. The one place that turns findings into a verdict.
#pragma once

#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"

#include <vector>

namespace harness::aggregate {

// The default severity of a kind: leak.reachable is a warning (reported, never failing); all else
// is an error. (docs/results.md, "Kinds")
model::Severity default_severity(std::string_view kind);

bool matches(const model::Expectation& expectation, model::Tool tool, const model::Finding& finding);

// Merges findings with the same fingerprint (counts, bytes and blocks add up; the first stack is
// kept), computing fingerprints first.
std::vector<model::Finding> merge_findings(std::vector<model::Finding> findings);

// Fills fingerprints, merges, applies expectations and severity, lists unmatched expectations and
// sets job.passed.
void judge(model::JobResult& job, const std::vector<model::Expectation>& expectations);

}  // namespace harness::aggregate
