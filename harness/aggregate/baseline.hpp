// A baseline: fingerprints of findings that were already there. With --baseline, only findings
// whose fingerprint is not in it fail the run (docs/results.md, "Baselines").
#pragma once

#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"

#include <set>
#include <string>

namespace harness::aggregate {

inline constexpr const char* k_baseline_schema = "sohound.baseline/1";

struct Baseline {
  std::set<std::string> fingerprints;
  // Job failures that were already there: job_signature() of each ("jobs" in the file).
  std::set<std::string> jobs;
  // The fingerprint recipe they were computed with: "fingerprint_recipe" in the file; files written
  // before it was recorded used sohound.fp/1, and are matched by that recipe (judge).
  std::string recipe;
};

// The outcomes a baseline can hold as known: a crash, an exit before the end, a timeout, the tool
// failing. Never a lost or truncated report (the proof of a run), nor a build failure.
bool can_baseline(model::JobOutcome outcome);

// A job failure's signature: "OUTCOME SUITE/FEATURE TOOL SIGNAL FRAME", with the signal (or exit
// status) and the top frame of the crash's stack in the user's or a library's code. A crash that
// moves to another frame, or becomes another outcome, is another signature.
std::string job_signature(const model::JobResult& job);

// A baseline file; an error for an unknown schema or a recipe this Sohound cannot compute.
util::Result<Baseline> load_baseline(const std::string& path);

// Every error-severity finding that is new or already in the baseline, and every job failure
// can_baseline() allows: what a future run should tolerate. Written sorted, with kind and a location, so it reviews well in a
// diff.
bool write_baseline(const model::RunSummary& summary, const std::string& path);

}  // namespace harness::aggregate
