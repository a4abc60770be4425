#include "harness/model/tool.hpp"

namespace harness::model {

const std::vector<ToolInfo>& tool_table() {
  // Valgrind translates every instruction and memcheck shadows every byte: ~20x a native run.
  static const std::vector<ToolInfo> k_tools = {
      {Tool::memcheck, "memcheck", Flavour::plain, 20.0},
      {Tool::asan, "asan", Flavour::asan, 3.0},
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
    case Flavour::plain: return "plain";
    case Flavour::asan: return "asan";
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
  if (tool == Tool::asan)
    return !(kind == "mem.uninit" || kind == "leak.possible" || kind == "leak.reachable" ||
             kind == "mem.syscall_param");
  return true;
}

}  // namespace harness::model
