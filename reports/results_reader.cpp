#include "reports/results_reader.hpp"

#include "harness/model/result_json.hpp"
#include "harness/util/fast_json.hpp"
#include "harness/util/files.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/json_input.hpp"
#include "harness/util/text.hpp"
#include "reports/json_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace reports {
using nlohmann::json;
namespace model = harness::model;

namespace {
using harness::util::FastView;
using harness::util::JsonTypeError;
using JsonView = FastView;  // results.json can be 100 MB: simdjson, with util::JsonView's interface

using harness::model::result_json::small_int;

void read_shard_and_trace(const JsonView& root, model::RunSummary& s) {
  if (root.has("shard")) {
    const auto sh = root.object("shard");
    s.shard.index = small_int(sh, "index", 0);
    s.shard.total = small_int(sh, "total", 0);
    s.shard.source = sh.string("source");
    s.shard.balance = sh.string("balance");
    s.shard.plan = sh.string("plan");
    s.shard.split = sh.string("split");
    s.shard.specs_digest = sh.string("specs_digest");
    s.shard.plan_jobs = sh.count("plan_jobs");
    for (auto j : sh.counts("jobs")) s.shard.jobs.push_back(static_cast<std::size_t>(j));
    if (sh.has("split_inputs")) s.shard.split_inputs = sh.strings("split_inputs");
  }
  if (root.has("merge")) {
    const auto m = root.object("merge");
    model::MergeInfo merge;
    merge.total = small_int(m, "total", 0);
    for (auto k : m.counts("shards")) merge.shards.push_back(static_cast<int>(std::min<std::uint64_t>(k, INT32_MAX)));
    merge.partial = m.boolean("partial");
    merge.problems = m.strings("problems");
    s.merge = std::move(merge);
  }
  // (Named: a span's view names its path through its parents, and a temporary `trace` would be
  // gone before the loop's body, leaving a type error in a span to read a dead parent.)
  const auto trace = root.object("trace");
  for (const auto& span : trace.objects("spans")) {
    model::Span out;
    out.trace_id = span.string("trace_id");
    out.span_id = span.string("span_id");
    out.parent_id = span.string("parent_id");
    out.name = span.string("name");
    out.start_us = span.integer("start_us");
    out.end_us = span.integer("end_us");
    out.attributes = span.string_map("attributes");
    s.spans.push_back(std::move(out));
  }
}

}  // namespace

namespace {

// A results.json parsed with simdjson. On any error util::parse_json says where (file:line:col),
// as it did before simdjson, and its nesting limit applies. The element lives in this thread's
// parser until the thread's next parse: one parser per thread, reused, sized by the largest file
// read so far, so a merge of eight files does not fault in fresh pages for each.
harness::util::Result<simdjson::dom::element> parse_document(const simdjson::padded_string& padded, const std::string& path) {
  const std::string_view text(padded.data(), padded.size());
  if (text.size() > 4ull << 30)
    return harness::util::make_error(fmt::format("{}: larger than 4 GiB; not a file Sohound wrote", path));
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element document;
  auto error = padded.size() <= parser.capacity() && parser.max_depth() == harness::util::k_max_json_depth
                   ? simdjson::SUCCESS
                   : parser.allocate(padded.size(), harness::util::k_max_json_depth);
  if (!error) error = parser.parse(padded).get(document);
  if (error != simdjson::SUCCESS) {
    if (auto checked = harness::util::parse_json(text, path); !checked) return checked.error();
    return harness::util::make_error(fmt::format("{}: malformed results: {}", path, simdjson::error_message(error)));
  }
  return document;
}

// A file read straight into simdjson's padded buffer: no second copy of a file that can be 100 MB.
harness::util::Result<simdjson::padded_string> load_padded(const std::string& path, std::string_view what) {
  simdjson::padded_string padded;
  if (simdjson::padded_string::load(path).get(padded) != simdjson::SUCCESS)
    return harness::util::make_error(fmt::format("{}: cannot read{}", path, what));
  return padded;
}

harness::util::Result<model::RunSummary> parse_padded(const simdjson::padded_string& padded, const std::string& path);

}  // namespace

harness::util::Result<model::RunSummary> read_results(const std::string& path) {
  auto padded = load_padded(path, "");
  if (!padded) return padded.error();
  return parse_padded(*padded, path);
}

harness::util::Result<model::RunSummary> parse_results(std::string_view text, const std::string& path) {
  return parse_padded(simdjson::padded_string(text), path);
}

namespace {

harness::util::Result<model::RunSummary> parse_padded(const simdjson::padded_string& padded, const std::string& path) {
  auto parsed = parse_document(padded, path);
  if (!parsed) return parsed.error();
  const auto document = *parsed;
  const JsonView root(document);
  harness::util::start_phase();
  try {
    std::string_view schema;
    if (!root.is_object() || !root.has("schema") || document["schema"].get_string().get(schema) != simdjson::SUCCESS ||
        schema != k_results_schema)
      return harness::util::make_error(fmt::format("{}: not a Sohound results file (schema \"{}\")", path, k_results_schema));
    model::RunSummary s;
    s.sohound_version = root.string("sohound_version");
    s.started_at = root.string("started_at");
    s.duration_s = root.number("duration_s");
    s.interrupted = root.boolean("interrupted");
    s.specs = root.strings("specs");
    if (root.has("input_errors")) s.input_errors = root.strings("input_errors");
    s.baseline = root.string("baseline");
    const auto resources = root.object("resources");
    s.self_cpu_s = resources.number("self_cpu_s");
    s.children_cpu_s = resources.number("children_cpu_s");
    const auto execution = root.object("execution");
    s.processes = execution.count("processes");
    s.batches = execution.count("batches");
    s.reruns = execution.count("reruns");
    s.cached = execution.count("cached_jobs");
    s.cache_damaged = execution.count("cache_damaged");
    s.cache_evicted = execution.count("cache_evicted");
    s.cache_dir = execution.string("cache_dir");
    const auto sandbox = root.object("sandbox");
    s.sandbox = sandbox.string("engine");
    s.sandbox_reason = sandbox.string("reason");
    if (sandbox.has("debug_copies")) s.sandbox_debug_copies = sandbox.strings("debug_copies");
    for (const auto& u : root.objects("suppressions"))
      s.suppressions.push_back({u.string("name"), u.string("source"), u.count("matched")});
    read_shard_and_trace(root, s);
    for (const auto& j : root.objects("jobs")) {
      harness::util::throw_if_interrupted();
      auto job = model::read_job(j);
      s.jobs.push_back(std::move(job));
    }
    return s;
  } catch (const JsonTypeError& e) {
    return harness::util::make_error(fmt::format("{}: {}", path, e.message));
  } catch (const harness::util::Interrupted&) {
    return harness::util::make_error(fmt::format("{}: not read (interrupted)", path));
  } catch (const nlohmann::json::exception& e) {
    return harness::util::make_error(fmt::format("{}: malformed results: {}", path, e.what()));
  }
}

}  // namespace

harness::util::Result<std::map<std::string, double>> read_job_costs(const std::string& path) {
  auto padded = load_padded(path, " the cost file");
  if (!padded) return padded.error();
  auto document = parse_document(*padded, path);
  if (!document) return document.error();
  std::map<std::string, double> costs;
  try {
    const FastView root(*document);
    if (!root.is_object() || !root.has("jobs"))
      return harness::util::make_error(
          fmt::format("{}: not a results.json (no \"jobs\"): --costs takes the results.json of an earlier run or merge", path));
    for (const auto& job : root.objects("jobs")) {
      const auto outcome = job.string("outcome", "ok");
      if (outcome == "build_failed" || outcome == "cancelled" || outcome == "skipped") continue;
      const auto seconds = job.number("duration_s", -1);
      if (seconds < 0) continue;
      costs[job.string("suite") + "/" + job.string("feature") + "/" + job.string("tool")] = seconds;
    }
  } catch (const JsonTypeError& e) {
    return harness::util::make_error(fmt::format("{}: {}", path, e.message));
  }
  return costs;
}

}  // namespace reports
