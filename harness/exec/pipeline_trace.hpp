// The spans the pipeline's rooms record (docs/tracing.md): the run's tracer, the span they hang
// under, and the scheduler's clock for spans of processes that have ended.
#pragma once

#include "harness/exec/scheduler.hpp"
#include "harness/model/trace.hpp"

#include <string>

namespace harness::exec {

struct PipelineTrace {
  using Span = model::Tracer::Handle;
  Scheduler& scheduler;
  model::Tracer& tracer;
  Span root = model::Tracer::k_none;

  // A finished process's span, from the scheduler's times.
  Span process_span(std::string name, Span parent, double start_s, double end_s) const {
    return tracer.add(std::move(name), parent, scheduler.at(start_s), scheduler.at(end_s));
  }
};

}  // namespace harness::exec
