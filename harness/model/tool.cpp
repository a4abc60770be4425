#include "harness/model/tool.hpp"

#include <algorithm>

namespace harness::model {

const std::vector<ToolInfo>& tool_table() {
  // Valgrind translates every instruction and memcheck shadows every byte: ~20x a native run.
  // Helgrind and DRD track every memory access and lock: slower still. Start-up measured here:
  // Valgrind 0.3-0.5 s (memcheck the most; --track-origins, on demand only, more), the sanitizer
  // runtimes a few ms.
  static const std::vector<ToolInfo> k_tools = {
      {Tool::memcheck, "memcheck", Flavour::plain, 20.0, ToolFamily::valgrind, "", 0.7, false, "", "", ""},
      {Tool::helgrind, "helgrind", Flavour::plain, 50.0, ToolFamily::valgrind, "", 0.5, false, "", "", ""},
      {Tool::drd, "drd", Flavour::plain, 50.0, ToolFamily::valgrind, "", 0.5, false, "", "", ""},
      {Tool::asan, "asan", Flavour::asan, 3.0, ToolFamily::sanitizer, "asan", 0.02, true, "lsan", "LSAN_OPTIONS",
       "the library is prebuilt, not instrumented: ASan sees its allocations and frees but not bad accesses inside it "
       "(memcheck does); give a build recipe to check inside it"},
      {Tool::tsan, "tsan", Flavour::tsan, 15.0, ToolFamily::sanitizer, "tsan", 0.02, true, "tsan", "TSAN_OPTIONS",
       "the library is prebuilt, not instrumented: TSan does not see races between accesses inside it (helgrind and "
       "drd do); give a build recipe to check inside it"},
      {Tool::ubsan, "ubsan", Flavour::ubsan, 3.0, ToolFamily::sanitizer, "ubsan", 0.02, false, "ubsan", "UBSAN_OPTIONS",
       "the library is prebuilt, not instrumented: UBSan does not check code inside it; give a build recipe to check "
       "inside it"},
  };
  return k_tools;
}

double scaled_timeout_s(double native_s, Tool tool) {
  return std::max(native_s, std::min(native_s * info(tool).timeout_scale, k_max_scaled_timeout_s));
}

const ToolInfo& info(Tool tool) {
  for (const auto& row : tool_table())
    if (row.tool == tool) return row;
  return tool_table().front();
}

const FlavourInfo& info(Flavour flavour) {
  static const std::vector<FlavourInfo> k_flavours = {
      // Valgrind 3.19 cannot read Clang 14's default DWARF 5 (DW_FORM_addrx: "debuginfo reader:
      // ensure_valid failed", and valgrind exits mid-report); DWARF 4 works for both compilers.
      {Flavour::plain, "plain", "", {"-gdwarf-4"}, ""},
      // Recover after each error, so one bad access does not hide the next; LeakSanitizer is part of
      // ASan on x86-64 Linux.
      {Flavour::asan, "asan", "address", {"-fsanitize=address", "-fsanitize-recover=address"}, "asan"},
      {Flavour::tsan, "tsan", "thread", {"-fsanitize=thread"}, "tsan"},
      // Recoverable (GCC and Clang default for most checks): every UB site is reported, not the first.
      {Flavour::ubsan, "ubsan", "undefined", {"-fsanitize=undefined", "-fno-sanitize=vptr"}, "ubsan"},
  };
  for (const auto& row : k_flavours)
    if (row.flavour == flavour) return row;
  return k_flavours.front();
}

std::vector<std::string_view> native_suppression_keys(Tool tool) {
  const auto& row = info(tool);
  if (row.family == ToolFamily::valgrind) return {"valgrind", row.name};
  return {row.native_suppressions};
}

std::string_view name(Tool tool) { return info(tool).name; }

std::string_view name(Flavour flavour) { return info(flavour).name; }

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
