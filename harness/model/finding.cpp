#include "harness/model/finding.hpp"

namespace harness::model {

std::string_view to_string(FindingStatus status) {
  return status == FindingStatus::expected ? "expected" : "new";
}

std::string_view to_string(Severity severity) { return severity == Severity::warning ? "warning" : "error"; }

}  // namespace harness::model
