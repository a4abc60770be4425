// Memcheck records -> model::Finding with Sohound's dotted kinds (docs/results.md, "Kinds").
#pragma once

#include "harness/model/finding.hpp"
#include "harness/parse/valgrind_xml.hpp"

#include <string_view>
#include <vector>

namespace harness::parse {

// Sohound's kind for a memcheck <kind>; unknown kinds become "memcheck.<Kind>".
std::string memcheck_kind(std::string_view valgrind_kind);

model::Finding memcheck_finding(const ValgrindError& error, int pid);
// The same, taking the stacks over instead of copying them (the streaming path).
model::Finding memcheck_finding(ValgrindError&& error, int pid);

// Every error of a report, with counts from <errorcounts> applied.
std::vector<model::Finding> memcheck_findings(const ValgrindReport& report);

}  // namespace harness::parse
