#include "harness/aggregate/fingerprint.hpp"

#include "harness/util/text.hpp"

#include <algorithm>

namespace harness::aggregate {

using util::starts_with;

std::string normalize_function(std::string_view fn) {
  std::string out(util::trim(fn));
  if (auto at = out.find('@'); at != std::string::npos) out.resize(at);
  // Drop the parameter list: the last top-level "(...)" group, keeping "operator()" intact.
  if (!out.empty()) {
    int depth = 0;
    for (std::size_t i = out.size(); i-- > 0;) {
      if (out[i] == ')') ++depth;
      if (out[i] == '(' && --depth == 0) {
        if (i >= 8 && out.compare(i - 8, 8, "operator") == 0 && i + 1 < out.size() && out[i + 1] == ')') continue;
        if (i > 0) out.resize(i);
        break;
      }
    }
  }
  // Trailing qualifiers left after the parameter list ("f const") are gone with it; compiler clones:
  for (std::string_view suffix : {".isra.", ".constprop.", ".part.", ".cold", ".lto_priv."}) {
    if (auto at = out.find(suffix); at != std::string::npos) out.resize(at);
  }
  for (std::string_view anon : {"(anonymous namespace)::", "{anonymous}::"}) {
    for (auto at = out.find(anon); at != std::string::npos; at = out.find(anon)) out.erase(at, anon.size());
  }
  return std::string(util::trim(out));
}

bool is_runtime_frame(const model::Frame& frame) {
  const auto& fn = frame.function;
  if (fn.empty() || fn == "???") return true;
  static constexpr std::string_view k_prefixes[] = {
      "__interceptor_", "___interceptor_", "__asan_", "__lsan_", "__tsan_", "__ubsan_", "__sanitizer_",
      "operator new", "operator delete", "__libc_start", "__GI_", "_dl_", "__wrap_",
      // Never user code; Clang's static sanitizer runtimes print their interceptors by these names.
      "pthread_",
  };
  for (auto p : k_prefixes)
    if (starts_with(fn, p)) return true;
  const auto name = normalize_function(fn);
  static constexpr std::string_view k_names[] = {
      "malloc", "calloc", "realloc", "free", "reallocarray", "memalign", "posix_memalign", "aligned_alloc",
      "valloc", "pvalloc", "_start", "start_thread", "clone", "clone3", "__clone", "__clone3", "main",
  };
  for (auto n : k_names)
    if (name == n) return true;
  static constexpr std::string_view k_objects[] = {"vgpreload_", "libasan.so", "liblsan.so", "libtsan.so",
                                                   "libubsan.so", "ld-linux"};
  for (auto o : k_objects)
    if (frame.object.find(o) != std::string::npos) return true;
  // Sanitizer runtime code linked statically (Clang) or symbolized to its sources (GCC).
  if (frame.file.find("/libsanitizer/") != std::string::npos || frame.file.find("compiler-rt/lib/") != std::string::npos)
    return true;
  return false;
}

bool is_driver_frame(const model::Frame& frame) {
  return starts_with(frame.function, "feature_") || starts_with(frame.function, "sohound_");
}

std::vector<std::string> fingerprint_frames(const std::vector<model::Frame>& stack) {
  std::vector<std::string> names;
  for (const auto& frame : stack) {
    if (is_driver_frame(frame)) {
      // The feature's own body counts only when nothing above it did (a bug in the inline code).
      if (names.empty() && starts_with(frame.function, "feature_")) names.push_back(normalize_function(frame.function));
      break;
    }
    if (is_runtime_frame(frame)) continue;
    names.push_back(normalize_function(frame.function));
    if (names.size() == k_fingerprint_frames) break;
  }
  return names;
}

std::string fingerprint(std::string_view kind, const std::vector<model::Frame>& stack) {
  std::string key(k_fingerprint_version);
  key += '\n';
  key += kind;
  for (const auto& name : fingerprint_frames(stack)) {
    key += '\n';
    key += name;
  }
  return util::to_hex(util::fnv1a64(key));
}

bool is_access_stack(std::string_view label) {
  static constexpr std::string_view k_prefixes[] = {
      "This conflicts with",                          // helgrind race
      "Previous ",                                    // tsan race
      "Required order was established",               // helgrind lock order
      "followed by a later acquisition",
      "Mutex ",                                       // tsan lock order: "Mutex M0 acquired here ..."
  };
  for (auto p : k_prefixes)
    if (starts_with(label, p) && (p != "Mutex " || label.find(" acquired here") != std::string_view::npos)) return true;
  return false;
}

std::string fingerprint(const model::Finding& finding) {
  if (!starts_with(finding.kind, "race.")) return fingerprint(finding.kind, finding.stack);
  std::vector<std::string> sides;
  auto add = [&](const std::vector<model::Frame>& stack) {
    const auto names = fingerprint_frames(stack);
    if (!names.empty()) sides.push_back(util::join(names, "|"));
  };
  add(finding.stack);
  for (const auto& aux : finding.aux_stacks)
    if (is_access_stack(aux.label)) add(aux.frames);
  std::sort(sides.begin(), sides.end());
  sides.erase(std::unique(sides.begin(), sides.end()), sides.end());
  std::string key(k_fingerprint_version);
  key += '\n';
  key += finding.kind;
  for (const auto& side : sides) {
    key += '\n';
    key += side;
  }
  return util::to_hex(util::fnv1a64(key));
}

}  // namespace harness::aggregate
