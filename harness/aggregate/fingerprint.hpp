// Stable fingerprints: one bug, one key, across processes, runs, machines, tools and compilers;
// two bugs, two keys.
//
// Recipe "sohound.fp/2" (docs/results.md, "Fingerprints"):
//  1. Take the primary stack, innermost first.
//  2. Stop at the first driver frame (functions named feature_* or sohound_*, which Sohound's
//     generated drivers reserve): what lies below it is the harness, not the bug.
//  3. Drop allocator, sanitizer-runtime, pthread_*, libc start-up frames, and frames with neither
//     a name nor an object.
//  4. Normalise each name: no parameter list, no symbol version (@@GLIBC_2.2.5), no compiler clone
//     suffix (.isra.0, .cold, .constprop.1, .part.2; " [clone .resume]" as GNU's demangler writes a
//     clone, " (.resume)" as LLVM's does), no "(anonymous namespace)::"; a lambda as LLVM's
//     demangler writes it ("'lambda'()", "'lambda0'(int)") as GNU's ("{lambda()#1}",
//     "{lambda(int)#2}"), so the sanitizers' frames read as Valgrind's. (Before December 2026 the
//     LLVM forms were kept: a baseline of Clang-built sanitizer findings with such frames in their
//     first four names lists them again once.)
//  5. A frame without a name keeps an identity: "?@" and its object's base name up to ".so"
//     ("?@libyaml-cpp.so"); a run of such frames in one object counts once. (Its position inside
//     a function is unknown without a symbol, and its address changes with the load address.)
//  6. Take the first k_fingerprint_frames entries. When none has a name, or one of them is unnamed
//     and fewer than k_min_named_frames have names, the key would not tell code apart, so the
//     user's own frame is added: the feature function (feature_<name>) the stack reached. Two bugs
//     in unnamed library code reached from two features never share a key; a bug in named library
//     code reached from two features is still one bug.
//  7. Hash the recipe, the kind and the entries (FNV-1a 64, hex). No addresses, lines, columns,
//     files or BuildIds, so line shifts, address layouts and GCC-vs-Clang builds keep the key.
//  8. Races and lock-order inversions (race.*) hash the *set* of their access stacks' entry lists
//     (the primary stack and each aux stack that is an access: Helgrind's "This conflicts with",
//     TSan's "Previous write", a lock acquisition), sorted and deduplicated, so which thread came
//     first, and whether a tool saw one side or both of a race on the same code, does not change
//     the key.
// Recipe "sohound.fp/1" (the same without 5 and 6: unnamed frames were dropped) is kept to read
// baselines written before: fingerprint_v1().
#pragma once

#include "harness/model/finding.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::aggregate {

inline constexpr std::string_view k_fingerprint_version = "sohound.fp/2";
inline constexpr std::string_view k_fingerprint_version_v1 = "sohound.fp/1";
inline constexpr std::size_t k_fingerprint_frames = 4;
inline constexpr std::size_t k_min_named_frames = 2;

// "ns::f(int*) const" -> "ns::f"; "memcpy@@GLIBC_2.14" -> "memcpy"; "g.isra.0" -> "g".
std::string normalize_function(std::string_view function);

// True for a frame the tool could not name ("", "???", "<null>": a stripped library's code).
bool is_unnamed(const model::Frame& frame);

// True for a function that allocates memory for its caller (normalised name): malloc and its kin,
// operator new, strdup. What an allocation stack starts with, below the code that asked.
bool is_allocation_function(std::string_view name);

// True for frames that say nothing about the bug: allocators, sanitizer runtimes, libc start-up.
bool is_runtime_frame(const model::Frame& frame);

// True for the tools' own objects: Valgrind's preloads, the sanitizer runtimes, the dynamic loader.
bool is_harness_object(std::string_view object);

// True for frames of Sohound's generated driver (feature_*, sohound_*).
bool is_driver_frame(const model::Frame& frame);

// The entries that make up the key (exposed for tests and `sohound suppressions`): normalised
// names, "?@lib.so" for unnamed frames, and the feature frame when too few have names.
std::vector<std::string> fingerprint_frames(const std::vector<model::Frame>& stack);

// "?@libfoo.so" for a frame without a name in /usr/lib/libfoo.so.1.2; "" when it has no object.
std::string unnamed_frame_identity(const model::Frame& frame);

std::string fingerprint(std::string_view kind, const std::vector<model::Frame>& stack);

// True for an aux stack that is the other side of a race or lock-order cycle (by its label).
bool is_access_stack(std::string_view label);

// The fingerprint of a finding: fingerprint(kind, stack), or the set recipe for race.* kinds.
std::string fingerprint(const model::Finding& finding);

// The same finding's key under recipe sohound.fp/1, to match baselines written with it.
std::string fingerprint_v1(const model::Finding& finding);

}  // namespace harness::aggregate
