// Policy: within one job, merge repeats of a finding, mark what the spec expected, set severities,
// and decide pass or fail. The one place that turns findings into a verdict.
#pragma once

#include "harness/aggregate/ownership.hpp"
#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/model/suppression.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace harness::aggregate {

// The default severity of a kind: leak.reachable is a warning (reported, never failing); all else
// is an error. (docs/results.md, "Kinds")
model::Severity default_severity(std::string_view kind);

bool matches(const model::Expectation& expectation, model::Tool tool, const model::Finding& finding);

// Marks the allocation wrappers (`allocators:` globs) at the top of an allocation stack, below the
// allocator itself: Frame::allocator, skipped in titles and fingerprints like malloc.
void mark_allocators(std::vector<model::Frame>& stack, const std::vector<std::string>& allocators);

// Merges findings with the same fingerprint (counts, bytes and blocks add up; the first stack is
// kept), computing fingerprints first.
std::vector<model::Finding> merge_findings(std::vector<model::Finding> findings);

// What a job is judged against. Statuses are decided in this order: suppressed, expected,
// third_party (a race's ownership, when `ownership` is given), baseline, new.
struct JudgeContext {
  std::vector<model::Expectation> expectations;
  std::vector<std::pair<std::string, model::Severity>> policy;                   // kind glob -> severity; later entries win
  std::vector<std::pair<const model::Suppression*, std::size_t*>> suppressions;  // with a match counter
  const std::set<std::string>* baseline = nullptr;                               // fingerprints
  const std::set<std::string>* baseline_jobs = nullptr;                          // job_signature()s of known failures
  bool baseline_v1 = false;                                                      // ...computed with recipe sohound.fp/1
  std::optional<OwnershipRules> ownership;                                       // races are not classified without it
  bool third_party_fails = false;       // policy {third_party: error}: such races stay new, their owner named
  std::vector<std::string> allocators;  // the library's allocation wrappers (`allocators:`, globs)
};

// The severity of a kind after the policy's overrides.
model::Severity severity_for(std::string_view kind, const std::vector<std::pair<std::string, model::Severity>>& policy);

// Fills fingerprints, merges, applies suppressions, expectations, the baseline and severities,
// lists unmatched expectations and sets job.passed.
void judge(model::JobResult& job, const JudgeContext& context);
void judge(model::JobResult& job, const std::vector<model::Expectation>& expectations);

}  // namespace harness::aggregate
