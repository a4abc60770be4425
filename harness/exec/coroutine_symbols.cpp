#include "harness/exec/coroutine_symbols.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/exec/elf_symbols.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace harness::exec {

namespace {

// "_Z8count_toi.resume" -> "count_to(int) [clone .resume]" (the demangler prints clone suffixes).
std::string demangle(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> text(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && text ? std::string(text.get()) : mangled;
}

}  // namespace

std::vector<std::string> coroutines_in(const std::string& object) {
  std::vector<std::string> names;
  auto symbols = function_symbols(object);
  if (!symbols) return names;
  for (const auto& symbol : *symbols) {
    if (!symbol.ends_with(".actor") && !symbol.ends_with(".resume")) continue;
    if (auto clone = aggregate::coroutine_clone(demangle(symbol))) names.push_back(std::move(clone->coroutine));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

bool CoroutineIndex::any(const std::vector<std::string>& objects) {
  std::lock_guard lock(m_mutex);
  return std::any_of(objects.begin(), objects.end(), [&](const std::string& o) { return !o.empty() && !of(o).empty(); });
}

const std::vector<std::string>& CoroutineIndex::of(const std::string& object) {
  auto it = m_objects.find(object);
  if (it == m_objects.end()) it = m_objects.emplace(object, coroutines_in(object)).first;
  return it->second;
}

namespace {

// The declared name of the coroutine `frame` is in `names` (one object's), "" when none: the frame
// as the tool printed it ("count_to(int)", or GCC's DWARF name "count_to"), matched by name
// without parameters; the declared name when one coroutine has it.
std::string declared(const model::Frame& frame, const std::vector<std::string>& names) {
  const auto wanted = aggregate::normalize_function(frame.function);
  std::string found;
  for (const auto& n : names) {
    if (aggregate::normalize_function(n) != wanted) continue;
    if (n == frame.function) return n;
    if (!found.empty()) return frame.function;  // overloaded coroutines: the tool's own text
    found = n;
  }
  return found;
}

}  // namespace

void CoroutineIndex::name(model::Finding& finding, const std::vector<std::string>& fallbacks) {
  std::lock_guard lock(m_mutex);
  aggregate::name_coroutines(finding, [&](const model::Frame& frame) -> std::string {
    if (frame.function.empty()) return {};
    if (!frame.object.empty() && frame.object.front() == '/') return declared(frame, of(frame.object));
    for (const auto& object : fallbacks)
      if (auto name = declared(frame, of(object)); !name.empty()) return name;
    return {};
  });
}

}  // namespace harness::exec
