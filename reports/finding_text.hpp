// Plain-text pieces shared by the JUnit and terminal renderers: a frame as "fn (file:line)", a
// finding as a block with its fingerprint and stack, and the frame that best locates a finding.
#pragma once

#include "harness/model/finding.hpp"

#include <string>
#include <vector>

namespace reports {

std::string frame_text(const harness::model::Frame& frame);
// A frame's function as reports write it: a coroutine's clone as the coroutine ("count_to(int)
// [coroutine, resumed]"), "???" when the tool could not name it.
std::string frame_function(const harness::model::Frame& frame);

// A stack as reports list it: the user's frames (user_frame_count), with each run of an event
// loop's scheduler frames (model::Frame::scheduler) folded into one line.
struct StackLine {
  const harness::model::Frame* frame = nullptr;  // the frame, or the first of a folded run
  std::size_t folded = 0;                        // > 0: this many scheduler frames in one line
};
std::vector<StackLine> stack_lines(const std::vector<harness::model::Frame>& frames);
// "(12 frames of the event loop's scheduler: boost::asio::detail::scheduler::run ...)"
std::string folded_text(const StackLine& line);

// What a finding says of coroutines: "the frame of coroutine count_to(int) (a.cpp:19), created by
// start_and_forget() (a.cpp:25), never destroyed", "between coroutines a() and b()", "in coroutine
// a()"; "" when it names none.
std::string coroutine_text(const harness::model::Finding& finding);
// A leaked coroutine frame's title: "frame of coroutine count_to(int) never destroyed"; "" else.
std::string coroutine_title(const harness::model::Finding& finding);
// The finding's message after its coroutine title when it has one ("frame of coroutine ... never
// destroyed: 56 bytes in 1 blocks are definitely lost").
std::string titled_message(const harness::model::Finding& finding);

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
// The first frame with a source file that is not the allocator, runtime, an event loop's scheduler
// or libc start-up; null when none has a file.
const harness::model::Frame* locating_frame(const harness::model::Finding& finding);

}  // namespace reports
