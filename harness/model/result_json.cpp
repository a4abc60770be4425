#include "harness/model/result_json.hpp"

namespace harness::model {

void write_frames(util::JsonWriter& w, std::string_view key, const std::vector<Frame>& frames) {
  w.key(key).begin_array();
  for (const auto& f : frames) {
    w.begin_inline_object().field("function", f.function).field("file", f.file).field("line", f.line).field("object", f.object);
    if (f.restored) w.field("restored", true);
    if (f.allocator) w.field("allocator", true);
    if (!f.coroutine.empty()) w.field("coroutine", f.coroutine).field("coroutine_part", f.coroutine_part);
    if (f.scheduler) w.field("scheduler", true);
    w.end_object();
  }
  w.end_array();
}

void write_finding(util::JsonWriter& w, const Finding& f) {
  w.begin_object()
      .field("kind", f.kind)
      .field("tool_kind", f.tool_kind)
      .field("fingerprint", f.fingerprint)
      .field("message", f.message)
      .field("status", to_string(f.status))
      .field("severity", to_string(f.severity))
      .field("count", static_cast<unsigned long long>(f.count))
      .field("bytes", static_cast<unsigned long long>(f.bytes))
      .field("blocks", static_cast<unsigned long long>(f.blocks))
      .field("pid", f.pid);
  if (!f.process.empty()) w.field("process", f.process);
  write_frames(w, "stack", f.stack);
  w.key("aux_stacks").begin_array();
  for (const auto& a : f.aux_stacks) {
    w.begin_object().field("label", a.label);
    write_frames(w, "stack", a.frames);
    w.end_object();
  }
  w.end_array();
  if (!f.expected_by.empty()) w.field("expected_by", f.expected_by);
  if (!f.suppressed_by.empty()) w.field("suppressed_by", f.suppressed_by);
  if (!f.root.empty()) w.field("root", f.root);
  if (!f.owner.empty()) w.field("owner", f.owner);
  if (!f.ownership.empty()) w.field("ownership", f.ownership);
  write_coroutines(w, f.leaked_coroutine, f.coroutines);
  w.end_object();
}

void write_coroutines(util::JsonWriter& w, const std::optional<LeakedCoroutine>& leaked,
                      const std::vector<std::string>& coroutines) {
  if (const auto& c = leaked) {
    w.key("leaked_coroutine")
        .begin_object()
        .field("name", c->name)
        .field("file", c->file)
        .field("line", c->line)
        .field("created_by", c->created_by)
        .field("created_file", c->created_file)
        .field("created_line", c->created_line);
    if (!c->state.empty()) w.field("state", c->state);
    w.end_object();
  }
  if (!coroutines.empty()) w.string_array("coroutines", coroutines);
}

void write_job(util::JsonWriter& w, const JobResult& j) {
  w.begin_object()
      .field("suite", j.suite)
      .field("feature", j.feature)
      .field("tool", name(j.tool))
      .field("outcome", to_string(j.outcome))
      .field("passed", j.passed);
  if (j.baselined) w.field("baselined", true);
  w.field("message", j.message).field("duration_s", j.duration_s).field("exit_code", j.exit_code).field("signal", j.signal);
  w.key("findings").begin_array();
  for (const auto& f : j.findings) write_finding(w, f);
  w.end_array();
  w.string_array("unmatched_expectations", j.unmatched_expectations)
      .string_array("notes", j.notes)
      .field("log", j.log)
      .field("job_dir", j.job_dir)
      .field("driver_source", j.driver_source)
      .field("build_command", j.build_command)
      .field("run_command", j.run_command)
      .string_array("reports", j.reports)
      .field("cached", j.cached)
      .field("sandboxed", j.sandboxed)
      .field("cache_key", j.cache_key)
      .field("unit", j.unit)
      .string_array("unit_features", j.unit_features);
  w.key("phases").begin_array();
  for (const auto& p : j.phases)
    w.begin_object().field("name", p.name).field("start_s", p.start_s).field("end_s", p.end_s).end_object();
  w.end_array().end_object();
}

namespace result_json {

std::optional<FindingStatus> status(std::string_view text) {
  for (auto s : {FindingStatus::new_finding, FindingStatus::expected, FindingStatus::suppressed, FindingStatus::baseline,
                 FindingStatus::third_party})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::optional<Severity> severity(std::string_view text) {
  if (text == "error") return Severity::error;
  if (text == "warning") return Severity::warning;
  return std::nullopt;
}

std::optional<JobOutcome> outcome(std::string_view text) {
  for (auto o : all_outcomes())
    if (to_string(o) == text) return o;
  return std::nullopt;
}

void fail(const std::string& path, const std::string& message) {
  throw util::JsonTypeError{fmt::format("{}: {}", path, message)};
}

}  // namespace result_json
}  // namespace harness::model
