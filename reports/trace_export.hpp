// A run's spans (model::Span) in the two formats trace tools read (docs/tracing.md):
//  - Chrome/Perfetto trace-event JSON ("X" complete events; one process per run or shard, lanes
//    in which spans nest as they do in time; every span's ids and annotations in "args");
//  - OTLP/JSON (OpenTelemetry's ExportTraceServiceRequest: resourceSpans/scopeSpans/spans, hex ids,
//    Unix nanosecond times as strings) for a collector's otlphttp receiver or a file exporter.
#pragma once

#include "harness/model/trace.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace reports {

void write_chrome_trace(const std::vector<harness::model::Span>& spans, std::ostream& out);
void write_otlp_json(const std::vector<harness::model::Span>& spans, const std::string& sohound_version, std::ostream& out);

// Per span: the index of its root (the first ancestor whose parent is not among `spans`), so the
// spans of each run or shard can be told apart.
std::vector<std::size_t> span_roots(const std::vector<harness::model::Span>& spans);
// Per span: a lane (0-based) within its root's spans in which it nests in time with every other
// span of that lane (what a trace viewer needs to draw it as a stack).
std::vector<int> span_lanes(const std::vector<harness::model::Span>& spans, const std::vector<std::size_t>& roots);

}  // namespace reports
