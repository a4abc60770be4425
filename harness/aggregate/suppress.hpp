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

// A Helgrind race.data report whose other side is the construction of a function-local static
// inside a prebuilt, stripped C++ shared library (some of its frames have no name; no symbols for
// the static or its owner; the readers' guard check is an inline load Helgrind does not see): a
// read by the library of
//  - its own BSS, conflicting with a write by a constructor (or unnamed code) in that library, or
//  - a heap block that the library's own code allocated in another thread, with a C++ frame of the
//    library in the allocation stack, and no conflicting access Helgrind could name.
// User code (the driver, a feature) is never on top of either side, so a race in it stays.
bool is_library_static_init_race(const model::Finding& finding);

bool matches(const model::Suppression& suppression, model::Tool tool, const model::Finding& finding);

// The suppressions Sohound ships for known tool noise (harness/aggregate/default_suppressions.yaml).
const std::vector<model::Suppression>& default_suppressions();

// A minimal, reviewable suppression for one finding: its kind, the tool, and the top frames that
// make up its fingerprint (never addresses, never the tool's over-narrow generated text).
// A suppression for one finding: its kind, the tool, and frame patterns from its fingerprint's
// entries (fingerprint_frames): the named frames, and "...", feature_<name> when the fingerprint
// needed the feature to tell unnamed library code apart.
model::Suppression suggest_suppression(const model::Finding& finding, model::Tool tool);

}  // namespace harness::aggregate
