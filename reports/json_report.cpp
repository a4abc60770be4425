#include "reports/json_report.hpp"

#include "harness/aggregate/bugs.hpp"

namespace reports {
using nlohmann::json;
namespace model = harness::model;

namespace {

json frames(const std::vector<model::Frame>& stack) {
  json out = json::array();
  for (const auto& f : stack)
    out.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}, {"object", f.object}});
  return out;
}

json finding(const model::Finding& f) {
  json aux = json::array();
  for (const auto& a : f.aux_stacks) aux.push_back({{"label", a.label}, {"stack", frames(a.frames)}});
  json out = {{"kind", f.kind},
              {"tool_kind", f.tool_kind},
              {"fingerprint", f.fingerprint},
              {"message", f.message},
              {"status", model::to_string(f.status)},
              {"severity", model::to_string(f.severity)},
              {"count", f.count},
              {"bytes", f.bytes},
              {"blocks", f.blocks},
              {"pid", f.pid},
              {"stack", frames(f.stack)},
              {"aux_stacks", aux}};
  if (!f.expected_by.empty()) out["expected_by"] = f.expected_by;
  if (!f.suppressed_by.empty()) out["suppressed_by"] = f.suppressed_by;
  return out;
}

json job(const model::JobResult& j) {
  json findings = json::array();
  for (const auto& f : j.findings) findings.push_back(finding(f));
  json phases = json::array();
  for (const auto& p : j.phases) phases.push_back({{"name", p.name}, {"start_s", p.start_s}, {"end_s", p.end_s}});
  return {{"suite", j.suite},
          {"feature", j.feature},
          {"tool", model::name(j.tool)},
          {"outcome", model::to_string(j.outcome)},
          {"passed", j.passed},
          {"message", j.message},
          {"duration_s", j.duration_s},
          {"exit_code", j.exit_code},
          {"signal", j.signal},
          {"findings", findings},
          {"unmatched_expectations", j.unmatched_expectations},
          {"notes", j.notes},
          {"log", j.log},
          {"job_dir", j.job_dir},
          {"driver_source", j.driver_source},
          {"build_command", j.build_command},
          {"run_command", j.run_command},
          {"reports", j.reports},
          {"phases", phases}};
}

}  // namespace

json to_json(const model::RunSummary& summary) {
  json jobs = json::array();
  std::size_t passed = 0, failed = 0, new_findings = 0;
  for (const auto& j : summary.jobs) {
    jobs.push_back(job(j));
    (j.passed ? passed : failed) += 1;
    for (const auto& f : j.findings)
      if (f.status == model::FindingStatus::new_finding && f.severity == model::Severity::error) ++new_findings;
  }
  json bugs = json::array();
  for (const auto& bug : harness::aggregate::collect_bugs(summary)) {
    json occurrences = json::array();
    for (const auto& o : bug.occurrences)
      occurrences.push_back({{"suite", o.suite}, {"feature", o.feature}, {"tool", model::name(o.tool)},
                             {"count", o.count}, {"status", model::to_string(o.status)}});
    bugs.push_back({{"fingerprint", bug.fingerprint}, {"kind", bug.kind}, {"message", bug.message},
                    {"status", model::to_string(bug.status)}, {"severity", model::to_string(bug.severity)},
                    {"stack", frames(bug.stack)}, {"occurrences", occurrences}});
  }
  json suppressions = json::array();
  for (const auto& s : summary.suppressions)
    suppressions.push_back({{"name", s.name}, {"source", s.source}, {"matched", s.matched}});
  return {{"schema", k_results_schema},
          {"sohound_version", summary.sohound_version},
          {"started_at", summary.started_at},
          {"duration_s", summary.duration_s},
          {"interrupted", summary.interrupted},
          {"exit_code", model::exit_code(summary)},
          {"specs", summary.specs},
          {"resources", {{"self_cpu_s", summary.self_cpu_s}, {"children_cpu_s", summary.children_cpu_s}}},
          {"totals", {{"jobs", summary.jobs.size()}, {"passed", passed}, {"failed", failed}, {"new_findings", new_findings}}},
          {"baseline", summary.baseline},
          {"suppressions", suppressions},
          {"bugs", bugs},
          {"jobs", jobs}};
}

void write_json(const model::RunSummary& summary, std::ostream& out) {
  // Tool output and symbols may hold invalid UTF-8: replace rather than fail to write results.
  out << to_json(summary).dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace reports
