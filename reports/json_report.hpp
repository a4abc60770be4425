// RunSummary <-> results.json (schema "sohound.results/1", documented in docs/results.md).
#pragma once

#include "harness/model/run_summary.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace reports {

inline constexpr const char* k_results_schema = "sohound.results/1";

nlohmann::json to_json(const harness::model::RunSummary& summary);
void write_json(const harness::model::RunSummary& summary, std::ostream& out);

}  // namespace reports
