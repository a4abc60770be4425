// The tools Sohound drives, and the build flavour each one needs. One table each: a tool's facts
// (its flavour, slowdown, start-up cost, report files, suppression files, what it cannot see) and a
// flavour's (its -fsanitize= name, compile flags, runtime library) are in its row, and the other
// files ask the row. Adding a tool is one row here plus its command line (exec/tool_commands) and
// its parser.
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
  double startup_s;             // one tool process's own start and end, for sizing batches (measured)
  bool shadow_memory;           // maps shadow memory: started without ASLR where it can be, else at risk
  // Sanitizers: the spec's `native-suppressions` key whose files the runtime reads, and the options
  // variable they go in ("lsan" in LSAN_OPTIONS for ASan). The Valgrind tools read "valgrind" and
  // their own name's, on the command line.
  std::string_view native_suppressions;
  std::string_view options_variable;
  // What the tool cannot see inside a prebuilt (uninstrumented) library; "" when it sees it all.
  std::string_view prebuilt_blind_spot;
};

struct FlavourInfo {
  Flavour flavour;
  std::string_view name;                        // "plain", "asan", ...
  std::string_view sanitize;                    // its -fsanitize= value ("address"); "" for plain
  std::vector<std::string_view> compile_flags;  // what makes the flavour, for both compilers
  std::string_view runtime;                     // the runtime library (-lasan, libasan.so); "" for plain
};

// The spec's `native-suppressions` keys whose files `tool` reads: "valgrind" and its own name for a
// Valgrind tool, its row's `native_suppressions` for a sanitizer.
std::vector<std::string_view> native_suppression_keys(Tool tool);

const std::vector<ToolInfo>& tool_table();
const ToolInfo& info(Tool tool);

// The seconds a run may take under `tool`: its native time times the tool's slowdown, bounded at
// an hour (never below the native time itself). Unbounded, CTest's default of 1500 s became 8 h
// under memcheck and 21 h under helgrind (issue 23); CTest's own memcheck stops at 1500 s.
inline constexpr double k_max_scaled_timeout_s = 3600;
double scaled_timeout_s(double native_s, Tool tool);
const FlavourInfo& info(Flavour flavour);
std::string_view name(Tool tool);
std::string_view name(Flavour flavour);
std::optional<Tool> tool_from_name(std::string_view name);
std::vector<std::string_view> tool_names();

// False for kinds the tool cannot report at all (ASan has no uninitialised-value check and LSan no
// "possibly lost" or "still reachable"): an expectation of such a kind is not "no longer found"
// under that tool. `kind` may be a glob.
bool can_report(Tool tool, std::string_view kind);

}  // namespace harness::model
