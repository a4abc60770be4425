// `sohound merge`: several runs or CI shards -> one RunSummary. Jobs are concatenated (bugs are
// deduplicated when rendered); the same job (suite, feature, tool) in two inputs is an error unless
// duplicates are allowed, in which case the later input's result wins.
#pragma once

#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"

#include <string>
#include <vector>

namespace reports {

harness::util::Result<harness::model::RunSummary> merge_runs(const std::vector<harness::model::RunSummary>& runs,
                                                              const std::vector<std::string>& names,
                                                              bool allow_duplicate_jobs);

}  // namespace reports
