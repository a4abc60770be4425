#include "reports/html_report.hpp"

#include "harness/aggregate/bugs.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <random>
#include <sys/stat.h>
#include <unordered_map>

namespace sohound_html {
std::string_view file(std::string_view name);
}

namespace reports {
using nlohmann::json;
namespace model = harness::model;

namespace {

constexpr std::size_t k_snippet_context = 3;            // lines around the frame's line
constexpr std::size_t k_max_frames_per_stack = 40;
constexpr std::size_t k_max_source_bytes = 4u << 20;    // larger files are not read for snippets
constexpr std::size_t k_max_snippets = 20000;

// Reads each source file once and cuts snippets from it.
class SnippetReader {
 public:
  explicit SnippetReader(bool enabled) : m_enabled(enabled) {}

  // The key of a snippet for file:line in `snippets`, reading it on first use; "" when unavailable.
  std::string snippet(const std::string& file, int line, json& snippets) {
    if (!m_enabled || file.empty() || line <= 0 || file.front() != '/') return {};
    auto key = fmt::format("{}:{}", file, line);
    if (snippets.contains(key)) return key;
    if (m_count >= k_max_snippets) return {};
    const auto* lines = load(file);
    if (!lines || static_cast<std::size_t>(line) > lines->size()) return {};
    const auto first = static_cast<std::size_t>(line) > k_snippet_context ? static_cast<std::size_t>(line) - k_snippet_context : 1;
    const auto last = std::min(lines->size(), static_cast<std::size_t>(line) + k_snippet_context);
    json text = json::array();
    for (auto i = first; i <= last; ++i) text.push_back(harness::util::sanitize_utf8((*lines)[i - 1]));
    snippets[key] = {{"start", first}, {"lines", text}};
    ++m_count;
    return key;
  }

 private:
  const std::vector<std::string>* load(const std::string& file) {
    auto it = m_files.find(file);
    if (it != m_files.end()) return it->second ? &*it->second : nullptr;
    struct stat st {};
    std::string text;
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > k_max_source_bytes ||
        !harness::util::read_file(file, text)) {
      m_files.emplace(file, std::nullopt);
      return nullptr;
    }
    std::vector<std::string> lines;
    for (auto l : harness::util::split_lines(text)) lines.emplace_back(l);
    return &*m_files.emplace(file, std::move(lines)).first->second;
  }

  bool m_enabled;
  std::size_t m_count = 0;
  std::unordered_map<std::string, std::optional<std::vector<std::string>>> m_files;
};

json frames_json(const std::vector<model::Frame>& frames, SnippetReader& reader, json& snippets) {
  json out = json::array();
  for (std::size_t i = 0; i < frames.size() && i < k_max_frames_per_stack; ++i) {
    const auto& f = frames[i];
    json frame = {f.function, f.file, f.line, f.object};
    const auto key = reader.snippet(f.file, f.line, snippets);
    frame.push_back(key);
    out.push_back(std::move(frame));
  }
  return out;
}

// JSON inside <script type="application/json">: no "<", ">" or "&" may appear raw, so neither
// "</script>" nor "<!--" can end or change the block; JSON.parse reads the escapes back.
std::string script_safe(std::string json_text) {
  std::string out;
  out.reserve(json_text.size() + 64);
  for (char c : json_text) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string make_nonce() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}", rd(), rd(), rd());
}

}  // namespace

std::string html_data(const model::RunSummary& summary, const ReportOptions& options) {
  SnippetReader reader(options.read_sources);
  json snippets = json::object();
  json drivers = json::array();
  std::map<std::string, std::size_t> driver_index;
  json jobs = json::array();
  std::map<const model::JobResult*, std::size_t> job_index;
  for (const auto& j : summary.jobs) {
    std::size_t driver = 0;
    if (!j.driver_source.empty()) {
      auto [it, inserted] = driver_index.try_emplace(j.driver_source, drivers.size() + 1);
      if (inserted) drivers.push_back(harness::util::sanitize_utf8(j.driver_source));
      driver = it->second;
    }
    json phases = json::array();
    for (const auto& p : j.phases) phases.push_back({p.name, p.start_s, p.end_s});
    job_index[&j] = jobs.size();
    jobs.push_back({{"suite", j.suite}, {"feature", j.feature}, {"tool", model::name(j.tool)},
                    {"outcome", model::to_string(j.outcome)}, {"passed", j.passed}, {"message", j.message},
                    {"duration", j.duration_s}, {"exit", j.exit_code}, {"signal", j.signal},
                    {"log", harness::util::sanitize_utf8(j.log)}, {"driver", driver},
                    {"build", j.build_command}, {"run", j.run_command}, {"dir", j.job_dir}, {"phases", phases},
                    {"notes", j.notes}, {"unmatched", j.unmatched_expectations}, {"findings", j.findings.size()}});
  }
  // Occurrences point at jobs by index; the first finding of a bug gives its stacks.
  std::unordered_map<std::string, std::pair<const model::Finding*, const model::JobResult*>> first;
  std::unordered_map<std::string, std::vector<std::size_t>> occurrence_jobs;
  for (const auto& j : summary.jobs)
    for (const auto& f : j.findings) {
      first.try_emplace(f.fingerprint, &f, &j);
      occurrence_jobs[f.fingerprint].push_back(job_index[&j]);
    }
  json bugs = json::array();
  for (const auto& bug : harness::aggregate::collect_bugs(summary)) {
    const auto* f = first.at(bug.fingerprint).first;
    json occurrences = json::array();
    const auto& at = occurrence_jobs[bug.fingerprint];
    for (std::size_t i = 0; i < bug.occurrences.size(); ++i)
      occurrences.push_back({at[i], bug.occurrences[i].count, model::to_string(bug.occurrences[i].status)});
    json aux = json::array();
    for (const auto& a : f->aux_stacks) aux.push_back({a.label, frames_json(a.frames, reader, snippets)});
    bugs.push_back({{"fp", bug.fingerprint}, {"kind", bug.kind}, {"message", bug.message},
                    {"status", model::to_string(bug.status)}, {"severity", model::to_string(bug.severity)},
                    {"bytes", f->bytes}, {"by", f->expected_by.empty() ? f->suppressed_by : f->expected_by},
                    {"stack", frames_json(f->stack, reader, snippets)}, {"aux", aux}, {"occ", occurrences}});
  }
  std::size_t passed = 0;
  for (const auto& j : summary.jobs) passed += j.passed ? 1 : 0;
  json suppressions = json::array();
  for (const auto& s : summary.suppressions) suppressions.push_back({s.name, s.source, s.matched});
  const json data = {{"meta",
                      {{"version", summary.sohound_version}, {"started", summary.started_at},
                       {"duration", summary.duration_s}, {"exit", model::exit_code(summary)},
                       {"interrupted", summary.interrupted}, {"specs", summary.specs}, {"passed", passed},
                       {"baseline", summary.baseline}}},
                     {"jobs", jobs}, {"bugs", bugs}, {"drivers", drivers}, {"snippets", snippets},
                     {"suppressions", suppressions}};
  return data.dump(-1, ' ', false, json::error_handler_t::replace);
}

void write_html(const model::RunSummary& summary, std::ostream& out, const ReportOptions& options) {
  const auto nonce = make_nonce();
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'nonce-" << nonce
      << "'; style-src 'nonce-" << nonce << "'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Sohound report</title>\n<style nonce=\"" << nonce << "\">\n"
      << sohound_html::file("report.css") << "</style>\n</head>\n<body>\n"
      << "<noscript>This report needs JavaScript; the same data is in results.json.</noscript>\n"
      << "<div id=\"app\"></div>\n<script type=\"application/json\" id=\"sohound-data\">"
      << script_safe(html_data(summary, options)) << "</script>\n<script nonce=\"" << nonce << "\">\n"
      << sohound_html::file("report.js") << "</script>\n</body>\n</html>\n";
}

}  // namespace reports
