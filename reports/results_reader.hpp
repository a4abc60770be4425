// results.json -> RunSummary, so reports can be re-rendered (`sohound report`) and runs or CI
// shards merged (`sohound merge`) from files.
#pragma once

#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"

#include <string>

namespace reports {

harness::util::Result<harness::model::RunSummary> read_results(const std::string& path);

}  // namespace reports
