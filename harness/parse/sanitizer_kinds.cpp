// Sohound's finding kinds for the sanitizers' own names (ASan bug types, TSan report types, UBSan
// checks): the table behind every sanitizer finding's `kind`.
#include "harness/parse/sanitizer_log.hpp"
#include "harness/util/text.hpp"

#include <string>
#include <string_view>

namespace harness::parse {
using util::starts_with;

std::string tsan_kind(std::string_view type, std::string_view access) {
  if (type == "data race" || util::starts_with(type, "data race on vptr")) return "race.data";
  if (util::starts_with(type, "lock-order-inversion")) return "race.lock_order";
  if (type == "heap-use-after-free")
    return access == "READ" ? "mem.invalid_read" : access == "WRITE" ? "mem.invalid_write" : "mem.invalid_access";
  if (type == "thread leak") return "thread.leak";
  if (type == "signal-unsafe call inside of a signal") return "signal.unsafe_call";
  if (type == "signal handler spoils errno") return "signal.errno";
  if (type == "destroy of a locked mutex") return "lock.destroy_locked";
  if (type == "unlock of an unlocked mutex (or by a wrong thread)" || util::starts_with(type, "unlock of an unlocked"))
    return "lock.unlock_unlocked";
  if (type == "double lock of a mutex") return "lock.double_lock";
  if (util::starts_with(type, "use of an invalid mutex")) return "lock.invalid";
  if (util::starts_with(type, "read lock of a write locked") || util::starts_with(type, "read unlock of a write locked"))
    return "lock.misuse";
  std::string out = "tsan.";
  for (char c : type) out += c == ' ' ? '_' : c;
  return out;
}

std::string ubsan_check_from_message(std::string_view m) {
  struct Row {
    std::string_view prefix, check;
  };
  static constexpr Row k_rows[] = {
      {"signed integer overflow", "signed-integer-overflow"},
      {"negation of", "signed-integer-overflow"},
      {"shift exponent", "invalid-shift-exponent"},
      {"left shift of", "invalid-shift-base"},
      {"division by zero", "integer-divide-by-zero"},
      {"division of", "integer-divide-by-zero"},
      {"load of misaligned address", "misaligned-pointer-use"},
      {"store to misaligned address", "misaligned-pointer-use"},
      {"member access within misaligned", "misaligned-pointer-use"},
      {"member call on misaligned", "misaligned-pointer-use"},
      {"load of null pointer", "null-pointer-use"},
      {"store to null pointer", "null-pointer-use"},
      {"member access within null pointer", "null-pointer-use"},
      {"member call on null pointer", "null-pointer-use"},
      {"reference binding to null pointer", "null-pointer-use"},
      {"applying non-zero offset", "pointer-overflow"},
      {"applying zero offset to null pointer", "nullptr-with-offset"},
      {"pointer index expression", "pointer-overflow"},
      {"addition of unsigned offset", "pointer-overflow"},
      {"subtraction of unsigned offset", "pointer-overflow"},
      {"index ", "out-of-bounds-index"},
      {"execution reached the end of a value-returning function", "missing-return"},
      {"execution reached an unreachable program point", "unreachable-call"},
      {"variable length array bound", "non-positive-vla-index"},
      {"null pointer passed as argument", "invalid-null-argument"},
      {"null pointer returned from function", "invalid-null-return"},
  };
  for (const auto& row : k_rows)
    if (util::starts_with(m, row.prefix)) return std::string(row.check);
  if (m.find("is outside the range of representable values") != std::string_view::npos) return "float-cast-overflow";
  if (m.find("which is not a valid value for type") != std::string_view::npos) return "invalid-value-load";
  return "undefined-behavior";
}

std::string asan_kind(std::string_view bug, std::string_view access) {
  if (bug == "double-free" || bug == "bad-free") return "mem.invalid_free";
  if (bug == "alloc-dealloc-mismatch") return "mem.mismatched_free";
  if (bug == "new-delete-type-mismatch") return "mem.mismatched_size";
  if (util::ends_with(bug, "-param-overlap")) return "mem.overlap";
  if (bug == "negative-size-param") return "mem.invalid_param";
  if (bug == "allocation-size-too-big" || bug == "calloc-overflow" || bug == "out-of-memory" ||
      bug == "invalid-allocation-alignment" || bug == "invalid-aligned-alloc-alignment" ||
      bug == "invalid-posix-memalign-alignment" || bug == "pvalloc-overflow" || bug == "reallocarray-overflow")
    return "mem.bad_alloc";
  if (bug == "SEGV" || bug == "BUS" || bug == "FPE" || bug == "ILL" || bug == "ABRT" || bug == "stack-overflow" ||
      bug == "deadly")
    return "crash.signal";
  if (bug == "odr-violation") return "mem.odr_violation";
  if (bug == "heap-buffer-overflow" || bug == "stack-buffer-overflow" || bug == "global-buffer-overflow" ||
      bug == "stack-buffer-underflow" || bug == "heap-use-after-free" || bug == "stack-use-after-return" ||
      bug == "stack-use-after-scope" || bug == "container-overflow" || bug == "dynamic-stack-buffer-overflow" ||
      bug == "intra-object-overflow" || bug == "use-after-poison" || bug == "unknown-crash" ||
      bug == "initialization-order-fiasco") {
    if (access == "READ") return "mem.invalid_read";
    if (access == "WRITE") return "mem.invalid_write";
    return "mem.invalid_access";
  }
  return "asan." + std::string(bug);
}

}  // namespace harness::parse
