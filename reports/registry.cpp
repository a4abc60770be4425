#include "reports/registry.hpp"

#include "harness/util/files.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/text.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/sarif_report.hpp"

#include <fmt/format.h>

#include <fstream>

namespace reports {

const std::vector<Renderer>& renderers() {
  static const std::vector<Renderer> k_renderers = {
      {"json", "results.json", [](const auto& s, const auto& bugs, auto& out, const auto&) { write_json(s, bugs, out); }},
      {"junit", "junit.xml", [](const auto& s, const auto&, auto& out, const auto& o) { write_junit(s, out, o); }},
      {"sarif", "results.sarif", [](const auto& s, const auto& bugs, auto& out, const auto& o) { write_sarif(s, bugs, out, o); }},
      {"html", "report.html", [](const auto& s, const auto& bugs, auto& out, const auto& o) { write_html(s, bugs, out, o); }},
  };
  return k_renderers;
}

std::vector<std::string_view> renderer_names() {
  std::vector<std::string_view> names;
  for (const auto& r : renderers()) names.push_back(r.name);
  return names;
}

harness::util::Result<std::vector<const Renderer*>> select_renderers(const std::vector<std::string>& names) {
  std::vector<const Renderer*> selected;
  for (const auto& name : names) {
    const Renderer* found = nullptr;
    for (const auto& r : renderers())
      if (r.name == name) found = &r;
    if (!found) {
      const auto suggestion = harness::util::closest_match(name, renderer_names());
      return harness::util::make_error(fmt::format("unknown report '{}'{}; known reports: {}", name,
                                                   suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                                                   fmt::join(renderer_names(), ", ")));
    }
    if (std::find(selected.begin(), selected.end(), found) == selected.end()) selected.push_back(found);
  }
  return selected;
}

harness::util::Result<std::vector<std::string>> write_reports(const harness::model::RunSummary& summary,
                                                              const std::vector<harness::aggregate::Bug>& bugs,
                                                              const std::vector<const Renderer*>& selected,
                                                              const std::string& dir, const ReportOptions& options) {
  std::vector<std::string> written;
  harness::util::start_phase();
  for (const auto* r : selected) {
    const auto path = dir + "/" + std::string(r->file_name);
    // Rendered beside the old file and renamed over it: a reader never sees half a report, and an
    // interrupted render leaves the previous one.
    harness::util::AtomicFile out(path);
    if (!out.is_open()) return harness::util::make_error(fmt::format("{}: cannot write", path));
    const auto span = options.tracer ? options.tracer->open("report", options.trace_parent) : harness::model::Tracer::k_none;
    if (options.tracer) options.tracer->annotate(span, "format", std::string(r->name));
    try {
      r->render(summary, bugs, out.stream(), options);
    } catch (const harness::util::Interrupted&) {
      return harness::util::make_error(fmt::format("{}: not written (interrupted)", path));
    }
    const bool committed = out.commit();
    if (options.tracer) options.tracer->close(span);
    if (!committed) return harness::util::make_error(fmt::format("{}: write failed", path));
    written.push_back(path);
  }
  return written;
}

}  // namespace reports
