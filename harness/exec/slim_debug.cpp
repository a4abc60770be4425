#include "harness/exec/slim_debug.hpp"

#include "harness/exec/tool_commands.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace harness::exec {

namespace fs = std::filesystem;

bool matches_alike(const std::vector<std::string>& frame_lines) {
  const std::string* previous = nullptr;
  for (const auto& line : frame_lines) {
    if (line == "...") {
      previous = &line;
      continue;
    }
    const bool after_any = previous && *previous == "...";
    if (util::starts_with(line, "obj:")) {
      if (previous && !after_any && *previous != line) return false;
    } else if (util::starts_with(line, "fun:")) {
      if (!after_any) return false;
    } else {
      return false;  // src:, or a line this reading does not know
    }
    previous = &line;
  }
  return true;
}

std::map<std::string, bool> suppressions_matching_alike(std::string_view text) {
  std::map<std::string, bool> alike;
  bool inside = false;
  std::string name;
  std::vector<std::string> frames;
  int line_in_entry = 0;
  for (const auto& raw : util::split_lines(text)) {
    const auto line = std::string(util::trim(raw));
    if (line.empty() || line.front() == '#') continue;
    if (!inside) {
      if (line == "{") {
        inside = true;
        name.clear();
        frames.clear();
        line_in_entry = 0;
      }
      continue;
    }
    if (line == "}") {
      inside = false;
      if (name.empty()) continue;
      const bool entry = matches_alike(frames);
      const auto [it, added] = alike.emplace(name, entry);
      if (!added) it->second = it->second && entry;
      continue;
    }
    // The name, the tool:kind line, then for some kinds a line of their own (a syscall's
    // parameter, match-leak-kinds), then the frames.
    if (line_in_entry++ == 0)
      name = line;
    else if (line == "..." || util::starts_with(line, "fun:") || util::starts_with(line, "obj:") ||
             util::starts_with(line, "src:"))
      frames.push_back(line);
  }
  return alike;
}

std::string valgrind_default_suppressions(const std::string& valgrind) {
  std::error_code ec;
  for (const auto& dir : valgrind_lib_dirs(valgrind))
    if (const auto file = fs::path(dir) / "default.supp"; fs::is_regular_file(file, ec)) return file.string();
  return {};
}

namespace {

// The same file, whichever path names it (/lib/... and /usr/lib/... on a merged-/usr system).
std::string identity(const std::string& path) {
  std::error_code ec;
  const auto canonical = fs::canonical(path, ec);
  return ec ? path : canonical.string();
}

}  // namespace

std::string why_read_again(const model::JobResult& job, const std::vector<std::string>& slimmed,
                           const std::map<std::string, bool>& alike) {
  if (job.outcome == model::JobOutcome::tool_failed)
    return "the tool failed, and might not have over the C library's full debug information";
  std::set<std::string> libraries;
  for (const auto& library : slimmed) libraries.insert(identity(library));
  std::map<std::string, bool> in_slimmed;  // each object a frame names, looked up once
  auto named_inside = [&](const std::vector<model::Frame>& frames) {
    return std::any_of(frames.begin(), frames.end(), [&](const model::Frame& frame) {
      if (frame.object.empty()) return false;
      auto [it, added] = in_slimmed.emplace(frame.object, false);
      if (added) it->second = libraries.count(identity(frame.object)) > 0;
      return it->second;
    });
  };
  for (const auto& finding : job.findings) {
    bool inside = named_inside(finding.stack);
    for (const auto& aux : finding.aux_stacks) inside = inside || named_inside(aux.frames);
    if (inside)
      return fmt::format(
          "its {} has frames in the C library or its loader, which only the full debug information names with "
          "their lines and inlined calls",
          finding.kind);
  }
  for (const auto& report : job.reports) {
    if (!util::ends_with(report, ".xml")) continue;
    auto read = parse::valgrind_xml_file(report, [](parse::ValgrindError&&) {});
    if (!read) return fmt::format("its report {} could not be read again: {}", report, read.error().message);
    for (const auto& [name, count] : read->suppression_counts)
      if (const auto it = alike.find(name); it == alike.end() || !it->second)
        return fmt::format(
            "Valgrind's suppression '{}' matched, and it might not have with the inlined calls the full "
            "debug information adds",
            name);
  }
  return {};
}

}  // namespace harness::exec
