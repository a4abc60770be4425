#include "harness/model/finding.hpp"

namespace harness::model {

std::string_view to_string(FindingStatus status) {
  switch (status) {
    case FindingStatus::new_finding:
      return "new";
    case FindingStatus::expected:
      return "expected";
    case FindingStatus::suppressed:
      return "suppressed";
    case FindingStatus::baseline:
      return "baseline";
    case FindingStatus::third_party:
      return "third_party";
  }
  return "new";
}

std::string_view to_string(Severity severity) { return severity == Severity::warning ? "warning" : "error"; }

}  // namespace harness::model
