// Memcheck, Helgrind and DRD records -> model::Finding with Sohound's dotted kinds (docs/results.md, "Kinds").
#pragma once

#include "harness/model/finding.hpp"
#include "harness/parse/valgrind_xml.hpp"

#include <string_view>
#include <vector>

namespace harness::parse {

// Sohound's kind for a Valgrind <kind> of `tool` (memcheck, helgrind, drd: <protocoltool>);
// unknown kinds become "<tool>.<Kind>".
std::string valgrind_kind(std::string_view tool, std::string_view valgrind_kind);

model::Finding valgrind_finding(std::string_view tool, const ValgrindError& error, int pid);
// The same, taking the stacks over instead of copying them (the streaming path).
model::Finding valgrind_finding(std::string_view tool, ValgrindError&& error, int pid);

// Every error of a report, with counts from <errorcounts> applied, and what the driver said of a
// definite leak's blocks ("sohound:frame N/M ...": whether a coroutine frame had finished).
std::vector<model::Finding> valgrind_findings(const ValgrindReport& report);

}  // namespace harness::parse
