// Helpers shared by the suppression tests: the shipped suppressions by name, and which of them
// hides a finding.
#pragma once

#include "harness/aggregate/suppress.hpp"

#include <stdexcept>
#include <string>

namespace harness::aggregate::suppress_testing {

inline const model::Suppression& shipped(const std::string& name) {
  for (const auto& s : default_suppressions())
    if (s.name == name) return s;
  throw std::runtime_error("default suppression missing: " + name);
}

inline const model::Suppression& static_init() { return shipped("cxx-function-local-static-init"); }

// Which shipped suppression, if any, hides a finding (the first that matches).
inline std::string hidden_by(model::Tool tool, const model::Finding& finding) {
  for (const auto& s : default_suppressions())
    if (matches(s, tool, finding)) return s.name;
  return "";
}

}  // namespace harness::aggregate::suppress_testing
