#include "harness/aggregate/baseline.hpp"

#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace harness::aggregate {

util::Result<std::set<std::string>> load_baseline(const std::string& path) {
  std::string text;
  if (!util::read_file(path, text)) return util::make_error(fmt::format("{}: cannot read baseline", path));
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.value("schema", "") != k_baseline_schema ||
      !json.contains("findings") || !json["findings"].is_array())
    return util::make_error(fmt::format("{}: not a Sohound baseline (expected schema \"{}\")", path, k_baseline_schema));
  std::set<std::string> fingerprints;
  for (const auto& f : json["findings"])
    if (f.is_object() && f.contains("fingerprint") && f["fingerprint"].is_string())
      fingerprints.insert(f["fingerprint"].get<std::string>());
  return fingerprints;
}

bool write_baseline(const model::RunSummary& summary, const std::string& path) {
  std::map<std::string, nlohmann::json> entries;  // sorted by fingerprint: stable diffs
  for (const auto& job : summary.jobs)
    for (const auto& f : job.findings) {
      if (f.severity != model::Severity::error) continue;
      if (f.status != model::FindingStatus::new_finding && f.status != model::FindingStatus::baseline) continue;
      if (entries.count(f.fingerprint)) continue;
      std::string where;
      for (const auto& frame : f.stack)
        if (!frame.function.empty() && where.empty()) where = frame.function;
      entries[f.fingerprint] = {{"fingerprint", f.fingerprint}, {"kind", f.kind}, {"where", where},
                                {"first_seen_in", job.suite + "/" + job.feature}};
    }
  nlohmann::json findings = nlohmann::json::array();
  for (auto& [_, e] : entries) findings.push_back(std::move(e));
  std::ofstream out(path);
  out << nlohmann::json{{"schema", k_baseline_schema}, {"findings", findings}}.dump(2, ' ', false,
                                                                                      nlohmann::json::error_handler_t::replace)
      << '\n';
  return static_cast<bool>(out);
}

}  // namespace harness::aggregate
