// Which functions of an object are C++20 coroutines, from what the compiler emitted: the clones of
// a coroutine's body in the object's symbol tables (aggregate/coroutines), read once per object.
#pragma once

#include "harness/aggregate/coroutines.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace harness::exec {

// The coroutines `object` defines, as declared ("count_to(int)"), sorted; empty when it has none
// or cannot be read.
std::vector<std::string> coroutines_in(const std::string& object);

class CoroutineIndex {
 public:
  // Names the coroutines of a finding (aggregate::name_coroutines); a frame without an object
  // (a sanitizer's symbolizer prints none, TSan only a file name) is looked up in `fallbacks`, in
  // order: the job's program, then the library under test when Sohound knows its file.
  void name(model::Finding& finding, const std::vector<std::string>& fallbacks);
  // Whether any of `objects` has a coroutine (files that cannot be read have none).
  bool any(const std::vector<std::string>& objects);

 private:
  const std::vector<std::string>& of(const std::string& object);
  std::mutex m_mutex;
  std::map<std::string, std::vector<std::string>> m_objects;
};

}  // namespace harness::exec
