#include "harness/aggregate/baseline.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/files.hpp"
#include "harness/util/json_input.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace harness::aggregate {

bool can_baseline(model::JobOutcome outcome) {
  using model::JobOutcome;
  return outcome == JobOutcome::crashed || outcome == JobOutcome::exited_early || outcome == JobOutcome::timeout ||
         outcome == JobOutcome::tool_failed;
}

std::string job_signature(const model::JobResult& job) {
  std::string frame = "-";
  for (const auto& f : job.findings) {
    if (f.kind != "crash.signal") continue;
    for (const auto& fr : f.stack)
      if (!is_runtime_frame(fr) && !util::starts_with(fr.function, "sohound_") && !util::starts_with(fr.function, "__GI_")) {
        frame = normalize_function(fr.function);
        break;
      }
    break;
  }
  const auto how = job.signal ? fmt::format("signal={}", job.signal) : fmt::format("status={}", job.exit_code);
  return fmt::format("{} {}/{} {} {} {}", model::to_string(job.outcome), job.suite, job.feature, model::name(job.tool), how,
                     frame);
}

util::Result<Baseline> load_baseline(const std::string& path) {
  std::string text;
  if (!util::read_file(path, text)) return util::make_error(fmt::format("{}: cannot read baseline", path));
  auto json = util::parse_json(text, path);
  if (!json) return json.error();
  if (!json->is_object() || !json->contains("schema") || (*json)["schema"] != k_baseline_schema)
    return util::make_error(fmt::format("{}: not a Sohound baseline (expected schema \"{}\")", path, k_baseline_schema));
  try {
    Baseline baseline;
    const util::JsonView root(*json, "");
    baseline.recipe = root.string("fingerprint_recipe");
    if (baseline.recipe.empty()) baseline.recipe = std::string(k_fingerprint_version_v1);
    if (baseline.recipe != k_fingerprint_version && baseline.recipe != k_fingerprint_version_v1)
      return util::make_error(fmt::format("{}: fingerprint_recipe \"{}\" is not one this Sohound computes ({} or {})", path,
                                          baseline.recipe, k_fingerprint_version, k_fingerprint_version_v1));
    for (const auto& f : root.objects("findings")) {
      const auto fingerprint = f.string("fingerprint");
      if (fingerprint.empty()) throw util::JsonTypeError{f.path() + "/fingerprint: missing"};
      baseline.fingerprints.insert(fingerprint);
    }
    for (const auto& j : root.objects("jobs")) {
      const auto signature = j.string("signature");
      if (signature.empty()) throw util::JsonTypeError{j.path() + "/signature: missing"};
      baseline.jobs.insert(signature);
    }
    return baseline;
  } catch (const util::JsonTypeError& e) {
    return util::make_error(fmt::format("{}: {}", path, e.message));
  }
}

bool write_baseline(const model::RunSummary& summary, const std::string& path) {
  std::map<std::string, nlohmann::json> entries;  // sorted by fingerprint: stable diffs
  for (const auto& job : summary.jobs)
    for (const auto& f : job.findings) {
      if (f.severity != model::Severity::error) continue;
      if (f.status != model::FindingStatus::new_finding && f.status != model::FindingStatus::baseline) continue;
      if (entries.count(f.fingerprint)) continue;
      // The first frame of the user's or the library's code (not the allocator), else any named one.
      std::string where;
      for (const auto& frame : f.stack)
        if (where.empty() && !is_runtime_frame(frame)) where = frame.function;
      for (const auto& frame : f.stack)
        if (where.empty() && !frame.function.empty()) where = frame.function;
      entries[f.fingerprint] = {
          {"fingerprint", f.fingerprint}, {"kind", f.kind}, {"where", where}, {"first_seen_in", job.suite + "/" + job.feature}};
    }
  nlohmann::json findings = nlohmann::json::array();
  for (auto& [_, e] : entries) findings.push_back(std::move(e));
  std::map<std::string, nlohmann::json> failures;
  for (const auto& job : summary.jobs) {
    if (!can_baseline(job.outcome) || (job.passed && !job.baselined)) continue;
    failures[job_signature(job)] = {{"signature", job_signature(job)},
                                    {"outcome", model::to_string(job.outcome)},
                                    {"feature", job.suite + "/" + job.feature},
                                    {"tool", model::name(job.tool)},
                                    {"message", job.message.substr(0, 200)}};
  }
  nlohmann::json jobs = nlohmann::json::array();
  for (auto& [_, e] : failures) jobs.push_back(std::move(e));
  return util::write_file(path, nlohmann::json{{"schema", k_baseline_schema},
                                               {"fingerprint_recipe", std::string(k_fingerprint_version)},
                                               {"findings", findings},
                                               {"jobs", jobs}}
                                        .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                                    "\n");
}

}  // namespace harness::aggregate
