// Whose race is it: decided from the evidence the tools print, never from a broad pattern.
//
// A race is the user's when any access was made by the user's code (the generated driver, a library
// built from the spec's recipe, a program or library under the source root) or when the raced
// memory is the user's: a global of the user's code, a heap block the user's code allocated, or a
// block a library allocated for the user's code (an object the user's threads share). A race is
// `third_party` when every access was made by code the user did not write (a prebuilt library,
// libc, libstdc++) and the memory is that code's own: the static data (BSS, data) of a library, a
// block allocated with no user frame below it, or an object made under a function the spec declares
// thread-safe (`thread_safe: [mdb_env_create]`), or memory Sohound cannot place (a mapping, a
// stack: Helgrind "mapped file", DRD "Allocation context: unknown") touched only by the library that
// declared function belongs to. Anything the evidence does not show stays the user's. Pure.
#pragma once

#include "harness/model/finding.hpp"

#include <string>
#include <vector>

namespace harness::aggregate {

struct OwnershipRules {
  // Path prefixes of the user's own code: the run's output folder (the driver, recipe builds), the
  // source root, a program under test. Objects under /usr and /lib are never the user's, whatever
  // the prefixes say, except a listed program itself.
  std::vector<std::string> own_paths;
  // Objects that are the user's wherever they lie: a program under test, a recipe's or a prebuilt
  // library of the user's (a path, or a file name as TSan prints objects: "libexample.so").
  std::vector<std::string> own_objects;
  // Functions whose objects are safe to share between threads (`thread_safe:`), as written.
  std::vector<std::string> thread_safe;
};

struct Ownership {
  bool third_party = false;
  std::string library;      // the object whose code made the accesses ("libcjson.so.1.7.15")
  std::string function;     // its first named function on the access stack, when it has one
  std::string explanation;  // the evidence, or, for a race that stays the user's inside a library, what to do
};

// True for a race, lock-order or thread-API kind that ownership applies to (race.*).
bool has_ownership(std::string_view kind);

// Decides a race's ownership. `job_findings` are the other findings of the same job: where a
// declared function's library is learnt from (the frame that names it).
Ownership decide_ownership(const model::Finding& finding, const OwnershipRules& rules,
                           const std::vector<model::Finding>& job_findings);

// True when `object` is the user's code under `rules`.
bool is_own_object(std::string_view object, const OwnershipRules& rules);

}  // namespace harness::aggregate
