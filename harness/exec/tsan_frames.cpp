#include "harness/exec/tsan_frames.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <optional>

namespace harness::exec {

namespace {

// The frame to put back above stack[i], or none.
std::optional<model::Frame> lost_frame(const std::vector<model::Frame>& stack, std::size_t i, const FeatureFrames& feature) {
  if (i == 0 || aggregate::is_driver_frame(stack[i - 1])) return std::nullopt;  // the frame above is not lost
  const auto name = stack[i].function;
  if (util::starts_with(name, "sohound_body_thread"))
    return model::Frame{feature.body, feature.spec_file, feature.code_line, stack[i].object, true};
  if (!feature.entry.empty() && util::starts_with(name, feature.body))
    return model::Frame{feature.entry, feature.entry_file, 0, stack[i].object, true};
  return std::nullopt;
}

}  // namespace

void restore_feature_frames(std::vector<model::Finding>& findings, const FeatureFrames& feature) {
  for (auto& f : findings) {
    bool noted = false;
    for (const auto& aux : f.aux_stacks) noted = noted || util::starts_with(aux.label, k_restored_frame_note);
    if (noted) continue;
    std::vector<std::string> notes;
    auto restore = [&](std::vector<model::Frame>& stack, const std::string& which) {
      for (std::size_t i = 1; i < stack.size(); ++i) {
        auto lost = lost_frame(stack, i, feature);
        if (!lost) continue;
        notes.push_back(
            fmt::format("{}{} of {}: {} ({}{}), which {} called; TSan records no frame for a function "
                        "that calls uninstrumented code directly",
                        k_restored_frame_note, i, which, lost->function, lost->file,
                        lost->line ? fmt::format(":{}", lost->line) : "", stack[i].function));
        stack.insert(stack.begin() + static_cast<std::ptrdiff_t>(i), std::move(*lost));
        return;
      }
    };
    restore(f.stack, "the stack");
    for (auto& aux : f.aux_stacks) restore(aux.frames, "\"" + aux.label + "\"");
    for (auto& note : notes) f.aux_stacks.push_back({std::move(note), {}});
  }
}

}  // namespace harness::exec
