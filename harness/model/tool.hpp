// The tools Sohound drives, and the build flavour each one needs. One table, so adding a tool is
// one row here plus its command line (exec/tool_commands) and its parser.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace harness::model {

enum class Tool { memcheck, helgrind, drd, asan, tsan, ubsan };
enum class Flavour { plain, asan, tsan, ubsan };
enum class ToolFamily { valgrind, sanitizer };

struct ToolInfo {
  Tool tool;
  std::string_view name;  // spec and CLI spelling
  Flavour flavour;        // how the driver and library are built for it
  double timeout_scale;   // the tool's slowdown over a native run
  ToolFamily family;
  std::string_view log_prefix;  // sanitizers: log_path file prefix in the job folder
};

const std::vector<ToolInfo>& tool_table();
const ToolInfo& info(Tool tool);
std::string_view name(Tool tool);
std::string_view name(Flavour flavour);
std::optional<Tool> tool_from_name(std::string_view name);
std::vector<std::string_view> tool_names();

// False for kinds the tool cannot report at all (ASan has no uninitialised-value check and LSan no
// "possibly lost" or "still reachable"): an expectation of such a kind is not "no longer found"
// under that tool. `kind` may be a glob.
bool can_report(Tool tool, std::string_view kind);

}  // namespace harness::model
