#include "reports/finding_text.hpp"

#include "harness/aggregate/fingerprint.hpp"

#include <fmt/format.h>

namespace reports {
namespace model = harness::model;

std::string frame_text(const model::Frame& f) {
  std::string where;
  if (!f.file.empty())
    where = f.line ? fmt::format("{}:{}", f.file, f.line) : f.file;
  else if (!f.object.empty())
    where = f.object;
  return fmt::format("{} ({}){}", f.function.empty() ? "???" : f.function, where.empty() ? "?" : where,
                     f.restored ? std::string(" ") + k_restored_frame_tag : std::string());
}

std::size_t user_frame_count(const std::vector<model::Frame>& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (i > 0 && frames[i].function.rfind("sohound_", 0) == 0) return i;
  return frames.size();
}

std::vector<model::Frame> user_stack(const std::vector<model::Frame>& frames) {
  return {frames.begin(), frames.begin() + static_cast<std::ptrdiff_t>(user_frame_count(frames))};
}

std::string finding_block(const model::Finding& f, std::size_t max_frames) {
  std::string out =
      fmt::format("{} [{}] {}{}\n", f.kind, f.fingerprint, f.message, f.count > 1 ? fmt::format(" (x{})", f.count) : "");
  auto frames = [&](const std::vector<model::Frame>& stack) {
    const auto n = user_frame_count(stack);
    for (std::size_t i = 0; i < n && i < max_frames; ++i)
      out += fmt::format("    {} {}\n", i ? "by" : "at", frame_text(stack[i]));
    if (n < stack.size()) out += fmt::format("    ({} frames of Sohound's driver runtime and thread start)\n", stack.size() - n);
  };
  frames(f.stack);
  for (const auto& aux : f.aux_stacks) {
    out += fmt::format("  {}\n", aux.label);
    frames(aux.frames);
  }
  if (!f.owner.empty()) out += fmt::format("  owner: {}\n", f.owner);
  if (!f.ownership.empty()) out += fmt::format("  {}\n", f.ownership);
  return out;
}

const model::Frame* locating_frame(const model::Finding& f) {
  for (const auto& frame : f.stack)
    if (!frame.file.empty() && !harness::aggregate::is_runtime_frame(frame) && frame.line > 0) return &frame;
  for (const auto& frame : f.stack)
    if (!frame.file.empty() && frame.line > 0) return &frame;
  return nullptr;
}

}  // namespace reports
