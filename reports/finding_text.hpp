// Plain-text pieces shared by the JUnit and terminal renderers: a frame as "fn (file:line)", a
// finding as a block with its fingerprint and stack, and the frame that best locates a finding.
#pragma once

#include "harness/model/finding.hpp"

#include <string>
#include <vector>

namespace reports {

std::string frame_text(const harness::model::Frame& frame);

// What every report says of a frame Sohound put back (model::Frame::restored): short, after the
// frame on a line of text; long, where there is room (SARIF's location message, the HTML's title).
inline constexpr const char* k_restored_frame_tag = "[restored: the feature's first line, not the call]";
inline constexpr const char* k_restored_frame_text =
    "restored by Sohound: TSan recorded no frame for this feature function (it called uninstrumented "
    "code directly), so this line is where the feature's code starts, not the call inside it";
// How many frames of a stack are the user's: those before the first of Sohound's driver runtime
// (sohound_* below the top), under which lie only the thread start and main. Reports fold the rest.
std::size_t user_frame_count(const std::vector<harness::model::Frame>& frames);
std::vector<harness::model::Frame> user_stack(const std::vector<harness::model::Frame>& frames);
std::string finding_block(const harness::model::Finding& finding, std::size_t max_frames = 20);
// The first frame with a source file that is not the allocator, runtime or libc start-up; null
// when none has a file.
const harness::model::Frame* locating_frame(const harness::model::Finding& finding);

}  // namespace reports
