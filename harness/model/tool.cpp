#include "harness/model/tool.hpp"

namespace harness::model {

const std::vector<ToolInfo>& tool_table() {
  // Valgrind translates every instruction and memcheck shadows every byte: ~20x a native run.
  // Helgrind and DRD track every memory access and lock: slower still.
  static const std::vector<ToolInfo> k_tools = {
      {Tool::memcheck, "memcheck", Flavour::plain, 20.0, ToolFamily::valgrind, ""},
      {Tool::helgrind, "helgrind", Flavour::plain, 50.0, ToolFamily::valgrind, ""},
      {Tool::drd, "drd", Flavour::plain, 50.0, ToolFamily::valgrind, ""},
      {Tool::asan, "asan", Flavour::asan, 3.0, ToolFamily::sanitizer, "asan"},
      {Tool::tsan, "tsan", Flavour::tsan, 15.0, ToolFamily::sanitizer, "tsan"},
      {Tool::ubsan, "ubsan", Flavour::ubsan, 3.0, ToolFamily::sanitizer, "ubsan"},
  };
  return k_tools;
}

const ToolInfo& info(Tool tool) {
  for (const auto& row : tool_table())
    if (row.tool == tool) return row;
  return tool_table().front();
}

std::string_view name(Tool tool) { return info(tool).name; }

std::string_view name(Flavour flavour) {
  switch (flavour) {
    case Flavour::plain:
      return "plain";
    case Flavour::asan:
      return "asan";
    case Flavour::tsan:
      return "tsan";
    case Flavour::ubsan:
      return "ubsan";
  }
  return "plain";
}

std::optional<Tool> tool_from_name(std::string_view n) {
  for (const auto& row : tool_table())
    if (row.name == n) return row.tool;
  return std::nullopt;
}

std::vector<std::string_view> tool_names() {
  std::vector<std::string_view> names;
  for (const auto& row : tool_table()) names.push_back(row.name);
  return names;
}

bool can_report(Tool tool, std::string_view kind) {
  const auto family = kind.substr(0, kind.find('.'));
  switch (tool) {
    case Tool::memcheck:
      return family == "leak" || family == "mem" || family == "crash" || family == "fd";
    case Tool::helgrind:
      return family == "race" || family == "lock" || family == "thread" || family == "crash";
    case Tool::drd:
      return (family == "race" && kind != "race.lock_order") || family == "lock" || family == "thread" || family == "crash";
    case Tool::asan:
      return (family == "leak" || family == "mem" || family == "crash") &&
             !(kind == "mem.uninit" || kind == "leak.possible" || kind == "leak.reachable" || kind == "mem.syscall_param");
    case Tool::tsan:
      return family == "race" || family == "lock" || family == "thread" || family == "signal" || family == "crash" ||
             kind == "mem.invalid_read" || kind == "mem.invalid_write";
    case Tool::ubsan:
      return family == "ub" || family == "crash";
  }
  return true;
}

}  // namespace harness::model
