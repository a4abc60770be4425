// Rendering every report (results.json, JUnit, SARIF, HTML with source snippets read from disk)
// for a run with 10,000 findings, in process. Target: under 2 s for all four.
// Run: build/bench/sohound_bench --benchmark_filter=Render
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/sarif_report.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>
#include <ostream>
#include <streambuf>

namespace {
namespace model = harness::model;

// Counts bytes and throws them away.
class NullBuffer : public std::streambuf {
 public:
  std::size_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::size_t>(n);
    return n;
  }
  int overflow(int c) override {
    ++bytes;
    return c;
  }
};

model::RunSummary big_run(int findings) {
  std::vector<std::string> sources;
  for (const auto* dir : {"harness/exec", "harness/parse", "harness/spec", "reports"})
    for (const auto& e : std::filesystem::directory_iterator(std::string(SOHOUND_SOURCE_DIR) + "/" + dir))
      if (e.path().extension() == ".cpp") sources.push_back(e.path().string());
  const char* kinds[] = {
      "leak.definite", "leak.indirect", "mem.invalid_read", "mem.invalid_write", "race.data", "ub.signed-integer-overflow",
      "fd.leak"};
  const model::FindingStatus statuses[] = {model::FindingStatus::new_finding, model::FindingStatus::expected,
                                           model::FindingStatus::suppressed, model::FindingStatus::baseline};
  model::RunSummary run;
  run.sohound_version = "bench";
  constexpr int k_per_job = 50;
  for (int j = 0; j * k_per_job < findings; ++j) {
    model::JobResult job;
    job.suite = "big";
    job.feature = fmt::format("feature_{}", j);
    job.tool = static_cast<model::Tool>(j % 6);
    job.passed = false;
    job.driver_source = "int main(void) { return 0; }\n";
    job.phases = {{"build", j * 0.1, j * 0.1 + 0.05}, {"run", j * 0.1 + 0.05, j * 0.1 + 0.5}};
    for (int k = 0; k < k_per_job && j * k_per_job + k < findings; ++k) {
      const int n = j * k_per_job + k;
      model::Finding f;
      f.kind = kinds[n % 7];
      f.fingerprint = fmt::format("{:016x}", n);
      f.message = fmt::format("finding number {}", n);
      f.status = statuses[n % 4];
      for (int i = 0; i < 12; ++i)
        f.stack.push_back({fmt::format("ns::module_{}::function_{}(int, char const*)", n % 97, i),
                           sources[static_cast<std::size_t>(n + i) % sources.size()], 1 + (n * 7 + i * 13) % 60,
                           "/out/lib/libbig.so"});
      f.aux_stacks.push_back({"Address 0x0 is 0 bytes after a block of size 40 alloc'd",
                              std::vector<model::Frame>(f.stack.begin(), f.stack.begin() + 6)});
      job.findings.push_back(std::move(f));
    }
    run.jobs.push_back(std::move(job));
  }
  return run;
}

void BM_RenderAllReports(benchmark::State& state) {
  const auto run = big_run(static_cast<int>(state.range(0)));
  reports::ReportOptions options;
  options.source_root = SOHOUND_SOURCE_DIR;
  std::size_t bytes = 0;
  for (auto _ : state) {
    NullBuffer sink;
    std::ostream out(&sink);
    reports::write_json(run, out);
    reports::write_junit(run, out, options);
    reports::write_sarif(run, out, options);
    reports::write_html(run, out, options);
    bytes = sink.bytes;
  }
  state.counters["output_mb"] = static_cast<double>(bytes) / 1e6;
}

BENCHMARK(BM_RenderAllReports)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
