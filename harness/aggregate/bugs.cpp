#include "harness/aggregate/bugs.hpp"

#include <algorithm>
#include <unordered_map>

namespace harness::aggregate {
namespace {

int pressure(model::FindingStatus status) {
  switch (status) {
    case model::FindingStatus::new_finding:
      return 4;
    case model::FindingStatus::baseline:
      return 3;
    case model::FindingStatus::third_party:
      return 2;
    case model::FindingStatus::expected:
      return 1;
    case model::FindingStatus::suppressed:
      return 0;
  }
  return 0;
}

}  // namespace

std::vector<Bug> collect_bugs(const model::RunSummary& summary) {
  std::vector<Bug> bugs;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& job : summary.jobs) {
    for (const auto& f : job.findings) {
      if (!f.root.empty()) continue;
      auto [it, inserted] = index.try_emplace(f.fingerprint, bugs.size());
      if (inserted) {
        Bug bug;
        bug.fingerprint = f.fingerprint;
        bug.kind = f.kind;
        bug.message = f.message;
        bug.stack = f.stack;
        bug.leaked_coroutine = f.leaked_coroutine;
        bug.coroutines = f.coroutines;
        bug.status = f.status;
        bug.severity = f.severity;
        bugs.push_back(std::move(bug));
      }
      auto& bug = bugs[it->second];
      if (pressure(f.status) > pressure(bug.status)) bug.status = f.status;
      if (f.severity == model::Severity::error) bug.severity = model::Severity::error;
      if (bug.owner.empty() && !f.owner.empty()) bug.owner = f.owner;
      if (bug.ownership.empty() && !f.ownership.empty()) bug.ownership = f.ownership;
      // Only memcheck reads whether a frame had finished: any occurrence that knows says it.
      if (bug.leaked_coroutine && bug.leaked_coroutine->state.empty() && f.leaked_coroutine)
        bug.leaked_coroutine->state = f.leaked_coroutine->state;
      bug.occurrences.push_back({job.suite, job.feature, job.tool, f.count, f.status});
    }
  }
  for (const auto& job : summary.jobs) {
    for (const auto& f : job.findings) {
      if (f.root.empty()) continue;
      const auto root = index.find(f.root);
      if (root == index.end()) continue;  // a root with no finding (a hand-edited results.json)
      auto& follow_ons = bugs[root->second].follow_ons;
      auto same =
          std::find_if(follow_ons.begin(), follow_ons.end(), [&](const auto& g) { return g.fingerprint == f.fingerprint; });
      if (same == follow_ons.end())
        follow_ons.push_back({f.fingerprint, f.kind, f.message, f.count});
      else
        same->count += f.count;
    }
  }
  return bugs;
}

}  // namespace harness::aggregate
