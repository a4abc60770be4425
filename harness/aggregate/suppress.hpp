// Sohound-level suppressions: one matcher for every tool's findings (docs/spec.md, "Suppressions").
#pragma once

#include "harness/model/finding.hpp"
#include "harness/model/suppression.hpp"
#include "harness/model/tool.hpp"

#include <string_view>
#include <vector>

namespace harness::aggregate {

// Frame patterns against a stack with allocator/runtime frames dropped; "..." skips any frames.
bool frames_match(const std::vector<std::string>& patterns, const std::vector<model::Frame>& stack);

// The built-in "static initialisation" check: Helgrind names the object a data symbol "_ZZ..."
// (a C++ function-local static) and its owner function is on the conflicting stack; DRD's
// conflicting segment runs from __cxa_guard_acquire to __cxa_guard_release.
bool is_static_initialisation_race(const model::Finding& finding);

bool matches(const model::Suppression& suppression, model::Tool tool, const model::Finding& finding);

// The suppressions Sohound ships for known tool noise (harness/aggregate/default_suppressions.yaml).
const std::vector<model::Suppression>& default_suppressions();

// A minimal, reviewable suppression for one finding: its kind, the tool, and the top frames that
// make up its fingerprint (never addresses, never the tool's over-narrow generated text).
model::Suppression suggest_suppression(const model::Finding& finding, model::Tool tool);

}  // namespace harness::aggregate
