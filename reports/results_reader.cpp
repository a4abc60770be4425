#include "reports/results_reader.hpp"

#include "harness/util/text.hpp"
#include "reports/json_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace reports {
using nlohmann::json;
namespace model = harness::model;

namespace {

std::vector<model::Frame> frames(const json& stack) {
  std::vector<model::Frame> out;
  if (!stack.is_array()) return out;
  for (const auto& f : stack)
    out.push_back({f.value("function", ""), f.value("file", ""), f.value("line", 0), f.value("object", "")});
  return out;
}

model::FindingStatus status_of(const std::string& s) {
  if (s == "expected") return model::FindingStatus::expected;
  if (s == "suppressed") return model::FindingStatus::suppressed;
  if (s == "baseline") return model::FindingStatus::baseline;
  return model::FindingStatus::new_finding;
}

model::JobOutcome outcome_of(const std::string& s) {
  for (auto o : {model::JobOutcome::ok, model::JobOutcome::build_failed, model::JobOutcome::crashed,
                 model::JobOutcome::timeout, model::JobOutcome::tool_failed, model::JobOutcome::cancelled})
    if (model::to_string(o) == s) return o;
  return model::JobOutcome::tool_failed;
}

}  // namespace

harness::util::Result<model::RunSummary> read_results(const std::string& path) {
  std::string text;
  if (!harness::util::read_file(path, text)) return harness::util::make_error(fmt::format("{}: cannot read", path));
  const auto r = json::parse(text, nullptr, false);
  if (r.is_discarded() || !r.is_object() || r.value("schema", "") != k_results_schema)
    return harness::util::make_error(fmt::format("{}: not a Sohound results file (schema \"{}\")", path, k_results_schema));
  try {
    model::RunSummary s;
    s.sohound_version = r.value("sohound_version", "");
    s.started_at = r.value("started_at", "");
    s.duration_s = r.value("duration_s", 0.0);
    s.interrupted = r.value("interrupted", false);
    s.specs = r.value("specs", std::vector<std::string>{});
    s.baseline = r.value("baseline", "");
    if (r.contains("resources")) {
      s.self_cpu_s = r["resources"].value("self_cpu_s", 0.0);
      s.children_cpu_s = r["resources"].value("children_cpu_s", 0.0);
    }
    for (const auto& u : r.value("suppressions", json::array()))
      s.suppressions.push_back({u.value("name", ""), u.value("source", ""), u.value("matched", std::size_t{0})});
    for (const auto& j : r.value("jobs", json::array())) {
      model::JobResult job;
      job.suite = j.value("suite", "");
      job.feature = j.value("feature", "");
      const auto tool = model::tool_from_name(j.value("tool", ""));
      if (!tool) return harness::util::make_error(fmt::format("{}: unknown tool '{}'", path, j.value("tool", "")));
      job.tool = *tool;
      job.outcome = outcome_of(j.value("outcome", ""));
      job.passed = j.value("passed", false);
      job.message = j.value("message", "");
      job.duration_s = j.value("duration_s", 0.0);
      job.exit_code = j.value("exit_code", -1);
      job.signal = j.value("signal", 0);
      job.unmatched_expectations = j.value("unmatched_expectations", std::vector<std::string>{});
      job.notes = j.value("notes", std::vector<std::string>{});
      job.log = j.value("log", "");
      job.job_dir = j.value("job_dir", "");
      job.driver_source = j.value("driver_source", "");
      job.build_command = j.value("build_command", "");
      job.run_command = j.value("run_command", "");
      job.reports = j.value("reports", std::vector<std::string>{});
      for (const auto& p : j.value("phases", json::array()))
        job.phases.push_back({p.value("name", ""), p.value("start_s", 0.0), p.value("end_s", 0.0)});
      for (const auto& f : j.value("findings", json::array())) {
        model::Finding finding;
        finding.kind = f.value("kind", "");
        finding.tool_kind = f.value("tool_kind", "");
        finding.fingerprint = f.value("fingerprint", "");
        finding.message = f.value("message", "");
        finding.status = status_of(f.value("status", "new"));
        finding.severity = f.value("severity", "error") == "warning" ? model::Severity::warning : model::Severity::error;
        finding.count = f.value("count", std::uint64_t{1});
        finding.bytes = f.value("bytes", std::uint64_t{0});
        finding.blocks = f.value("blocks", std::uint64_t{0});
        finding.pid = f.value("pid", 0);
        finding.expected_by = f.value("expected_by", "");
        finding.suppressed_by = f.value("suppressed_by", "");
        finding.stack = frames(f.value("stack", json::array()));
        for (const auto& a : f.value("aux_stacks", json::array()))
          finding.aux_stacks.push_back({a.value("label", ""), frames(a.value("stack", json::array()))});
        job.findings.push_back(std::move(finding));
      }
      s.jobs.push_back(std::move(job));
    }
    return s;
  } catch (const json::exception& e) {
    return harness::util::make_error(fmt::format("{}: malformed results: {}", path, e.what()));
  }
}

}  // namespace reports
