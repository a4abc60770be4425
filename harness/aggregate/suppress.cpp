#include "harness/aggregate/suppress.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/spec/spec_loader.hpp"
#include "harness/util/text.hpp"

#include <cxxabi.h>

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

// Frame patterns against frames, as glob_match does characters: "..." is the star, every other
// pattern matches exactly one frame, and the stack may go on below the last pattern. Greedy with
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
    if (f < frames.size() && frame_matches(patterns[p], *frames[f])) {
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
    if (!is_runtime_frame(f)) frames.push_back(&f);
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
  if (start && end && !start->frames.empty() && !end->frames.empty() &&
      normalize_function(start->frames.front().function) == "__cxa_guard_acquire" &&
      normalize_function(end->frames.front().function) == "__cxa_guard_release")
    return true;
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
  for (const auto& frame : finding.stack) {
    if (is_runtime_frame(frame)) continue;
    if (is_driver_frame(frame)) {
      if (s.frames.empty()) s.frames.push_back(normalize_function(frame.function));
      break;
    }
    s.frames.push_back(normalize_function(frame.function));
    if (s.frames.size() == k_fingerprint_frames) break;
  }
  return s;
}

}  // namespace harness::aggregate
