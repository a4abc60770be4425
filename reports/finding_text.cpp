#include "reports/finding_text.hpp"

#include "harness/aggregate/coroutines.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

namespace reports {
namespace model = harness::model;

std::string frame_text(const model::Frame& f) {
  std::string where;
  if (!f.file.empty())
    where = f.line ? fmt::format("{}:{}", f.file, f.line) : f.file;
  else if (!f.object.empty())
    where = f.object;
  return fmt::format("{} ({}){}", frame_function(f), where.empty() ? "?" : where,
                     f.restored ? std::string(" ") + k_restored_frame_tag : std::string());
}

std::string frame_function(const model::Frame& f) {
  if (!f.coroutine.empty()) return harness::aggregate::coroutine_frame_name(f);
  return f.function.empty() ? "???" : f.function;
}

std::vector<StackLine> stack_lines(const std::vector<model::Frame>& frames) {
  std::vector<StackLine> lines;
  const auto n = user_frame_count(frames);
  for (std::size_t i = 0; i < n; ++i) {
    if (frames[i].scheduler && !lines.empty() && lines.back().folded > 0) {
      ++lines.back().folded;
      continue;
    }
    lines.push_back({&frames[i], frames[i].scheduler ? 1u : 0u});
  }
  // A lone scheduler frame is shown as itself.
  for (auto& line : lines)
    if (line.folded == 1) line.folded = 0;
  return lines;
}

std::string folded_text(const StackLine& line) {
  return fmt::format("({} frames of the event loop's scheduler: {} ...)", line.folded, frame_function(*line.frame));
}

namespace {
std::string where_text(const std::string& file, int line) {
  if (file.empty()) return {};
  const auto slash = file.rfind('/');
  const auto base = slash == std::string::npos ? file : file.substr(slash + 1);
  return line > 0 ? fmt::format(" ({}:{})", base, line) : fmt::format(" ({})", base);
}
}  // namespace

std::string coroutine_text(const model::Finding& f) {
  if (const auto& c = f.leaked_coroutine) {
    auto text = fmt::format("the frame of coroutine {}{}", c->name, where_text(c->file, c->line));
    if (!c->created_by.empty())
      text += fmt::format(", created by {}{}", c->created_by, where_text(c->created_file, c->created_line));
    text += ", never destroyed";
    if (c->state == "finished")
      text += ": it had finished (waiting at its final suspend point; its owner never called destroy())";
    if (c->state == "suspended") text += ": it was still suspended at a co_await or co_yield (never resumed to its end)";
    if (c->state == "mixed") text += ": some of its frames had finished, others were still suspended";
    return text;
  }
  if (f.coroutines.size() >= 2) return fmt::format("between coroutines {}", harness::util::join(f.coroutines, " and "));
  if (f.coroutines.size() == 1) return fmt::format("in coroutine {}", f.coroutines.front());
  return {};
}

std::string coroutine_title(const model::Finding& f) {
  if (!f.leaked_coroutine) return {};
  const auto& c = *f.leaked_coroutine;
  const auto state = c.state == "finished"    ? " (finished)"
                     : c.state == "suspended" ? " (left suspended)"
                     : c.state == "mixed"     ? " (finished and suspended frames)"
                                              : "";
  return fmt::format("frame of coroutine {} never destroyed{}", c.name, state);
}

std::string titled_message(const model::Finding& f) {
  const auto title = coroutine_title(f);
  return title.empty() ? f.message : title + ": " + f.message;
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
  if (const auto text = coroutine_text(f); !text.empty()) out += fmt::format("  coroutine: {}\n", text);
  auto frames = [&](const std::vector<model::Frame>& stack) {
    const auto lines = stack_lines(stack);
    for (std::size_t i = 0; i < lines.size() && i < max_frames; ++i)
      out += fmt::format("    {} {}\n", i ? "by" : "at", lines[i].folded ? folded_text(lines[i]) : frame_text(*lines[i].frame));
    const auto n = user_frame_count(stack);
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
    if (!frame.file.empty() && !harness::aggregate::is_runtime_frame(frame) && !frame.scheduler && frame.line > 0) return &frame;
  for (const auto& frame : f.stack)
    if (!frame.file.empty() && frame.line > 0) return &frame;
  return nullptr;
}

}  // namespace reports
