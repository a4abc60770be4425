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
  return fmt::format("{} ({})", f.function.empty() ? "???" : f.function, where.empty() ? "?" : where);
}

std::string finding_block(const model::Finding& f, std::size_t max_frames) {
  std::string out = fmt::format("{} [{}] {}{}\n", f.kind, f.fingerprint, f.message,
                                f.count > 1 ? fmt::format(" (x{})", f.count) : "");
  for (std::size_t i = 0; i < f.stack.size() && i < max_frames; ++i)
    out += fmt::format("    {} {}\n", i ? "by" : "at", frame_text(f.stack[i]));
  for (const auto& aux : f.aux_stacks) {
    out += fmt::format("  {}\n", aux.label);
    for (std::size_t i = 0; i < aux.frames.size() && i < max_frames; ++i)
      out += fmt::format("    {} {}\n", i ? "by" : "at", frame_text(aux.frames[i]));
  }
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
