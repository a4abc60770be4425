#include "harness/model/suite_spec.hpp"

namespace harness::model {

std::string Expectation::describe() const {
  std::string out = kind;
  if (!function.empty()) out += " in " + function;
  if (tool) out += " [" + std::string(name(*tool)) + "]";
  return out;
}

}  // namespace harness::model
