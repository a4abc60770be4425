// libFuzzer target: results.json from anywhere -> RunSummary (types, depth, positions checked), and
// the renderers on what it accepted.
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/results_reader.hpp"
#include "reports/sarif_report.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto summary = reports::parse_results(text, "fuzz.json");
  if (!summary) return 0;
  reports::ReportOptions options;
  options.read_sources = false;
  std::ostringstream sink;
  reports::write_json(*summary, sink);
  reports::write_sarif(*summary, sink, options);
  reports::write_html(*summary, sink, options);
  return 0;
}
