// results.json -> RunSummary, so reports can be re-rendered (`sohound report`) and runs or CI
// shards merged (`sohound merge`) from files.
#pragma once

#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"

#include <string>

namespace reports {

harness::util::Result<harness::model::RunSummary> read_results(const std::string& path);
// The same from text; `name` is the file name errors give.
harness::util::Result<harness::model::RunSummary> parse_results(std::string_view text, const std::string& name);

}  // namespace reports
