#include "harness/aggregate/ownership.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace harness::aggregate {
namespace {

using util::ends_with;
using util::starts_with;

std::string_view base_name(std::string_view path) { return path.substr(path.rfind('/') + 1); }

bool under(std::string_view path, std::string_view root) {
  if (root.empty() || path.size() <= root.size() || !starts_with(path, root)) return false;
  return root.back() == '/' || path[root.size()] == '/';
}

// System folders: what is installed there is never the user's code, whatever the source root.
bool is_system_path(std::string_view path) {
  for (std::string_view root : {"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc", "/opt"})
    if (under(path, root)) return true;
  return false;
}

bool own_path(std::string_view path, const OwnershipRules& rules) {
  if (path.empty() || path.front() != '/' || is_system_path(path)) return false;
  return std::any_of(rules.own_paths.begin(), rules.own_paths.end(), [&](const std::string& root) { return under(path, root); });
}

// The frames an access or allocation stack starts with that are the tool's, not code of anyone's:
// Valgrind's preloads and replacements, the sanitizer runtimes and their interceptors.
bool is_tool_frame(const model::Frame& f) { return is_harness_object(f.object); }

bool is_allocator(const model::Frame& f) { return is_tool_frame(f) || is_allocation_function(normalize_function(f.function)); }

// glibc's string and memory functions copy for their caller: the access is the caller's.
bool is_libc_copy(const model::Frame& f) {
  if (base_name(f.object).find("libc.so") == std::string_view::npos) return false;
  const auto name = normalize_function(f.function);
  for (std::string_view p : {"mem", "str", "wmem", "wcs", "__mem", "__str", "__GI_mem", "__GI_str"})
    if (starts_with(name, p)) return true;
  return false;
}

// The frame that made an access: the first one that is not the tool's (or a libc copy).
const model::Frame* accessing_frame(const std::vector<model::Frame>& stack) {
  for (const auto& f : stack)
    if (!is_tool_frame(f) && !is_libc_copy(f)) return &f;
  return nullptr;
}

bool is_thread_root(const model::Frame& f) {
  const auto name = normalize_function(f.function);
  return name == "clone" || name == "clone3" || name == "__clone" || name == "__clone3" || name == "start_thread" ||
         name == "_start" || name == "__libc_start_main" || name == "__libc_start_call_main" || name == "main";
}

bool own_frame(const model::Frame& f, const OwnershipRules& rules) {
  if (f.object.empty() && f.file.empty()) return true;  // nothing says whose: the user's
  return is_own_object(f.object, rules) || own_path(f.file, rules);
}

bool declared(const model::Frame& f, const OwnershipRules& rules) {
  if (is_unnamed(f)) return false;
  const auto name = normalize_function(f.function);
  return std::any_of(rules.thread_safe.begin(), rules.thread_safe.end(), [&](const std::string& pattern) {
    return util::glob_match(pattern, name) || util::glob_match(pattern, f.function);
  });
}

// Where the raced memory lives, from the tool's own words.
struct Place {
  enum class Kind { unknown, static_data, heap } kind = Kind::unknown;
  std::string object;                                     // static data: whose
  std::string what;                                       // how the tool put it, for the explanation
  const std::vector<model::Frame>* allocation = nullptr;  // heap: the allocation stack
};

// "... of /usr/lib/libx.so" (Helgrind: "is in the BSS segment of X"; DRD: "Allocation context: BSS
// section of X"); TSan: "Location is global 'g' of size 8 at 0x.. (libx.so+0x1d)".
Place place_of(const model::Finding& finding) {
  Place place;
  for (const auto& aux : finding.aux_stacks) {
    const std::string_view label = aux.label;
    for (std::string_view marker : {" segment of ", " section of "}) {
      const auto at = label.find(marker);
      if (at == std::string_view::npos) continue;
      const auto head = label.substr(0, at);
      const bool data = ends_with(head, "BSS") || ends_with(head, "Data") || ends_with(head, "data") || ends_with(head, "bss") ||
                        ends_with(head, "GOT") || ends_with(head, "Rodata");
      if (!data) continue;
      place.kind = Place::Kind::static_data;
      place.object = std::string(label.substr(at + marker.size()));
      place.what = fmt::format("static data ({}) of {}", head.substr(head.rfind(' ') + 1), base_name(place.object));
      return place;
    }
    if (starts_with(label, "Location is global ")) {
      const auto open = label.rfind('(');
      const auto plus = label.rfind('+');
      if (open != std::string_view::npos && plus != std::string_view::npos && plus > open) {
        place.kind = Place::Kind::static_data;
        place.object = std::string(label.substr(open + 1, plus - open - 1));
        const auto name = label.substr(19, label.find(" of size") - 19);
        place.what = fmt::format("the global {} of {}", name, base_name(place.object));
        return place;
      }
    }
    const bool heap = label.find(" inside a block of size ") != std::string_view::npos ||
                      (starts_with(label, "Address ") && label.find(" is at offset ") != std::string_view::npos) ||
                      starts_with(label, "Location is heap block");
    if (heap && !aux.frames.empty()) {
      place.kind = Place::Kind::heap;
      place.allocation = &aux.frames;
      place.what = "a heap block";
      return place;
    }
    // What the tools say of memory they cannot place further: a mapping, a stack, a data symbol
    // without its object, or nothing at all.
    if (label.find(" mapped file ") != std::string_view::npos || label.find(" anonymous segment") != std::string_view::npos ||
        label.find("'s stack") != std::string_view::npos || starts_with(label, "Location is stack") ||
        label.find("inside data symbol") != std::string_view::npos || label == "Allocation context: unknown.")
      place.what = std::string(label);
  }
  return place;
}

// The library a declared function is in, learnt from any frame of the job that names it.
std::vector<std::string> declared_objects(const OwnershipRules& rules, const std::vector<model::Finding>& findings) {
  std::vector<std::string> objects;
  auto look = [&](const std::vector<model::Frame>& frames) {
    for (const auto& f : frames)
      if (!f.object.empty() && declared(f, rules) &&
          std::find(objects.begin(), objects.end(), base_name(f.object)) == objects.end())
        objects.emplace_back(base_name(f.object));
  };
  for (const auto& finding : findings) {
    look(finding.stack);
    for (const auto& aux : finding.aux_stacks) look(aux.frames);
  }
  return objects;
}

std::string where(const std::string& library, const std::string& function) {
  return function.empty() ? library : fmt::format("{} ({})", library, function);
}

}  // namespace

bool has_ownership(std::string_view kind) { return starts_with(kind, "race."); }

bool is_own_object(std::string_view object, const OwnershipRules& rules) {
  if (object.empty()) return false;
  if (object.find('/') == std::string_view::npos) {
    // TSan names objects by file name only: Sohound's driver, and the objects named in the rules.
    if (object == "driver") return true;
    return std::any_of(rules.own_objects.begin(), rules.own_objects.end(),
                       [&](const std::string& o) { return base_name(o) == object; });
  }
  for (const auto& o : rules.own_objects)
    if (o == object) return true;
  return own_path(object, rules);
}

Ownership decide_ownership(const model::Finding& finding, const OwnershipRules& rules,
                           const std::vector<model::Finding>& job_findings) {
  Ownership out;
  if (!has_ownership(finding.kind)) return out;
  // Every access the tool names: the reported one and, for Helgrind and TSan, the other side.
  std::vector<const model::Frame*> accesses;
  std::vector<const std::vector<model::Frame>*> access_stacks{&finding.stack};
  for (const auto& aux : finding.aux_stacks)
    if (is_access_stack(aux.label)) access_stacks.push_back(&aux.frames);
  for (const auto* stack : access_stacks) {
    const auto* f = accessing_frame(*stack);
    if (!f) continue;
    if (own_frame(*f, rules)) return out;  // the user's code made an access
    accesses.push_back(f);
  }
  if (accesses.empty()) return out;
  const std::string library(base_name(accesses.front()->object));
  std::string function;
  for (const auto& f : finding.stack) {
    if (own_frame(f, rules)) break;
    if (!is_tool_frame(f) && !is_unnamed(f) && base_name(f.object) == library) {
      function = normalize_function(f.function);
      break;
    }
  }
  const auto at = where(library, function);
  const auto place = place_of(finding);
  // Every access is inside `library`: its race (third_party), or one that stays the user's, and why.
  auto decided = [&](bool third_party, std::string why) {
    out.third_party = third_party;
    out.library = library;
    out.function = function;
    out.explanation = std::move(why);
    return out;
  };
  auto third_party = [&](std::string why) { return decided(true, std::move(why)); };
  switch (place.kind) {
    case Place::Kind::static_data:
      if (is_own_object(place.object, rules)) return out;  // a global of the user's code
      return third_party(
          fmt::format("Every access is inside {}, on {}: a race in code you did not write, on its own data. Report it to "
                      "the library's maintainers; a build of the library under TSan decides.",
                      at, place.what));
    case Place::Kind::heap: {
      const auto& frames = *place.allocation;
      std::size_t i = 0;
      while (i < frames.size() && is_allocator(frames[i])) ++i;
      if (i == frames.size()) return out;
      if (own_frame(frames[i], rules)) return out;  // the user's code allocated it
      // Inside the library down to the user's call into it: the call that made the object.
      std::string entry;
      bool reached_user = false;
      for (; i < frames.size(); ++i) {
        if (own_frame(frames[i], rules)) {
          reached_user = true;
          break;
        }
        if (declared(frames[i], rules))
          return third_party(
              fmt::format("Every access is inside {}, on an object made under {}, which the spec declares safe to share "
                          "between threads (thread_safe). Report the race to the library's maintainers if you believe it is one.",
                          at, normalize_function(frames[i].function)));
        if (!is_unnamed(frames[i])) entry = normalize_function(frames[i].function);
      }
      if (!reached_user) {
        // No frame of the user's below the allocation: the library allocated it for itself (a
        // thread of its own, its initialisation), unless the stack was cut short.
        if (frames.empty() || !is_thread_root(frames.back())) return out;
        return third_party(
            fmt::format("Every access is inside {}, on a heap block the library allocated for itself (no frame of your code "
                        "below the allocation): a race in code you did not write. Report it to the library's maintainers; a "
                        "build of the library under TSan decides.",
                        at));
      }
      if (entry.empty()) entry = "a function of " + library;
      return decided(false, fmt::format("Every access is inside {}, but on an object that {} made for your code, and your "
                                        "threads share it. If the library documents such objects as safe to share between "
                                        "threads, declare it in the spec: `thread_safe: [{}]`; otherwise give each thread its "
                                        "own, or hold a lock around every use.",
                                        at, entry, entry));
    }
    case Place::Kind::unknown:
      break;
  }
  const auto objects = declared_objects(rules, job_findings);
  const bool covered = !objects.empty() && std::all_of(accesses.begin(), accesses.end(), [&](const model::Frame* f) {
    return std::find(objects.begin(), objects.end(), base_name(f->object)) != objects.end();
  });
  const auto memory = place.what.empty() ? std::string("memory the tool does not describe") : place.what;
  if (covered)
    return third_party(
        fmt::format("Every access is inside {}, whose objects the spec declares safe to share between threads (thread_safe), "
                    "on memory Sohound cannot place ({}). Report the race to the library's maintainers if you believe it is one.",
                    at, memory));
  return decided(false, fmt::format("Every access is inside {}, on memory Sohound cannot place ({}), so the race stays "
                                    "yours. If your threads share an object of the library that its documentation calls "
                                    "thread-safe, declare the function that makes it in the spec (`thread_safe: [...]`).",
                                    at, memory));
}

}  // namespace harness::aggregate
