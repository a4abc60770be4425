// `sohound merge`: several runs or CI shards -> one RunSummary (docs/sharding.md). Shard results
// (results.json with "shard") are checked to add up to the whole run: every shard 1..N once, all of
// one plan, spec files and Sohound version; the merged jobs are in the unsharded run's order, so the
// merge equals an unsharded run's results. A problem is an error unless `allow_partial`, which
// merges what fits and marks the result partial (MergeInfo). Results of separate runs (no "shard")
// are concatenated; the same job (suite, feature, tool) in two inputs is an error unless
// `allow_duplicate_jobs`, in which case the later input's result wins. Traces are concatenated.
#pragma once

#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"

#include <string>
#include <vector>

namespace reports {

struct MergeSettings {
  bool allow_duplicate_jobs = false;  // --allow-duplicates
  bool allow_partial = false;         // --allow-partial
};

// `runs` by value: a caller that no longer needs them moves them in, and no job is copied.
harness::util::Result<harness::model::RunSummary> merge_runs(std::vector<harness::model::RunSummary> runs,
                                                             const std::vector<std::string>& names, MergeSettings settings);
inline harness::util::Result<harness::model::RunSummary> merge_runs(std::vector<harness::model::RunSummary> runs,
                                                                    const std::vector<std::string>& names,
                                                                    bool allow_duplicate_jobs) {
  return merge_runs(std::move(runs), names, MergeSettings{allow_duplicate_jobs, false});
}

}  // namespace reports
