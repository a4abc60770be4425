#include "harness/model/suite_spec.hpp"

namespace harness::model {

std::string Expectation::describe() const {
  std::string out = kind;
  if (!function.empty()) out += " in " + function;
  if (tool) out += " [" + std::string(name(*tool)) + "]";
  return out;
}

std::string_view name(Isolation isolation) { return isolation == Isolation::process ? "process" : "batch"; }

std::optional<Isolation> isolation_from_name(std::string_view name) {
  if (name == "process") return Isolation::process;
  if (name == "batch") return Isolation::batch;
  return std::nullopt;
}

}  // namespace harness::model
