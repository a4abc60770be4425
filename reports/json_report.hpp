// RunSummary <-> results.json (schema "sohound.results/1", documented in docs/results.md).
#pragma once

#include "harness/model/run_summary.hpp"

#include <ostream>

namespace reports {

inline constexpr const char* k_results_schema = "sohound.results/1";

// Streams results.json (indented, keys in a fixed order).
void write_json(const harness::model::RunSummary& summary, std::ostream& out);

}  // namespace reports
