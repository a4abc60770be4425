#include "reports/terminal_summary.hpp"

#include "harness/aggregate/bugs.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/root_cause.hpp"
#include "harness/util/text.hpp"
#include "reports/finding_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace reports {
namespace model = harness::model;

namespace {

// Text from the code under test, the tools or a results.json from elsewhere, with every control
// character made visible: a message cannot rewrite the verdict line of a CI log.
std::string printable(std::string_view text) { return harness::util::printable(text); }

std::string paint(bool color, const char* code, std::string_view text) {
  return color ? fmt::format("\033[{}m{}\033[0m", code, text) : std::string(text);
}

// "fn (file.c:12)": the base name only, for a terminal line.
std::string short_frame_text(const model::Frame& f) {
  std::string where;
  if (!f.file.empty())
    where = f.line ? fmt::format("{}:{}", std::filesystem::path(f.file).filename().string(), f.line)
                   : std::filesystem::path(f.file).filename().string();
  else if (!f.object.empty())
    where = std::filesystem::path(f.object).filename().string();
  return printable(fmt::format("{} ({}){}", reports::frame_function(f), where,
                               f.restored ? std::string(" ") + reports::k_restored_frame_tag : std::string()));
}

// Races entirely inside code the user did not write, on its own data: one entry per bug, with
// where it happened and what it means. Never failing (unless policy says so: then they are above).
void write_third_party(const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out, const TerminalOptions& options) {
  bool header = false;
  std::size_t shown = 0, total = 0;
  for (const auto& bug : bugs) {
    if (bug.status != model::FindingStatus::third_party) continue;
    if (options.max_findings && ++total > options.max_findings) continue;
    if (!header) {
      out << "\nRaces inside code you did not write (third_party: reported, not failing; "
             "policy {third_party: error} fails them)\n";
      header = true;
    }
    ++shown;
    std::vector<std::string> where;
    std::vector<std::string_view> tools;
    std::uint64_t count = 0;
    for (const auto& o : bug.occurrences) {
      auto at = o.suite + "/" + o.feature;
      if (std::find(where.begin(), where.end(), at) == where.end()) where.push_back(std::move(at));
      if (std::find(tools.begin(), tools.end(), model::name(o.tool)) == tools.end()) tools.push_back(model::name(o.tool));
      count += o.count;
    }
    out << fmt::format("  {} in {}: {} [{}]{}\n", paint(options.color, "33", bug.kind), printable(bug.owner),
                       printable(harness::util::join(where, ", ")), fmt::join(tools, ", "),
                       count > 1 ? fmt::format(" (x{})", count) : "");
    if (!bug.ownership.empty()) out << "      " << printable(bug.ownership) << '\n';
  }
  if (total > shown) out << fmt::format("  ... and {} more (every one is in results.json and the reports)\n", total - shown);
}

// Leak bugs titled by one function that sits directly above the allocator in each, called from
// several places: likely the library's allocation wrapper (jansson's jsonp_malloc). Said, with the
// spec line that makes the bugs read by the code that leaked; never decided silently.
void write_allocator_hint(const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out) {
  std::map<std::string, std::set<std::string>> callers;  // wrapper -> the functions that called it
  std::map<std::string, std::size_t> titled;             // wrapper -> the leak bugs it titles
  for (const auto& bug : bugs) {
    if (bug.kind.rfind("leak.", 0) != 0) continue;
    const auto& st = bug.stack;
    std::size_t i = 0;
    while (i < st.size() && harness::aggregate::is_runtime_frame(st[i])) ++i;
    if (i == 0 || i + 1 >= st.size() || harness::aggregate::is_unnamed(st[i - 1])) continue;
    if (!harness::aggregate::is_allocation_function(harness::aggregate::normalize_function(st[i - 1].function))) continue;
    const auto name = harness::aggregate::normalize_function(st[i].function);
    ++titled[name];
    callers[name].insert(harness::aggregate::normalize_function(st[i + 1].function));
  }
  for (const auto& [name, n] : titled)
    if (n >= 3 && callers[name].size() >= 2)
      out << fmt::format(
          "  note: {} leak bugs are titled by {}, which calls the allocator itself and is called from {} places: if it "
          "is the library's allocation wrapper, name it in the spec (`allocators: [{}]`) so each bug is titled by the code "
          "that leaked\n",
          n, printable(name), callers[name].size(), printable(name));
}

}  // namespace

std::string job_line(const model::JobResult& job, bool color) {
  std::size_t expected = 0, fresh = 0, follow_ons = 0, warnings = 0, suppressed = 0, baseline = 0, third_party = 0;
  for (const auto& f : job.findings) {
    if (f.status == model::FindingStatus::suppressed)
      ++suppressed;
    else if (f.status == model::FindingStatus::third_party)
      ++third_party;
    else if (f.status == model::FindingStatus::baseline)
      ++baseline;
    else if (f.status == model::FindingStatus::expected)
      ++expected;
    else if (f.severity == model::Severity::warning)
      ++warnings;
    else if (f.root.empty())
      ++fresh;
    else
      ++follow_ons;
  }
  std::string verdict = job.outcome == model::JobOutcome::skipped && job.passed ? paint(color, "33", "SKIP")
                        : job.passed                                            ? paint(color, "32", "PASS")
                                                                                : paint(color, "31;1", "FAIL");
  std::string detail;
  if (job.outcome != model::JobOutcome::ok) detail = fmt::format("{}: {}", model::to_string(job.outcome), printable(job.message));
  std::vector<std::string> counts;
  if (fresh) counts.push_back(fmt::format("{} new", fresh));
  if (follow_ons) counts.push_back(fmt::format("{} following from {}", follow_ons, fresh == 1 ? "it" : "them"));
  if (expected) counts.push_back(fmt::format("{} expected", expected));
  if (warnings) counts.push_back(fmt::format("{} warning{}", warnings, warnings == 1 ? "" : "s"));
  if (third_party) counts.push_back(fmt::format("{} third-party", third_party));
  if (baseline) counts.push_back(fmt::format("{} in baseline", baseline));
  if (suppressed) counts.push_back(fmt::format("{} suppressed", suppressed));
  if (job.baselined) counts.push_back("a known failure, in the baseline");
  if (!job.unmatched_expectations.empty()) counts.push_back(fmt::format("{} no longer found", job.unmatched_expectations.size()));
  if (!counts.empty()) detail += (detail.empty() ? "" : "; ") + fmt::format("{}", fmt::join(counts, ", "));
  if (detail.empty()) detail = "clean";
  return fmt::format("{} {:<40} {:<9} {:>6.2f}s  {}", verdict, job.suite + "/" + job.feature, model::name(job.tool),
                     job.duration_s, detail);
}

void write_terminal_summary(const model::RunSummary& summary, std::ostream& out, const TerminalOptions& options) {
  write_terminal_summary(summary, harness::aggregate::collect_bugs(summary), out, options);
}

void write_terminal_summary(const model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out,
                            const TerminalOptions& options) {
  if (model::is_partial(summary)) {
    out << "\nPARTIAL RESULTS (merged with --allow-partial): not the whole run\n";
    for (const auto& problem : summary.merge->problems) out << "  - " << printable(problem) << '\n';
  }
  if (summary.shard.index > 0)
    out << fmt::format(
        "\nShard {}/{} (from {}): {} of the plan's {} jobs; `sohound merge` the {} shards' results.json for the whole run\n",
        summary.shard.index, summary.shard.total, summary.shard.source, summary.jobs.size(), summary.shard.plan_jobs,
        summary.shard.total);
  out << (options.list_passing ? "\nResults\n" : "\nResults (jobs that did not pass; every job is listed above)\n");
  for (const auto& job : summary.jobs)
    if (options.list_passing || !job.passed) out << "  " << job_line(job, options.color) << '\n';

  bool header = false;
  std::size_t unexpected = 0, failed_jobs = 0, skipped = 0, todo = 0;
  for (const auto& job : summary.jobs) {
    if (!job.passed) ++failed_jobs;
    if (job.outcome == model::JobOutcome::skipped) {
      ++skipped;
      todo += job.message.rfind(model::k_todo_message, 0) == 0 ? 1 : 0;
    }
    const auto follow_ons = harness::aggregate::follow_ons_by_root(job.findings);
    for (const auto& f : job.findings) {
      if (!harness::aggregate::is_failing(f)) continue;
      ++unexpected;
      if (options.max_findings && unexpected > options.max_findings) continue;
      if (!header) {
        out << "\nUnexpected findings\n";
        header = true;
      }
      out << fmt::format("  {} {}/{} [{}] {}{}\n", paint(options.color, "31;1", f.kind), job.suite, job.feature,
                         model::name(job.tool), printable(f.message), f.count > 1 ? fmt::format(" (x{})", f.count) : "");
      if (!f.process.empty()) out << "      in process " << printable(f.process) << '\n';
      if (const auto text = reports::coroutine_text(f); !text.empty()) out << "      coroutine: " << printable(text) << '\n';
      const auto lines = reports::stack_lines(f.stack);
      const auto n = std::min(options.max_frames, lines.size());
      for (std::size_t i = 0; i < n; ++i)
        out << "      " << (i ? "by " : "at ")
            << (lines[i].folded ? printable(reports::folded_text(lines[i])) : short_frame_text(*lines[i].frame)) << '\n';
      if (lines.size() > n) out << fmt::format("      ... {} more frames\n", lines.size() - n);
      if (!f.ownership.empty()) out << "      note: " << printable(f.ownership) << '\n';
      // What follows from it, one line each, under it.
      if (auto it = follow_ons.find(f.fingerprint); it != follow_ons.end())
        for (const auto* g : it->second)
          out << fmt::format("      + follows from it: {} {}{}\n", g->kind, printable(g->message),
                             g->count > 1 ? fmt::format(" (x{})", g->count) : "");
    }
  }
  if (options.max_findings && unexpected > options.max_findings)
    out << fmt::format("  ... and {} more unexpected findings (every one is in results.json and the reports)\n",
                       unexpected - options.max_findings);
  write_third_party(bugs, out, options);
  write_allocator_hint(bugs, out);
  // A build or tool failure once per feature and message, with the tools it hit (one compile error
  // fails the feature under every tool of that flavour, and the plain flavour serves three).
  std::vector<std::pair<const model::JobResult*, std::vector<std::string_view>>> failures;
  for (const auto& job : summary.jobs) {
    if (job.outcome != model::JobOutcome::build_failed && job.outcome != model::JobOutcome::tool_failed) continue;
    auto same = std::find_if(failures.begin(), failures.end(), [&](const auto& e) {
      return e.first->suite == job.suite && e.first->feature == job.feature && e.first->outcome == job.outcome &&
             e.first->message == job.message && e.first->log == job.log;
    });
    if (same == failures.end())
      failures.push_back({&job, {model::name(job.tool)}});
    else
      same->second.push_back(model::name(job.tool));
  }
  for (const auto& [job, tools] : failures) {
    out << fmt::format("\n{} {}/{} [{}]: {}\n", model::to_string(job->outcome), job->suite, job->feature, fmt::join(tools, ", "),
                       printable(job->message));
    if (!job->log.empty()) {
      std::string_view log = job->log;
      if (log.size() > 2000) log = log.substr(0, 2000);
      out << harness::util::printable(log, true) << (log.back() == '\n' ? "" : "\n");
    }
  }
  for (const auto& job : summary.jobs) {
    for (const auto& e : job.unmatched_expectations)
      out << fmt::format("  note: {}/{} [{}]: expected {} is no longer found\n", job.suite, job.feature, model::name(job.tool),
                         printable(e));
  }
  for (const auto& s : summary.suppressions)
    if (s.matched == 0 && s.source.rfind("<default>", 0) != 0)
      out << fmt::format("  note: suppression '{}' ({}) matched nothing\n", printable(s.name), printable(s.source));
  const int code = model::exit_code(summary);
  if (summary.processes || summary.cached)
    out << fmt::format("\nRan {} tool process{} ({} batch{}, {} re-run{} alone); {} job{} from the result cache{}.",
                       summary.processes, summary.processes == 1 ? "" : "es", summary.batches, summary.batches == 1 ? "" : "es",
                       summary.reruns, summary.reruns == 1 ? "" : "s", summary.cached, summary.cached == 1 ? "" : "s",
                       summary.cache_damaged ? fmt::format(" ({} damaged entr{} ignored)", summary.cache_damaged,
                                                           summary.cache_damaged == 1 ? "y" : "ies")
                                             : "");
  if (summary.cache_evicted)
    out << fmt::format("\nThe result cache was over its bound (--cache-max-size): its {} least recently used file{} removed.",
                       summary.cache_evicted, summary.cache_evicted == 1 ? " was" : "s were");
  if (summary.processes && !summary.sandbox.empty())
    out << fmt::format("\nThe code under test ran in a sandbox ({}): read-only but for its job folder, no network.",
                       summary.sandbox);
  else if (summary.processes && !summary.sandbox_reason.empty())
    out << fmt::format("\nThe code under test ran without a sandbox: {}.", printable(summary.sandbox_reason));
  // Skipped jobs are said, and those of features not written yet apart: a PASS that checked
  // nothing there must not read as a PASS that did.
  const auto skipped_text = skipped == 0
                                ? std::string()
                                : fmt::format(", {} skipped{}", skipped, todo ? fmt::format(" ({} not written yet)", todo) : "");
  out << fmt::format("\n{} jobs, {} failed, {} unexpected finding{}{}. ", summary.jobs.size(), failed_jobs, unexpected,
                     unexpected == 1 ? "" : "s", skipped_text);
  switch (code) {
    case 0:
      out << paint(options.color, "32;1", "PASS") << " (exit 0)\n";
      break;
    case 1:
      out << paint(options.color, "31;1", "FAIL") << " (exit 1: unexpected findings or failed jobs)\n";
      break;
    case 2:
      out << paint(options.color, "31;1", "BAD INPUT") << " (exit 2: the spec names what this machine does not have)\n";
      break;
    case 3:
      out << paint(options.color, "33;1", "INFRASTRUCTURE") << " (exit 3: a tool is missing or could not start)\n";
      break;
    default:
      out << "INTERRUPTED (exit " << code << "; results so far were written)\n";
      break;
  }
}

}  // namespace reports
