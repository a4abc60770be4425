// The span recorder's cost (issue 13: tracing under 1 % of a run). One span as the pipeline records
// a tool process: open, four annotations, close. bench/shards.sh multiplies this by a run's spans.
// Run: build/bench/sohound_bench --benchmark_filter=Tracer
#include "harness/model/trace.hpp"

#include <benchmark/benchmark.h>

namespace {

void BM_TracerSpan(benchmark::State& state) {
  harness::model::Tracer tracer;
  const auto root = tracer.open("run");
  for (auto _ : state) {
    const auto span = tracer.open("tool process", root);
    tracer.annotate(span, "suite", "bench");
    tracer.annotate(span, "tool", "memcheck");
    tracer.annotate(span, "features", "f1,f2,f3");
    tracer.annotate(span, "exit_code", "0");
    tracer.close(span);
    if (tracer.size() > 100000) {  // a run records thousands, not millions: start a fresh one
      state.PauseTiming();
      tracer = harness::model::Tracer();
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_TracerSpan);

}  // namespace
