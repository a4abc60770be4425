#include "reports/junit_report.hpp"
#include "harness/util/interrupt.hpp"

#include "reports/finding_text.hpp"
#include "reports/xml_escape.hpp"

#include "harness/aggregate/root_cause.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

namespace reports {
namespace model = harness::model;

namespace {

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0;
};

bool is_error(model::JobOutcome o) {
  return o != model::JobOutcome::ok && o != model::JobOutcome::cancelled && o != model::JobOutcome::skipped;
}

}  // namespace

void write_junit(const model::RunSummary& summary, std::ostream& out, const ReportOptions& options) {
  std::map<std::string, std::vector<const model::JobResult*>> suites;
  std::vector<std::string> order;
  for (const auto& job : summary.jobs) {
    harness::util::throw_if_interrupted();  // a signal while rendering: stop (the old file stays)
    if (!suites.count(job.suite)) order.push_back(job.suite);
    suites[job.suite].push_back(&job);
  }
  auto count = [](const std::vector<const model::JobResult*>& jobs) {
    Counts c;
    for (const auto* j : jobs) {
      ++c.tests;
      c.time += j->duration_s;
      if (j->outcome == model::JobOutcome::cancelled || j->outcome == model::JobOutcome::skipped)
        ++c.skipped;
      else if (is_error(j->outcome) && !j->baselined)
        ++c.errors;
      else if (!j->passed)
        ++c.failures;
    }
    return c;
  };
  Counts total;
  for (const auto& [_, jobs] : suites) {
    const auto c = count(jobs);
    total.tests += c.tests, total.failures += c.failures, total.errors += c.errors, total.skipped += c.skipped;
    total.time += c.time;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"sohound\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                     total.tests, total.failures, total.errors, total.skipped, total.time);
  for (const auto& suite : order) {
    const auto& jobs = suites[suite];
    const auto c = count(jobs);
    out << fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\" "
        "timestamp=\"{}\">\n",
        xml_escape(suite), c.tests, c.failures, c.errors, c.skipped, c.time, xml_escape(summary.started_at));
    // Whether the code ran sandboxed (docs/results.md, "The sandbox"), and a partial merge's problems.
    const bool sandbox_known = !summary.sandbox.empty() || !summary.sandbox_reason.empty();
    if (sandbox_known || model::is_partial(summary)) out << "    <properties>\n";
    if (sandbox_known)
      out << fmt::format("      <property name=\"sohound.sandbox\" value=\"{}\"/>\n",
                         xml_escape(!summary.sandbox.empty() ? summary.sandbox : "off: " + summary.sandbox_reason));
    if (model::is_partial(summary))
      out << fmt::format(
          "      <property name=\"sohound.partial\" value=\"true\"/>\n"
          "      <property name=\"sohound.partial.problems\" value=\"{}\"/>\n",
          xml_escape(fmt::format("{}", fmt::join(summary.merge->problems, "; "))));
    if (sandbox_known || model::is_partial(summary)) out << "    </properties>\n";
    for (const auto* j : jobs) {
      // The failing roots lead; what follows from each is written under it, not counted on its own.
      std::vector<const model::Finding*> fresh, other;
      for (const auto& f : j->findings) {
        if (harness::aggregate::is_failing(f))
          fresh.push_back(&f);
        else if (f.root.empty() || f.status != model::FindingStatus::new_finding)
          other.push_back(&f);
      }
      std::string location;
      const auto* first = fresh.empty() ? nullptr : locating_frame(*fresh.front());
      if (first)
        location =
            fmt::format(" file=\"{}\" line=\"{}\"", xml_escape(relative_to(first->file, options.source_root)), first->line);
      out << fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"{}>\n",
                         xml_escape(j->suite + "." + j->feature), model::name(j->tool), j->duration_s, location);
      if (j->outcome == model::JobOutcome::cancelled || j->outcome == model::JobOutcome::skipped) {
        out << fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(j->message));
      } else if (is_error(j->outcome) && !j->baselined) {
        out << fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n",
                           xml_escape(fmt::format("{}: {}", model::to_string(j->outcome), j->message)),
                           model::to_string(j->outcome), xml_text_escape(j->log));
      }
      if (!fresh.empty() && j->outcome == model::JobOutcome::ok) {
        std::string body;
        const auto follow_ons = harness::aggregate::follow_ons_by_root(j->findings);
        for (const auto* f : fresh) {
          body += finding_block(*f);
          if (auto it = follow_ons.find(f->fingerprint); it != follow_ons.end())
            for (const auto* g : it->second) body += "  follows from it: " + finding_block(*g, 4);
          body += "\n";
        }
        out << fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           xml_escape(fmt::format("{} new finding{}; first: {}: {}", fresh.size(), fresh.size() == 1 ? "" : "s",
                                                  fresh.front()->kind, titled_message(*fresh.front()))),
                           xml_escape(fresh.front()->kind), xml_text_escape(body));
      }
      std::string system_out;
      for (const auto* f : other)
        system_out += fmt::format("{} {}: ", model::to_string(f->status), model::to_string(f->severity)) + finding_block(*f, 8);
      for (const auto& e : j->unmatched_expectations) system_out += "expected but no longer found: " + e + "\n";
      for (const auto& n : j->notes) system_out += "note: " + n + "\n";
      if (j->baselined)
        system_out += fmt::format("known failure, in the baseline: {}: {}\n", model::to_string(j->outcome), j->message);
      if (!system_out.empty()) out << "      <system-out>" << xml_text_escape(system_out) << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace reports
