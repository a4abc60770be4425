// Stable fingerprints: one bug, one key, across processes, runs, machines, tools and compilers.
//
// Recipe "sohound.fp/1" (docs/results.md, "Fingerprints"):
//  1. Take the primary stack, innermost first.
//  2. Stop at the first driver frame (functions named feature_* or sohound_*, which Sohound's
//     generated drivers reserve): what lies below it is the harness, not the bug. If the bug is in
//     the feature's own inline code, that frame is kept as the only one.
//  3. Drop allocator, sanitizer-runtime, pthread_*, libc start-up and unknown frames.
//  4. Normalise each name: no parameter list, no symbol version (@@GLIBC_2.2.5), no compiler clone
//     suffix (.isra.0, .cold, .constprop.1, .part.2), no "(anonymous namespace)::".
//  5. Hash the kind and the first k_fingerprint_frames names (FNV-1a 64, hex). No addresses, lines,
//     columns, files or BuildIds, so line shifts and address layouts do not change the key.
//  6. Races and lock-order inversions (race.*) hash the *set* of their access stacks' name lists
//     (the primary stack and each aux stack that is an access: Helgrind's "This conflicts with",
//     TSan's "Previous write", a lock acquisition), sorted and deduplicated, so which thread
//     came first, and whether a tool saw one side or both of a race on the same code, does not
//     change the key.
#pragma once

#include "harness/model/finding.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::aggregate {

inline constexpr std::string_view k_fingerprint_version = "sohound.fp/1";
inline constexpr std::size_t k_fingerprint_frames = 4;

// "ns::f(int*) const" -> "ns::f"; "memcpy@@GLIBC_2.14" -> "memcpy"; "g.isra.0" -> "g".
std::string normalize_function(std::string_view function);

// True for frames that say nothing about the bug: allocators, sanitizer runtimes, libc start-up.
bool is_runtime_frame(const model::Frame& frame);

// True for frames of Sohound's generated driver (feature_*, sohound_*).
bool is_driver_frame(const model::Frame& frame);

// The normalised frames that make up the key (exposed for tests and the HTML report).
std::vector<std::string> fingerprint_frames(const std::vector<model::Frame>& stack);

std::string fingerprint(std::string_view kind, const std::vector<model::Frame>& stack);

// True for an aux stack that is the other side of a race or lock-order cycle (by its label).
bool is_access_stack(std::string_view label);

// The fingerprint of a finding: fingerprint(kind, stack), or the set recipe for race.* kinds.
std::string fingerprint(const model::Finding& finding);

}  // namespace harness::aggregate
