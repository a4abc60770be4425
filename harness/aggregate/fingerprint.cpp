#include "harness/aggregate/fingerprint.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace harness::aggregate {

using util::starts_with;

bool is_harness_object(std::string_view object) {
  static constexpr std::string_view k_objects[] = {"vgpreload_", "libasan.so",  "liblsan.so",
                                                   "libtsan.so", "libubsan.so", "ld-linux"};
  for (auto o : k_objects)
    if (object.find(o) != std::string_view::npos) return true;
  return false;
}

bool is_unnamed(const model::Frame& frame) {
  return frame.function.empty() || frame.function == "???" || frame.function == "<null>";
}

std::string normalize_function(std::string_view fn) {
  std::string out(util::trim(fn));
  if (auto at = out.find('@'); at != std::string::npos) out.resize(at);
  // A lambda as LLVM's demangler writes it (the sanitizers' symbolizer: "'lambda'()",
  // "'lambda0'(int)") becomes GNU's ("{lambda()#1}", "{lambda(int)#2}"), as Valgrind prints it.
  for (auto at = out.find("'lambda"); at != std::string::npos; at = out.find("'lambda", at + 1)) {
    const auto quote = out.find('\'', at + 1);
    if (quote == std::string::npos || quote + 1 >= out.size() || out[quote + 1] != '(') break;
    int depth = 0;
    std::size_t close = quote + 1;
    for (; close < out.size(); ++close) {
      if (out[close] == '(') ++depth;
      if (out[close] == ')' && --depth == 0) break;
    }
    if (close >= out.size()) break;
    const auto count = out.substr(at + 7, quote - at - 7);
    if (!count.empty() && count.find_first_not_of("0123456789") != std::string::npos) break;
    const auto number = count.empty() ? 1 : std::stoul(count) + 2;
    const auto params = out.substr(quote + 1, close - quote);
    out.replace(at, close + 1 - at, fmt::format("{{lambda{}#{}}}", params, number));
  }
  // A compiler clone's suffix as GNU's demangler writes it ("f(int) [clone .resume]") and LLVM's
  // ("f(int) (.resume)"): both go, so the same clone reads the same from every symbolizer.
  while (out.ends_with("]") || out.ends_with(")")) {
    const auto at = out.ends_with("]") ? out.rfind(" [clone .") : out.rfind(" (.");
    if (at == std::string::npos || out.find_first_of("()[]", at + 3) != out.size() - 1) break;
    out.resize(at);
  }
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

bool is_allocation_function(std::string_view name) {
  static constexpr std::string_view k_names[] = {"malloc",         "calloc",        "realloc",       "reallocarray", "memalign",
                                                 "posix_memalign", "aligned_alloc", "valloc",        "pvalloc",      "strdup",
                                                 "strndup",        "__strdup",      "__libc_malloc", "__libc_calloc"};
  for (auto n : k_names)
    if (name == n) return true;
  return starts_with(name, "operator new");
}

bool is_runtime_frame(const model::Frame& frame) {
  const auto& fn = frame.function;
  if (is_unnamed(frame) || frame.allocator) return true;
  static constexpr std::string_view k_prefixes[] = {
      "__interceptor_",
      "___interceptor_",
      "__asan_",
      "__lsan_",
      "__tsan_",
      "__ubsan_",
      "__sanitizer_",
      "operator new",
      "operator delete",
      "__libc_start",
      "__GI_",
      "_dl_",
      "__wrap_",
      // Never user code; Clang's static sanitizer runtimes print their interceptors by these names.
      "pthread_",
  };
  for (auto p : k_prefixes)
    if (starts_with(fn, p)) return true;
  const auto name = normalize_function(fn);
  static constexpr std::string_view k_names[] = {
      "malloc",  "calloc", "realloc",      "free",  "reallocarray", "memalign", "posix_memalign", "aligned_alloc", "valloc",
      "pvalloc", "_start", "start_thread", "clone", "clone3",       "__clone",  "__clone3",       "main",
  };
  for (auto n : k_names)
    if (name == n) return true;
  if (is_harness_object(frame.object)) return true;
  // Sanitizer runtime code linked statically (Clang) or symbolized to its sources (GCC).
  if (frame.file.find("/libsanitizer/") != std::string::npos || frame.file.find("compiler-rt/lib/") != std::string::npos)
    return true;
  return false;
}

bool is_driver_frame(const model::Frame& frame) {
  return starts_with(frame.function, "feature_") || starts_with(frame.function, "sohound_");
}

namespace {

std::vector<std::string> frames_v1(const std::vector<model::Frame>& stack) {
  std::vector<std::string> names;
  for (const auto& frame : stack) {
    if (is_driver_frame(frame)) {
      if (names.empty() && starts_with(frame.function, "feature_")) names.push_back(normalize_function(frame.function));
      break;
    }
    if (is_runtime_frame(frame)) continue;
    names.push_back(normalize_function(frame.function));
    if (names.size() == k_fingerprint_frames) break;
  }
  return names;
}

using FramesFn = std::vector<std::string> (*)(const std::vector<model::Frame>&);

std::string hash_key(std::string_view version, std::string_view kind, const std::vector<std::string>& parts) {
  std::string key(version);
  key += '\n';
  key += kind;
  for (const auto& part : parts) {
    key += '\n';
    key += part;
  }
  return util::to_hex(util::fnv1a64(key));
}

std::string race_fingerprint(std::string_view version, FramesFn frames, const model::Finding& finding) {
  std::vector<std::string> sides;
  auto add = [&](const std::vector<model::Frame>& stack) {
    const auto names = frames(stack);
    if (!names.empty()) sides.push_back(util::join(names, "|"));
  };
  add(finding.stack);
  for (const auto& aux : finding.aux_stacks)
    if (is_access_stack(aux.label)) add(aux.frames);
  std::sort(sides.begin(), sides.end());
  sides.erase(std::unique(sides.begin(), sides.end()), sides.end());
  return hash_key(version, finding.kind, sides);
}

}  // namespace

std::string unnamed_frame_identity(const model::Frame& frame) {
  if (frame.object.empty()) return "";
  auto base = std::string_view(frame.object).substr(frame.object.rfind('/') + 1);
  if (const auto so = base.find(".so"); so != std::string_view::npos) base = base.substr(0, so + 3);
  return "?@" + std::string(base);
}

std::vector<std::string> fingerprint_frames(const std::vector<model::Frame>& stack) {
  std::vector<std::string> entries;
  std::size_t named = 0;
  bool unnamed_kept = false;
  const model::Frame* feature = nullptr;
  for (const auto& frame : stack) {
    if (is_driver_frame(frame)) {
      if (starts_with(frame.function, "feature_")) feature = &frame;
      break;
    }
    if (entries.size() == k_fingerprint_frames) continue;  // keep walking to find the feature frame
    if (is_unnamed(frame)) {
      if (is_harness_object(frame.object)) continue;
      auto identity = unnamed_frame_identity(frame);
      if (identity.empty() || (!entries.empty() && entries.back() == identity)) continue;
      entries.push_back(std::move(identity));
      unnamed_kept = true;
      continue;
    }
    if (is_runtime_frame(frame)) continue;
    entries.push_back(normalize_function(frame.function));
    ++named;
  }
  if (feature && (named == 0 || (unnamed_kept && named < k_min_named_frames)))
    entries.push_back(normalize_function(feature->function));
  return entries;
}

std::string fingerprint(std::string_view kind, const std::vector<model::Frame>& stack) {
  return hash_key(k_fingerprint_version, kind, fingerprint_frames(stack));
}

bool is_access_stack(std::string_view label) {
  static constexpr std::string_view k_prefixes[] = {
      "This conflicts with",             // helgrind race
      "Previous ",                       // tsan race
      "Required order was established",  // helgrind lock order
      "followed by a later acquisition",
      "Mutex ",  // tsan lock order: "Mutex M0 acquired here ..."
  };
  for (auto p : k_prefixes)
    if (starts_with(label, p) && (p != "Mutex " || label.find(" acquired here") != std::string_view::npos)) return true;
  return false;
}

std::string fingerprint(const model::Finding& finding) {
  if (!starts_with(finding.kind, "race.")) return fingerprint(finding.kind, finding.stack);
  return race_fingerprint(k_fingerprint_version, fingerprint_frames, finding);
}

std::string fingerprint_v1(const model::Finding& finding) {
  if (!starts_with(finding.kind, "race.")) return hash_key(k_fingerprint_version_v1, finding.kind, frames_v1(finding.stack));
  return race_fingerprint(k_fingerprint_version_v1, frames_v1, finding);
}

}  // namespace harness::aggregate
