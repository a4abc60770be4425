// RunSummary <-> results.json (schema "sohound.results/1", documented in docs/results.md).
#pragma once

#include "harness/aggregate/bugs.hpp"
#include "harness/model/run_summary.hpp"

#include <ostream>

namespace reports {

inline constexpr const char* k_results_schema = "sohound.results/1";

// Streams results.json (indented, keys in a fixed order). `bugs`: collect_bugs(summary), built once
// by a caller that renders more than one report; the overload without it builds them.
void write_json(const harness::model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out);
void write_json(const harness::model::RunSummary& summary, std::ostream& out);

}  // namespace reports
