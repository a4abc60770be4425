#include "harness/aggregate/suppress.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/spec/spec_loader.hpp"
#include "harness/util/text.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace sohound_embedded {
std::string_view file(std::string_view name);
}

namespace harness::aggregate {
namespace {

bool frame_matches(const std::string& pattern, const model::Frame& frame) {
  if (util::starts_with(pattern, "obj:")) return util::glob_match(std::string_view(pattern).substr(4), frame.object);
  return util::glob_match(pattern, frame.function) || util::glob_match(pattern, normalize_function(frame.function));
}

// Frame patterns against frames, as glob_match does characters: "..." is the star, "$" the end of
// the stack (no frame may follow), every other pattern matches exactly one frame, and the stack
// may go on below the last pattern. Greedy with
// one backtrack point (the last "..." seen), which is exact for this pattern language and takes
// O(patterns x frames) frame tests however many "..." there are (a recursive matcher took
// exponential time: 20 "..." did not finish in 10 minutes).
bool match_frames(const std::vector<std::string>& patterns, const std::vector<const model::Frame*>& frames) {
  std::size_t p = 0, f = 0, star = std::string::npos, mark = 0;
  while (true) {
    if (p == patterns.size()) return true;  // the rest of the stack is free
    if (patterns[p] == "...") {
      star = p++;
      mark = f;
      continue;
    }
    // An unnamed frame (a stripped library's code) has no name for a function pattern or "$" to
    // see: they step over it. Only an "obj:" pattern of its object matches it.
    if (f < frames.size() && is_unnamed(*frames[f]) &&
        !(util::starts_with(patterns[p], "obj:") && frame_matches(patterns[p], *frames[f]))) {
      ++f;
      continue;
    }
    if (patterns[p] == "$" && f == frames.size()) {
      ++p;
      continue;
    }
    if (f < frames.size() && patterns[p] != "$" && frame_matches(patterns[p], *frames[f])) {
      ++p;
      ++f;
      continue;
    }
    if (star == std::string::npos || mark >= frames.size()) return false;
    p = star + 1;
    f = ++mark;
  }
}

// "ns::Config::Config" or "Box<int>::Box": the last name repeats the class name before it.
bool is_constructor(std::string_view name) {
  const auto last = name.rfind("::");
  if (last == std::string_view::npos) return false;
  auto cls = name.substr(0, last);
  if (const auto prev = cls.rfind("::"); prev != std::string_view::npos) cls = cls.substr(prev + 2);
  if (const auto lt = cls.find('<'); lt != std::string_view::npos) cls = cls.substr(0, lt);
  return !cls.empty() && name.substr(last + 2) == cls;
}

std::string demangle(const std::string& symbol) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : std::string();
}

}  // namespace

bool frames_match(const std::vector<std::string>& patterns, const std::vector<model::Frame>& stack) {
  std::vector<const model::Frame*> frames;
  for (const auto& f : stack)
    if (!is_runtime_frame(f) || (is_unnamed(f) && !f.object.empty() && !is_harness_object(f.object))) frames.push_back(&f);
  return match_frames(patterns, frames);
}

bool is_static_initialisation_race(const model::Finding& finding) {
  if (finding.kind != "race.data") return false;
  // DRD: the other thread's segment is the guarded initialisation itself.
  const model::AuxStack* start = nullptr;
  const model::AuxStack* end = nullptr;
  for (const auto& aux : finding.aux_stacks) {
    if (util::starts_with(aux.label, "Other segment start")) start = &aux;
    if (util::starts_with(aux.label, "Other segment end")) end = &aux;
  }
  // The segment ends where a static's initialisation ends and began at that guard's acquire or at
  // a nested static's release (a static whose initialiser initialises others): every access in it
  // is part of an initialisation in progress. DRD starts a segment at each guard call.
  if (start && end && !start->frames.empty() && !end->frames.empty()) {
    const auto first = normalize_function(start->frames.front().function);
    if ((first == "__cxa_guard_acquire" || first == "__cxa_guard_release") &&
        normalize_function(end->frames.front().function) == "__cxa_guard_release")
      return true;
  }
  // Helgrind: "Address 0x.. is 32 bytes inside data symbol "_ZZN12_GLOBAL__N_16configEvE8instance"",
  // i.e. (anonymous namespace)::config()::instance. The conflicting write must be the static's
  // construction: config() on the conflicting stack, and the frame it called a constructor. A write
  // by config() itself, or by a helper it calls, after initialisation stays a race.
  for (const auto& aux : finding.aux_stacks) {
    const auto at = aux.label.find("data symbol \"_ZZ");
    if (at == std::string::npos) continue;
    const auto begin = at + std::string_view("data symbol \"").size();
    const auto close = aux.label.find('"', begin);
    const auto object = demangle(aux.label.substr(begin, close - begin));  // owner()::name
    const auto sep = object.rfind("::");
    if (object.empty() || sep == std::string::npos) continue;
    const auto owner = normalize_function(object.substr(0, sep));
    for (const auto& other : finding.aux_stacks) {
      if (!util::starts_with(other.label, "This conflicts with")) continue;
      for (std::size_t i = 1; i < other.frames.size(); ++i)
        if (normalize_function(other.frames[i].function) == owner &&
            is_constructor(normalize_function(other.frames[i - 1].function)))
          return true;
    }
  }
  return false;
}

namespace {

bool is_shared_library(std::string_view object) {
  const auto base = object.substr(object.rfind('/') + 1);
  return util::ends_with(base, ".so") || base.find(".so.") != std::string_view::npos;
}

const model::Frame* first_real_frame(const std::vector<model::Frame>& stack) {
  for (const auto& f : stack)
    if (!is_runtime_frame(f) || (f.function.empty() && is_shared_library(f.object) && !is_harness_object(f.object))) return &f;
  return nullptr;
}

}  // namespace

bool is_library_static_init_race(const model::Finding& finding) {
  // Reads only: Helgrind "during read", DRD "Conflicting load".
  if (finding.kind != "race.data" ||
      (finding.message.find("during read") == std::string::npos && !util::starts_with(finding.message, "Conflicting load")))
    return false;
  const auto* reader = first_real_frame(finding.stack);
  if (!reader || !is_shared_library(reader->object) || is_driver_frame(*reader)) return false;
  const auto& lib = reader->object;
  // Only a stripped library: Helgrind names no function for some of its frames. A library with
  // symbols (one Sohound built from a recipe, a -dbg package) names its statics, and the
  // data-symbol rule above is the one for it.
  auto unnamed_in_lib = [&](const std::vector<model::Frame>& frames) {
    return std::any_of(frames.begin(), frames.end(),
                       [&](const model::Frame& f) { return f.function.empty() && f.object == lib; });
  };
  bool stripped = unnamed_in_lib(finding.stack);
  for (const auto& aux : finding.aux_stacks) stripped = stripped || unnamed_in_lib(aux.frames);
  if (!stripped) return false;
  // Only the heap an initialised static owns: the static itself, in the library's BSS, is the
  // library's own data, which ownership (aggregate/ownership) reports as third_party, never hidden.
  // Helgrind: "... inside a block of size N alloc'd" and no "This conflicts with"; DRD: "Address X
  // is at offset N from Y." (its allocation stack) and no segment of a conflicting thread (DRD
  // shows none once that thread has ended: std::threads joined before the report).
  const model::AuxStack* conflict = nullptr;
  const model::AuxStack* block = nullptr;
  for (const auto& aux : finding.aux_stacks) {
    if (util::starts_with(aux.label, "This conflicts with") || util::starts_with(aux.label, "Other segment ")) conflict = &aux;
    if (aux.label.find(" inside a block of size ") != std::string::npos ||
        (util::starts_with(aux.label, "Address ") && aux.label.find(" is at offset ") != std::string::npos))
      block = &aux;
  }
  if (block && !conflict) {
    const auto* allocator = first_real_frame(block->frames);
    if (!allocator || allocator->object != lib) return false;
    for (const auto& f : block->frames) {
      if (is_driver_frame(f)) break;
      if (f.object == lib && f.function.find("::") != std::string::npos) return true;
    }
  }
  return false;
}

bool matches(const model::Suppression& s, model::Tool tool, const model::Finding& finding) {
  if (!s.tools.empty() && std::find(s.tools.begin(), s.tools.end(), tool) == s.tools.end()) return false;
  if (!util::glob_match(s.kind, finding.kind)) return false;
  if (!s.frames.empty() && !frames_match(s.frames, finding.stack)) return false;
  for (const auto& label : s.labels) {
    bool any = false;
    for (const auto& aux : finding.aux_stacks) any = any || util::glob_match(label, aux.label);
    if (!any) return false;
  }
  for (const auto& m : s.aux) {
    bool any = false;
    for (const auto& aux : finding.aux_stacks)
      any = any || (util::glob_match(m.label, aux.label) && (m.frames.empty() || frames_match(m.frames, aux.frames)));
    if (!any) return false;
  }
  if (s.static_initialisation && !is_static_initialisation_race(finding)) return false;
  if (s.library_static_initialisation && !is_library_static_init_race(finding)) return false;
  return true;
}

const std::vector<model::Suppression>& default_suppressions() {
  static const std::vector<model::Suppression> k_defaults = [] {
    auto loaded = spec::load_suppressions(sohound_embedded::file("default_suppressions.yaml"), "<default>", "/");
    return loaded ? std::move(*loaded) : std::vector<model::Suppression>{};
  }();
  return k_defaults;
}

model::Suppression suggest_suppression(const model::Finding& finding, model::Tool tool) {
  model::Suppression s;
  s.kind = finding.kind;
  s.tools = {tool};
  // The fingerprint's own entries, so an entry hides what the fingerprint names and no more. Frame
  // patterns cannot see unnamed frames; where the fingerprint needed the feature frame to tell
  // them apart, the entry ends with it ("...", feature_x), scoping it to the feature it was seen in.
  const auto entries = fingerprint_frames(finding.stack);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    if (util::starts_with(entry, "?@")) continue;
    const bool feature = util::starts_with(entry, "feature_");
    if (feature && i > 0) s.frames.push_back("...");
    s.frames.push_back(entry);
  }
  // A leak entry reaches down to the feature that leaked: "frames: [cJSON_ParseWithLengthOpts]"
  // alone would hide every leaked parse of the suite, not the one call path it was written for.
  if (util::starts_with(finding.kind, "leak.") &&
      std::none_of(s.frames.begin(), s.frames.end(), [](const std::string& f) { return util::starts_with(f, "feature_"); }))
    for (const auto& frame : finding.stack)
      if (util::starts_with(frame.function, "feature_")) {
        if (!s.frames.empty()) s.frames.push_back("...");
        s.frames.push_back(normalize_function(frame.function));
        break;
      }
  return s;
}

}  // namespace harness::aggregate
