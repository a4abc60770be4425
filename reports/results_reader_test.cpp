#include "reports/results_reader.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

namespace reports {
namespace {

TEST(JobCosts, ReadsDurationsOfJobsThatRan) {
  harness::testing::TempDir dir("costs");
  const auto path = dir / "results.json";
  harness::util::write_file(path, R"({"jobs": [
    {"suite": "s", "feature": "a", "tool": "memcheck", "outcome": "ok", "duration_s": 1.5},
    {"suite": "s", "feature": "b", "tool": "asan", "outcome": "build_failed", "duration_s": 9},
    {"suite": "s", "feature": "c", "tool": "drd", "outcome": "timeout", "duration_s": 30}]})");
  auto costs = read_job_costs(path);
  ASSERT_TRUE(costs) << costs.error().message;
  EXPECT_EQ(costs->size(), 2u);
  EXPECT_DOUBLE_EQ(costs->at("s/a/memcheck"), 1.5);
  EXPECT_DOUBLE_EQ(costs->at("s/c/drd"), 30);
  harness::util::write_file(path, R"({"features": []})");
  EXPECT_NE(read_job_costs(path).error().message.find("not a results.json"), std::string::npos);
  harness::util::write_file(path, "{\n  \"jobs\": [ oops");
  EXPECT_NE(read_job_costs(path).error().message.find(path + ":2:"), std::string::npos);
  harness::util::write_file(path, R"({"jobs": [{"suite": 3, "duration_s": 1}]})");
  EXPECT_NE(read_job_costs(path).error().message.find("/jobs/0/suite: expected a string, found a whole number"),
            std::string::npos)
      << read_job_costs(path).error().message;
}

TEST(ResultsReader, TypeErrorsNameTheJsonPath) {
  const auto r = parse_results(R"({"schema": "sohound.results/1", "jobs": [{"suite": "s", "feature": "f", "tool": "memcheck",
      "findings": [{"kind": "leak.definite", "stack": [{"function": 7}]}]}]})",
                               "r.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "r.json: /jobs/0/findings/0/stack/0/function: expected a string, found a whole number");
  const auto deep = parse_results(std::string(100, '[') + std::string(100, ']'), "d.json");
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message.find("d.json:1:65: nested more than 64 levels deep"), std::string::npos) << deep.error().message;
  const auto syntax = parse_results("{\n \"schema\": ,}", "s.json");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().message.find("s.json:2:"), std::string::npos) << syntax.error().message;
  EXPECT_NE(parse_results(R"({"schema": 1})", "n.json").error().message.find("not a Sohound results file"), std::string::npos);
  // A span's error names its path through the trace object (once read through a view already gone:
  // a crash on a mutated results.json, found by CatalogueRuns).
  const auto span =
      parse_results(R"({"schema": "sohound.results/1", "trace": {"spans": [{"name": "run"}, {"name": 7}]}})", "t.json");
  ASSERT_FALSE(span);
  EXPECT_EQ(span.error().message, "t.json: /trace/spans/1/name: expected a string, found a whole number");
}

}  // namespace
}  // namespace reports

#include "harness/exec/result_cache.hpp"
#include "harness/model/result_json.hpp"
#include "reports/json_report.hpp"

#include <sstream>

namespace reports {
namespace {

namespace model = harness::model;

// Every field set to a value of its own, none left at its default.
model::JobResult every_field() {
  model::Finding f;
  f.kind = "leak.definite";
  f.tool_kind = "Leak_DefinitelyLost";
  f.message = "48 bytes in 1 blocks are definitely lost";
  f.stack = {{"malloc", "vg_replace_malloc.c", 393, "vgpreload_memcheck-amd64-linux.so"},
             {"jsonp_malloc", "/src/memory.c", 29, "/lib/libjansson.so", false, true},
             {"count_to(int) [clone .resume]", "/src/c.cpp", 3, "/bin/t", false, false, "count_to(int)", "resumed"},
             {"uv_run", "", 0, "/lib/libuv.so.1", false, false, "", "", true},
             {"feature_leaks", "/src/t.yaml", 14, "/bin/t", true}};
  static_assert(sizeof(model::Frame) == 184, "a field was added to model::Frame: set it above, and see model/result_json");
  f.aux_stacks = {{"Block was alloc'd at", {{"calloc", "/src/a.c", 2, "libc.so.6"}}}};
  f.bytes = 48;
  f.blocks = 1;
  f.count = 3;
  f.pid = 4242;
  f.process = "t (pid 4242, parent 4200)";
  f.fingerprint = "fp-1";
  f.status = model::FindingStatus::suppressed;
  f.severity = model::Severity::warning;
  f.expected_by = "expect 1";
  f.suppressed_by = "suppression 2";
  f.root = "fp-0";
  f.owner = "libcjson.so.1.7.15";
  f.ownership = "every access is inside libcjson.so.1.7.15";
  f.leaked_coroutine = model::LeakedCoroutine{"count_to(int)", "/src/c.cpp", 3, "start()", "/src/c.cpp", 9, "suspended"};
  f.coroutines = {"count_to(int)", "other(int)"};
  // A field added to Finding changes its size: set it above, write and read it in
  // model/result_json, then update the size here.
  static_assert(sizeof(model::Finding) == 616, "a field was added to model::Finding: see the comment above");
  model::JobResult j;
  j.suite = "s";
  j.feature = "f";
  j.tool = model::Tool::drd;
  j.outcome = model::JobOutcome::report_lost;
  j.passed = false;
  j.baselined = true;
  j.message = "lost";
  j.duration_s = 1.25;
  j.exit_code = 86;
  j.signal = 11;
  j.findings = {f};
  j.unmatched_expectations = {"leak.definite in f"};
  j.notes = {"a note"};
  j.log = "stderr tail";
  j.job_dir = "/out/jobs/s/f/drd";
  j.driver_source = "/out/build/s/plain/src/main.c";
  j.build_command = "gcc -c";
  j.run_command = "valgrind --tool=drd";
  j.reports = {"/out/jobs/s/f/drd/vg.1.xml"};
  j.phases = {{"run", 0.5, 1.75}};
  j.unit = "/out/jobs/s/batch-drd-1";
  j.unit_features = {"f", "g"};
  j.cached = true;
  j.sandboxed = true;
  j.cache_key = "abc";
  static_assert(sizeof(model::JobResult) == 504,
                "a field was added to model::JobResult: set it above, and see "
                "model/result_json");
  return j;
}

// The one schema (model/result_json): every field survives results.json (written for CI, read
// back by `report` and `merge`) and the result cache, which keeps all but what belongs to the run
// that stored it.
TEST(ResultJson, EveryFieldRoundTripsThroughResultsJsonAndTheCache) {
  const auto job = every_field();
  model::RunSummary summary;
  summary.jobs = {job};
  summary.sandbox = "bubblewrap";
  summary.sandbox_debug_copies = {"/usr/lib/debug/.build-id/93/ac.debug", "/usr/lib/debug/.build-id/7e/bc.debug"};
  summary.cache_damaged = 2;
  summary.cache_evicted = 17;
  std::ostringstream text;
  write_json(summary, text);
  const auto read = parse_results(text.str(), "results.json");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->sandbox, summary.sandbox);
  EXPECT_EQ(read->sandbox_debug_copies, summary.sandbox_debug_copies);
  EXPECT_EQ(read->cache_damaged, 2u);
  EXPECT_EQ(read->cache_evicted, 17u);
  ASSERT_EQ(read->jobs.size(), 1u);
  EXPECT_TRUE(read->jobs[0] == job) << text.str();
  EXPECT_TRUE(read->jobs[0].findings == job.findings);

  const std::string key(harness::exec::k_cache_mac_key_bytes, 'k');
  const auto back = harness::exec::decode_entry("abc", harness::exec::encode_entry("abc", job, key), key);
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == harness::model::without_run_specifics(job));
  EXPECT_TRUE(back->unit_features.empty() && back->job_dir.empty()) << "nothing of the storing run";
  EXPECT_TRUE(back->findings == job.findings) << "a cached job keeps every field of its findings";
}

}  // namespace
}  // namespace reports
