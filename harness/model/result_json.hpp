// The one place a finding's and a job's fields are named on disk (issue 20: "the shape of a finding
// on disk lived in five places"). results.json (reports/json_report, and its reader
// reports/results_reader used by `report` and `merge`) and the result cache (exec/result_cache)
// write and read a Finding and a JobResult here and nowhere else, under the names docs/results.md
// gives. A new field is added to write_* and read_* below, and result_json_test round-trips every
// field through both consumers (it fails to compile its size check until the test is told).
//
// The HTML report's data (reports/html_report) is a view for its page, with names of its own; it is
// not read back.
#pragma once

#include "harness/model/job_result.hpp"
#include "harness/util/json_input.hpp"
#include "harness/util/json_writer.hpp"

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::model {

void write_frames(util::JsonWriter& w, std::string_view key, const std::vector<Frame>& frames);
void write_finding(util::JsonWriter& w, const Finding& f);
// "leaked_coroutine" and "coroutines", each only when set (a finding's and a bug's).
void write_coroutines(util::JsonWriter& w, const std::optional<LeakedCoroutine>& leaked,
                      const std::vector<std::string>& coroutines);
void write_job(util::JsonWriter& w, const JobResult& j);

namespace result_json {
// The value a text names, or nullopt when it names none.
std::optional<FindingStatus> status(std::string_view text);
std::optional<Severity> severity(std::string_view text);
std::optional<JobOutcome> outcome(std::string_view text);
// Throws util::JsonTypeError: "PATH: MESSAGE".
[[noreturn]] void fail(const std::string& path, const std::string& message);

// A view's path is built only for an error (util::FastView builds it from its parents).
template <class View>
int small_int(const View& v, std::string_view key, long long fallback) {
  const auto value = v.integer(key, fallback);
  if (value < INT_MIN || value > INT_MAX) fail(fmt::format("{}/{}", v.path(), key), fmt::format("{} is out of range", value));
  return static_cast<int>(value);
}
}  // namespace result_json

// Readers over a JSON view with util::JsonView's interface (util::JsonView over nlohmann, or
// util::FastView over simdjson for large files). Missing fields take their defaults; a value of
// the wrong type or unknown name throws util::JsonTypeError with its path.
template <class View>
std::vector<Frame> read_frames(const View& owner, std::string_view key) {
  std::vector<Frame> frames;
  for (const auto& f : owner.objects(key))
    frames.push_back({f.string("function"), f.string("file"), result_json::small_int(f, "line", 0), f.string("object"),
                      f.boolean("restored"), f.boolean("allocator"), f.string("coroutine"), f.string("coroutine_part"),
                      f.boolean("scheduler")});
  return frames;
}

template <class View>
Finding read_finding(const View& f) {
  Finding finding;
  finding.kind = f.string("kind");
  finding.tool_kind = f.string("tool_kind");
  finding.fingerprint = f.string("fingerprint");
  finding.message = f.string("message");
  const auto status = f.string("status", "new");
  if (const auto s = result_json::status(status))
    finding.status = *s;
  else
    result_json::fail(f.path() + "/status", fmt::format("unknown status '{}' (new, expected, suppressed, baseline)", status));
  const auto severity = f.string("severity", "error");
  if (const auto s = result_json::severity(severity))
    finding.severity = *s;
  else
    result_json::fail(f.path() + "/severity", fmt::format("expected error or warning, found '{}'", severity));
  finding.count = f.count("count", 1);
  finding.bytes = f.count("bytes");
  finding.blocks = f.count("blocks");
  finding.pid = result_json::small_int(f, "pid", 0);
  finding.process = f.string("process");
  finding.expected_by = f.string("expected_by");
  finding.suppressed_by = f.string("suppressed_by");
  finding.root = f.string("root");
  finding.owner = f.string("owner");
  finding.ownership = f.string("ownership");
  if (f.has("leaked_coroutine")) {
    const auto c = f.object("leaked_coroutine");
    finding.leaked_coroutine =
        LeakedCoroutine{c.string("name"),       c.string("file"),         result_json::small_int(c, "line", 0),
                        c.string("created_by"), c.string("created_file"), result_json::small_int(c, "created_line", 0),
                        c.string("state")};
  }
  if (f.has("coroutines")) finding.coroutines = f.strings("coroutines");
  finding.stack = read_frames(f, "stack");
  for (const auto& a : f.objects("aux_stacks")) finding.aux_stacks.push_back({a.string("label"), read_frames(a, "stack")});
  return finding;
}

template <class View>
JobResult read_job(const View& j) {
  JobResult job;
  job.suite = j.string("suite");
  job.feature = j.string("feature");
  const auto tool = j.string("tool");
  if (const auto t = tool_from_name(tool))
    job.tool = *t;
  else
    result_json::fail(j.path() + "/tool", fmt::format("unknown tool '{}'", tool));
  const auto outcome = j.string("outcome", "ok");
  if (const auto o = result_json::outcome(outcome))
    job.outcome = *o;
  else
    result_json::fail(j.path() + "/outcome", fmt::format("unknown outcome '{}'", outcome));
  job.passed = j.boolean("passed");
  job.baselined = j.boolean("baselined");
  job.message = j.string("message");
  job.duration_s = j.number("duration_s");
  job.exit_code = result_json::small_int(j, "exit_code", -1);
  job.signal = result_json::small_int(j, "signal", 0);
  job.unmatched_expectations = j.strings("unmatched_expectations");
  job.notes = j.strings("notes");
  job.log = j.string("log");
  job.job_dir = j.string("job_dir");
  job.driver_source = j.string("driver_source");
  job.build_command = j.string("build_command");
  job.run_command = j.string("run_command");
  job.reports = j.strings("reports");
  job.cached = j.boolean("cached");
  job.sandboxed = j.boolean("sandboxed");
  job.cache_key = j.string("cache_key");
  job.unit = j.string("unit");
  job.unit_features = j.strings("unit_features");
  for (const auto& p : j.objects("phases")) job.phases.push_back({p.string("name"), p.number("start_s"), p.number("end_s")});
  for (const auto& f : j.objects("findings")) job.findings.push_back(read_finding(f));
  return job;
}

}  // namespace harness::model
