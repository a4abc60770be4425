#include "reports/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace reports {
namespace model = harness::model;

harness::util::Result<model::RunSummary> merge_runs(const std::vector<model::RunSummary>& runs,
                                                    const std::vector<std::string>& names, bool allow_duplicate_jobs) {
  model::RunSummary merged;
  std::map<std::tuple<std::string, std::string, model::Tool>, std::pair<std::size_t, std::string>> seen;
  std::map<std::pair<std::string, std::string>, std::size_t> suppression_index;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const auto& run = runs[r];
    if (merged.sohound_version.empty()) merged.sohound_version = run.sohound_version;
    if (merged.started_at.empty() || (!run.started_at.empty() && run.started_at < merged.started_at))
      merged.started_at = run.started_at;
    merged.duration_s = std::max(merged.duration_s, run.duration_s);  // shards run side by side
    merged.interrupted = merged.interrupted || run.interrupted;
    merged.self_cpu_s += run.self_cpu_s;
    merged.children_cpu_s += run.children_cpu_s;
    for (const auto& spec : run.specs)
      if (std::find(merged.specs.begin(), merged.specs.end(), spec) == merged.specs.end()) merged.specs.push_back(spec);
    if (merged.baseline.empty()) merged.baseline = run.baseline;
    for (const auto& use : run.suppressions) {
      auto [it, inserted] = suppression_index.try_emplace({use.name, use.source}, merged.suppressions.size());
      if (inserted)
        merged.suppressions.push_back(use);
      else
        merged.suppressions[it->second].matched += use.matched;
    }
    for (const auto& job : run.jobs) {
      const auto key = std::make_tuple(job.suite, job.feature, job.tool);
      auto it = seen.find(key);
      if (it != seen.end()) {
        if (!allow_duplicate_jobs)
          return harness::util::make_error(fmt::format(
              "job {}/{} [{}] is in both {} and {}; shards must not overlap (--allow-duplicates keeps the later one)",
              job.suite, job.feature, model::name(job.tool), it->second.second, names[r]));
        merged.jobs[it->second.first] = job;
        it->second.second = names[r];
        continue;
      }
      seen.emplace(key, std::make_pair(merged.jobs.size(), names[r]));
      merged.jobs.push_back(job);
    }
  }
  return merged;
}

}  // namespace reports
