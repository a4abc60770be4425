// ThreadSanitizer's stacks hold only instrumented functions (its shadow stack: each entry is the
// call site in the caller) and, on top, an interceptor's caller. An instrumented function that
// calls uninstrumented code directly (a prebuilt library) therefore never appears: a race found
// through an interceptor (free, memcmp) inside that library shows the library's frame, then the
// function that called the lost one. When that caller is Sohound's driver, the lost frame is known
// for certain: sohound_body_thread calls only the feature's body, and a body with `source` calls
// only its entry function. This puts that frame back, with an aux note saying Sohound did.
#pragma once

#include "harness/model/finding.hpp"
#include "harness/model/source_pos.hpp"

#include <string>
#include <vector>

namespace harness::exec {

struct FeatureFrames {
  std::string body;               // feature_<name>
  std::string spec_file;          // where its code is
  int code_line = 0;              // the first line of `code` (0 for a `source` feature)
  std::string entry, entry_file;  // `source` features: the entry function and its file
};

// The note's label prefix (docs/results.md).
inline constexpr const char* k_restored_frame_note = "Sohound restored frame #";

// In every stack of each TSan finding; idempotent (cached findings pass through again).
void restore_feature_frames(std::vector<model::Finding>& findings, const FeatureFrames& feature);

}  // namespace harness::exec
