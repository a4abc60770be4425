#include "reports/json_report.hpp"

#include "harness/aggregate/bugs.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/root_cause.hpp"
#include "harness/model/result_json.hpp"
#include "harness/util/json_writer.hpp"

namespace reports {
using harness::util::JsonWriter;
namespace model = harness::model;

void write_json(const model::RunSummary& summary, std::ostream& out) {
  write_json(summary, harness::aggregate::collect_bugs(summary), out);
}

void write_json(const model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out) {
  std::size_t passed = 0, failed = 0, new_findings = 0, third_party = 0;
  for (const auto& j : summary.jobs) {
    (j.passed ? passed : failed) += 1;
    for (const auto& f : j.findings) {
      if (harness::aggregate::is_failing(f)) ++new_findings;
      if (f.status == model::FindingStatus::third_party) ++third_party;
    }
  }
  JsonWriter w(out, 2);
  w.begin_object()
      .field("schema", k_results_schema)
      .field("sohound_version", summary.sohound_version)
      .field("fingerprint_recipe", harness::aggregate::k_fingerprint_version)
      .field("started_at", summary.started_at)
      .field("duration_s", summary.duration_s)
      .field("interrupted", summary.interrupted)
      .field("exit_code", model::exit_code(summary))
      .string_array("specs", summary.specs);
  if (!summary.input_errors.empty()) w.string_array("input_errors", summary.input_errors);
  w.key("resources")
      .begin_object()
      .field("self_cpu_s", summary.self_cpu_s)
      .field("children_cpu_s", summary.children_cpu_s)
      .end_object();
  w.key("execution")
      .begin_object()
      .field("processes", static_cast<unsigned long>(summary.processes))
      .field("batches", static_cast<unsigned long>(summary.batches))
      .field("reruns", static_cast<unsigned long>(summary.reruns))
      .field("cached_jobs", static_cast<unsigned long>(summary.cached))
      .field("cache_damaged", static_cast<unsigned long>(summary.cache_damaged))
      .field("cache_evicted", static_cast<unsigned long>(summary.cache_evicted))
      .field("cache_dir", summary.cache_dir)
      .end_object();
  w.key("sandbox")
      .begin_object()
      .field("on", !summary.sandbox.empty())
      .field("engine", summary.sandbox)
      .field("reason", summary.sandbox_reason)
      .key("debug_copies")
      .begin_array();
  for (const auto& file : summary.sandbox_debug_copies) w.value(file);
  w.end_array().end_object();
  w.field("partial", model::is_partial(summary));
  if (summary.shard.total > 0) {
    const auto& sh = summary.shard;
    w.key("shard")
        .begin_object()
        .field("index", sh.index)
        .field("total", sh.total)
        .field("source", sh.source)
        .field("balance", sh.balance)
        .field("plan", sh.plan)
        .field("split", sh.split)
        .field("specs_digest", sh.specs_digest)
        .field("plan_jobs", static_cast<unsigned long>(sh.plan_jobs));
    w.key("jobs").begin_array();
    for (auto j : sh.jobs) w.value(static_cast<unsigned long>(j));
    w.end_array().string_array("split_inputs", sh.split_inputs).end_object();
  }
  if (summary.merge) {
    w.key("merge").begin_object().field("total", summary.merge->total);
    w.key("shards").begin_array();
    for (int k : summary.merge->shards) w.value(k);
    w.end_array().field("partial", summary.merge->partial).string_array("problems", summary.merge->problems).end_object();
  }
  w.key("totals")
      .begin_object()
      .field("jobs", static_cast<unsigned long>(summary.jobs.size()))
      .field("passed", static_cast<unsigned long>(passed))
      .field("failed", static_cast<unsigned long>(failed))
      .field("new_findings", static_cast<unsigned long>(new_findings))
      .field("third_party", static_cast<unsigned long>(third_party))
      .end_object();
  w.field("baseline", summary.baseline);
  w.key("suppressions").begin_array();
  for (const auto& s : summary.suppressions)
    w.begin_object()
        .field("name", s.name)
        .field("source", s.source)
        .field("matched", static_cast<unsigned long>(s.matched))
        .end_object();
  w.end_array();
  w.key("bugs").begin_array();
  for (const auto& bug : bugs) {
    w.begin_object()
        .field("fingerprint", bug.fingerprint)
        .field("kind", bug.kind)
        .field("message", bug.message)
        .field("status", model::to_string(bug.status))
        .field("severity", model::to_string(bug.severity));
    if (!bug.owner.empty()) w.field("owner", bug.owner);
    if (!bug.ownership.empty()) w.field("ownership", bug.ownership);
    model::write_coroutines(w, bug.leaked_coroutine, bug.coroutines);
    model::write_frames(w, "stack", bug.stack);
    w.key("occurrences").begin_array();
    for (const auto& o : bug.occurrences)
      w.begin_object()
          .field("suite", o.suite)
          .field("feature", o.feature)
          .field("tool", model::name(o.tool))
          .field("count", static_cast<unsigned long long>(o.count))
          .field("status", model::to_string(o.status))
          .end_object();
    w.end_array();
    if (!bug.follow_ons.empty()) {
      w.key("follow_ons").begin_array();
      for (const auto& g : bug.follow_ons)
        w.begin_object()
            .field("fingerprint", g.fingerprint)
            .field("kind", g.kind)
            .field("message", g.message)
            .field("count", static_cast<unsigned long long>(g.count))
            .end_object();
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("jobs").begin_array();
  for (const auto& j : summary.jobs) model::write_job(w, j);
  w.end_array();
  w.key("trace").begin_object().key("spans").begin_array();
  for (const auto& span : summary.spans) {
    w.begin_object()
        .field("trace_id", span.trace_id)
        .field("span_id", span.span_id)
        .field("parent_id", span.parent_id)
        .field("name", span.name)
        .field("start_us", static_cast<long>(span.start_us))
        .field("end_us", static_cast<long>(span.end_us));
    w.key("attributes").begin_object();
    for (const auto& [k, v] : span.attributes) w.field(k, v);
    w.end_object().end_object();
  }
  w.end_array().end_object().end_object();
  w.flush();
  out << '\n';
}

}  // namespace reports
