#include "harness/model/kinds.hpp"

#include "harness/util/text.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace harness::model {

namespace {

// The UBSan check names that end up as "ub.<check>" (from the runtimes' SUMMARY lines, and the
// parser's own names for GCC's messages without one).
constexpr std::string_view k_ub_checks[] = {
    "alignment-assumption",
    "cfi-bad-type",
    "dynamic-type-mismatch",
    "float-cast-overflow",
    "float-divide-by-zero",
    "function-type-mismatch",
    "implicit-integer-sign-change",
    "implicit-signed-integer-truncation",
    "implicit-signed-integer-truncation-or-sign-change",
    "implicit-unsigned-integer-truncation",
    "insufficient-object-size",
    "integer-divide-by-zero",
    "invalid-bool-load",
    "invalid-builtin-use",
    "invalid-enum-load",
    "invalid-null-argument",
    "invalid-null-return",
    "invalid-objc-cast",
    "invalid-shift-base",
    "invalid-shift-exponent",
    "invalid-value-load",
    "misaligned-pointer-use",
    "missing-return",
    "non-positive-vla-index",
    "nonnull-attribute",
    "null-pointer-use",
    "nullability-arg",
    "nullability-assign",
    "nullability-return",
    "nullptr-after-nonzero-offset",
    "nullptr-with-nonzero-offset",
    "nullptr-with-offset",
    "object-size",
    "out-of-bounds-index",
    "pointer-overflow",
    "returns-nonnull-attribute",
    "shift-base",
    "shift-exponent",
    "signed-integer-overflow",
    "undefined-behavior",
    "unreachable-call",
    "unsigned-integer-overflow",
    "vla-bound",
};

constexpr std::string_view k_kinds[] = {
    "crash.signal",
    "fd.bad_close",
    "fd.bad_use",
    "fd.leak",
    "leak.definite",
    "leak.indirect",
    "leak.possible",
    "leak.reachable",
    "lock.destroy_locked",
    "lock.double_lock",
    "lock.hold_time",
    "lock.invalid",
    "lock.misuse",
    "lock.mutex_error",
    "lock.rwlock_error",
    "lock.unlock_bogus",
    "lock.unlock_foreign",
    "lock.unlock_unlocked",
    "mem.bad_alloc",
    "mem.client_check",
    "mem.core",
    "mem.fishy_value",
    "mem.invalid_access",
    "mem.invalid_alignment",
    "mem.invalid_free",
    "mem.invalid_jump",
    "mem.invalid_mempool",
    "mem.invalid_param",
    "mem.invalid_read",
    "mem.invalid_size",
    "mem.invalid_write",
    "mem.mismatched_alignment",
    "mem.mismatched_free",
    "mem.mismatched_size",
    "mem.odr_violation",
    "mem.overlap",
    "mem.realloc_size_zero",
    "mem.syscall_param",
    "mem.uninit",
    "process.leak",
    "race.cond",
    "race.data",
    "race.lock_order",
    "signal.errno",
    "signal.unsafe_call",
    "thread.api_error",
    "thread.barrier_error",
    "thread.cond_destroy",
    "thread.cond_error",
    "thread.cond_wait",
    "thread.dubious",
    "thread.invalid_id",
    "thread.leak",
    "thread.misc",
    "thread.semaphore_error",
};

}  // namespace

const std::vector<std::string_view>& known_kinds() {
  static const auto kinds = [] {
    static std::vector<std::string> ub;
    for (auto check : k_ub_checks) ub.push_back("ub." + std::string(check));
    std::vector<std::string_view> all(std::begin(k_kinds), std::end(k_kinds));
    all.insert(all.end(), ub.begin(), ub.end());
    std::sort(all.begin(), all.end());
    return all;
  }();
  return kinds;
}

const std::vector<std::string_view>& open_kind_prefixes() {
  static const std::vector<std::string_view> prefixes = {"memcheck.", "helgrind.", "drd.", "asan.", "tsan."};
  return prefixes;
}

std::string check_kind_pattern(std::string_view pattern) {
  for (auto prefix : open_kind_prefixes())
    if (util::starts_with(pattern, prefix) && pattern.size() > prefix.size()) return "";
  for (auto kind : known_kinds())
    if (util::glob_match(pattern, kind)) return "";
  auto message = fmt::format("unknown finding kind '{}'", pattern);
  if (auto near = util::closest_match(pattern, known_kinds()); !near.empty())
    return message + fmt::format("; did you mean '{}'?", near);
  const auto family = pattern.substr(0, pattern.find('.'));
  std::vector<std::string_view> same;
  for (auto kind : known_kinds())
    if (kind.substr(0, kind.find('.')) == family) same.push_back(kind);
  if (!same.empty() && same.size() <= 12)
    return message + fmt::format(" (the {} kinds: {}; '{}.*' names them all)", family, fmt::join(same, ", "), family);
  return message + " (docs/results.md lists the kinds; a glob such as 'leak.*' names a family)";
}

}  // namespace harness::model
