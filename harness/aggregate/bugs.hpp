// Dedup across the whole run: one bug (fingerprint) is one entry, with where it occurred (which
// features, which tools, how many times). results.json "bugs"; the HTML report groups by it.
#pragma once

#include "harness/model/run_summary.hpp"

#include <string>
#include <vector>

namespace harness::aggregate {

struct Occurrence {
  std::string suite;
  std::string feature;
  model::Tool tool = model::Tool::memcheck;
  std::uint64_t count = 0;
  model::FindingStatus status = model::FindingStatus::new_finding;
};

struct Bug {
  std::string fingerprint;
  std::string kind;
  std::string message;                                  // of the first occurrence
  model::Severity severity = model::Severity::warning;  // error if any occurrence is an error
  // The most pressing: new > baseline > third_party > expected > suppressed.
  model::FindingStatus status = model::FindingStatus::suppressed;
  std::vector<model::Frame> stack;                         // of the first occurrence
  std::string owner, ownership;                            // of the first occurrence that has them (Finding::owner, ::ownership)
  std::optional<model::LeakedCoroutine> leaked_coroutine;  // of the first occurrence (its state: any one's)
  std::vector<std::string> coroutines;                     // of the first occurrence
  std::vector<Occurrence> occurrences;
  // Findings that follow from this one (Finding::root) in any of its occurrences, one per
  // fingerprint, counts added up: shown under it, never bugs of their own.
  struct FollowOn {
    std::string fingerprint, kind, message;
    std::uint64_t count = 0;
  };
  std::vector<FollowOn> follow_ons;
};

// Bugs in order of first appearance, from root findings; a finding with a root is a follow-on of
// its root's bug.
std::vector<Bug> collect_bugs(const model::RunSummary& summary);

}  // namespace harness::aggregate
