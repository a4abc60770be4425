// results.json -> RunSummary, so reports can be re-rendered (`sohound report`) and runs or CI
// shards merged (`sohound merge`) from files.
#pragma once

#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"

#include <map>
#include <string>

namespace reports {

harness::util::Result<harness::model::RunSummary> read_results(const std::string& path);
// The same from text; `name` is the file name errors give.
harness::util::Result<harness::model::RunSummary> parse_results(std::string_view text, const std::string& name);

// The job times recorded in a results.json (a run's or a merge's), for `--costs`: "suite/feature/tool"
// -> seconds, from every job that ran or came from the cache (not build failures, cancelled or
// skipped jobs). Reads only what it needs; an error names the file.
harness::util::Result<std::map<std::string, double>> read_job_costs(const std::string& path);

}  // namespace reports
