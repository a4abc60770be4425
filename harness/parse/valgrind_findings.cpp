#include "harness/parse/valgrind_findings.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace harness::parse {

std::string valgrind_kind(std::string_view tool, std::string_view k) {
  struct Row {
    std::string_view valgrind, sohound;
  };
  if (tool == "helgrind") {
    static constexpr Row k_helgrind[] = {
        {"Race", "race.data"},
        {"LockOrder", "race.lock_order"},
        {"UnlockUnlocked", "lock.unlock_unlocked"},
        {"UnlockForeign", "lock.unlock_foreign"},
        {"UnlockBogus", "lock.unlock_bogus"},
        {"PthAPIerror", "thread.api_error"},
        {"Misc", "thread.misc"},
        {"Dubious", "thread.dubious"},
    };
    for (const auto& row : k_helgrind)
      if (row.valgrind == k) return std::string(row.sohound);
    return "helgrind." + std::string(k);
  }
  if (tool == "drd") {
    static constexpr Row k_drd[] = {
        {"ConflictingAccess", "race.data"},
        {"MutexErr", "lock.mutex_error"},
        {"RwlockErr", "lock.rwlock_error"},
        {"HoldtimeErr", "lock.hold_time"},
        {"CondErr", "thread.cond_error"},
        {"CondDestrErr", "thread.cond_destroy"},
        {"CondRaceErr", "race.cond"},
        {"CondWaitErr", "thread.cond_wait"},
        {"SemaphoreErr", "thread.semaphore_error"},
        {"BarrierErr", "thread.barrier_error"},
        {"InvalidThreadId", "thread.invalid_id"},
        {"GenericErr", "thread.misc"},
    };
    for (const auto& row : k_drd)
      if (row.valgrind == k) return std::string(row.sohound);
    return "drd." + std::string(k);
  }
  static constexpr Row k_rows[] = {
      {"Leak_DefinitelyLost", "leak.definite"},
      {"Leak_IndirectlyLost", "leak.indirect"},
      {"Leak_PossiblyLost", "leak.possible"},
      {"Leak_StillReachable", "leak.reachable"},
      {"InvalidRead", "mem.invalid_read"},
      {"InvalidWrite", "mem.invalid_write"},
      {"UninitCondition", "mem.uninit"},
      {"UninitValue", "mem.uninit"},
      {"SyscallParam", "mem.syscall_param"},
      {"InvalidFree", "mem.invalid_free"},
      {"MismatchedFree", "mem.mismatched_free"},
      {"Overlap", "mem.overlap"},
      {"InvalidJump", "mem.invalid_jump"},
      {"InvalidMemPool", "mem.invalid_mempool"},
      {"FishyValue", "mem.fishy_value"},
      {"ClientCheck", "mem.client_check"},
      {"CoreMemError", "mem.core"},
      {"ReallocSizeZero", "mem.realloc_size_zero"},
      {"InvalidAlignment", "mem.invalid_alignment"},
      {"InvalidSize", "mem.invalid_size"},
      {"InvalidSizeAndAlignment", "mem.invalid_size"},
      {"MismatchedAllocateDeallocateSize", "mem.mismatched_size"},
      {"MismatchedAllocateDeallocateAlignment", "mem.mismatched_alignment"},
      {"FdBadClose", "fd.bad_close"},
      {"FdNotClosed", "fd.leak"},
      {"FdBadUse", "fd.bad_use"},
  };
  for (const auto& row : k_rows)
    if (row.valgrind == k) return std::string(row.sohound);
  return "memcheck." + std::string(k);
}

model::Finding valgrind_finding(std::string_view tool, const ValgrindError& error, int pid) {
  ValgrindError copy = error;
  return valgrind_finding(tool, std::move(copy), pid);
}

model::Finding valgrind_finding(std::string_view tool, ValgrindError&& error, int pid) {
  model::Finding finding;
  finding.kind = valgrind_kind(tool, error.kind);
  finding.tool_kind = error.kind;
  finding.message = std::move(error.what);
  finding.stack = std::move(error.stack);
  finding.aux_stacks = std::move(error.aux_stacks);
  // An auxwhat with no stack after it (e.g. "Address 0x0 is not stack'd, malloc'd or free'd") still
  // explains the error; keep it as a label-only aux entry.
  const auto with_stacks = finding.aux_stacks.size();
  for (auto& text : error.aux_texts) {
    bool used = false;
    for (std::size_t i = 0; i < with_stacks; ++i) used = used || finding.aux_stacks[i].label == text;
    if (!used) finding.aux_stacks.push_back({std::move(text), {}});
  }
  finding.bytes = error.leaked_bytes;
  finding.blocks = error.leaked_blocks;
  finding.pid = pid;
  return finding;
}

namespace {

// "sohound:frame N/M finished=F suspended=S" (drivers/sohound_rt_frames.h): what the driver read
// in the blocks of loss record N of M of the leak check just before the message, the nearest
// definite leak before it whose text ends "in loss record N of M". The state waits in a
// LeakedCoroutine of its own; naming (aggregate::name_coroutines, right after the streams are
// read) keeps it for a coroutine's frame and drops it for any other block.
void read_frame_states(const parse::ValgrindReport& report, std::vector<model::Finding>& findings) {
  for (const auto& message : report.client_messages) {
    const auto text = std::string(util::trim(message.text));
    unsigned long number = 0, of = 0, finished = 0, suspended = 0;
    if (!util::starts_with(text, "sohound:frame ") ||
        std::sscanf(text.c_str(), "sohound:frame %lu/%lu finished=%lu suspended=%lu", &number, &of, &finished, &suspended) != 4 ||
        finished + suspended == 0)
      continue;
    const auto record = fmt::format(" in loss record {} of {}", number, of);
    for (auto i = std::min(message.errors_before, findings.size()); i-- > 0;) {
      auto& f = findings[i];
      if (f.kind != "leak.definite" || !util::ends_with(f.message, record)) continue;
      f.leaked_coroutine.emplace().state = finished && suspended ? "mixed" : finished ? "finished" : "suspended";
      break;
    }
  }
}

}  // namespace

std::vector<model::Finding> valgrind_findings(const ValgrindReport& report) {
  std::vector<model::Finding> findings;
  findings.reserve(report.errors.size());
  for (const auto& error : report.errors) {
    auto finding = valgrind_finding(report.tool, error, report.pid);
    if (auto it = report.error_counts.find(error.unique); it != report.error_counts.end() && it->second > 0)
      finding.count = it->second;
    findings.push_back(std::move(finding));
  }
  read_frame_states(report, findings);
  return findings;
}

}  // namespace harness::parse
