#include "reports/html_report.hpp"

#include "harness/util/interrupt.hpp"
#include "reports/finding_text.hpp"

#include "harness/aggregate/bugs.hpp"
#include "harness/aggregate/root_cause.hpp"
#include "harness/util/files.hpp"
#include "harness/util/json_writer.hpp"
#include "harness/util/text.hpp"
#include "reports/trace_export.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <unordered_map>

namespace sohound_html {
std::string_view file(std::string_view name);
}

namespace reports {
using harness::util::JsonWriter;
namespace model = harness::model;

namespace {

constexpr std::size_t k_snippet_context = 3;  // lines around the frame's line
constexpr std::size_t k_max_frames_per_stack = 40;
constexpr std::size_t k_max_source_bytes = 4u << 20;  // larger files are not read for snippets
constexpr std::size_t k_max_snippets = 20000;

// C and C++ sources and headers, and specs (inline code): the only files snippets come from.
bool is_source_name(std::string_view file) {
  static constexpr std::string_view k_extensions[] = {".c",   ".h",   ".cc",  ".cpp", ".cxx", ".c++", ".hh",   ".hpp",
                                                      ".hxx", ".h++", ".inl", ".ipp", ".tcc", ".tpp", ".yaml", ".yml"};
  for (auto ext : k_extensions)
    if (harness::util::ends_with(file, ext)) return true;
  return false;
}

struct Snippet {
  std::size_t start = 0;
  std::vector<std::string> lines;
};

// Reads each source file once and cuts snippets from it. A frame's file name is the tool's (or a
// #line directive's) word, not a trusted path: only C/C++ sources and specs, as regular files that
// resolve under one of the snippet roots, are read (never /proc, /dev or /sys, never through a
// symbolic link out of a root), so no report can carry /proc/self/environ or a key file.
class SnippetReader {
 public:
  SnippetReader(bool enabled, const std::vector<std::string>& roots) : m_enabled(enabled) {
    for (const auto& root : roots) {
      std::error_code ec;
      auto canonical = std::filesystem::weakly_canonical(root, ec);
      if (!ec && canonical.is_absolute()) m_roots.push_back(canonical.string());
    }
  }

  // The key of a snippet for file:line, reading it on first use; "" when unavailable.
  std::string snippet(const std::string& file, int line) {
    if (!m_enabled || file.empty() || line <= 0 || file.front() != '/') return {};
    auto key = fmt::format("{}:{}", file, line);
    if (m_snippets.count(key)) return key;
    if (m_snippets.size() >= k_max_snippets) return {};
    const auto* lines = load(file);
    if (!lines || static_cast<std::size_t>(line) > lines->size()) return {};
    Snippet s;
    s.start = static_cast<std::size_t>(line) > k_snippet_context ? static_cast<std::size_t>(line) - k_snippet_context : 1;
    const auto last = std::min(lines->size(), static_cast<std::size_t>(line) + k_snippet_context);
    for (auto i = s.start; i <= last; ++i) s.lines.push_back((*lines)[i - 1]);
    m_snippets.emplace(key, std::move(s));
    return key;
  }
  const std::map<std::string, Snippet>& snippets() const { return m_snippets; }

 private:
  bool allowed(const std::string& file) const {
    if (!is_source_name(file)) return false;
    std::error_code ec;
    const auto real = std::filesystem::canonical(file, ec).string();
    if (ec) return false;
    for (std::string_view system : {"/proc/", "/dev/", "/sys/"})
      if (harness::util::starts_with(real, system)) return false;
    for (const auto& root : m_roots)
      if (real.size() > root.size() && harness::util::starts_with(real, root) && (root == "/" || real[root.size()] == '/'))
        return true;
    return false;
  }

  // A regular file on a real file system (never a FIFO or a kernel file system's file, which block
  // or never end), up to k_max_source_bytes.
  static bool read_source(const std::string& file, std::string& text) {
    const int fd = harness::util::open_regular_file(file);
    if (fd < 0) return false;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && static_cast<std::size_t>(st.st_size) <= k_max_source_bytes;
    if (ok) {
      text.resize(static_cast<std::size_t>(st.st_size));
      std::size_t got = 0;
      while (got < text.size()) {
        const auto n = ::pread(fd, text.data() + got, text.size() - got, static_cast<off_t>(got));
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      text.resize(got);
    }
    ::close(fd);
    return ok;
  }

  const std::vector<std::string>* load(const std::string& file) {
    auto it = m_files.find(file);
    if (it != m_files.end()) return it->second ? &*it->second : nullptr;
    std::string text;
    if (!allowed(file) || !read_source(file, text)) {
      m_files.emplace(file, std::nullopt);
      return nullptr;
    }
    std::vector<std::string> lines;
    for (auto l : harness::util::split_lines(text)) lines.emplace_back(l);
    return &*m_files.emplace(file, std::move(lines)).first->second;
  }

  bool m_enabled;
  std::vector<std::string> m_roots;
  std::map<std::string, Snippet> m_snippets;
  std::unordered_map<std::string, std::optional<std::vector<std::string>>> m_files;
};

// Every distinct frame once, as a compact array: [function, file, line, object, snippet key], and
// flags after them when any is set: 1 a frame Sohound restored (model::Frame::restored), 2 an event
// loop's scheduler frame (folded). A coroutine's clone is named as the coroutine (frame_function).
// Stacks are lists of indices into this table ("frames" in the page's data): the frames below a
// feature (runtime, thread start, libc) repeat in nearly every stack, and at 10,000 findings the
// table keeps the page a fraction of the size and its parse a fraction of the time.
class FrameTable {
 public:
  explicit FrameTable(SnippetReader& reader) : m_reader(reader) {}

  void write_stack(JsonWriter& w, const std::vector<model::Frame>& frames) {
    w.begin_array();
    for (std::size_t i = 0; i < frames.size() && i < k_max_frames_per_stack; ++i)
      w.value(static_cast<unsigned long>(index_of(frames[i])));
    w.end_array();
  }

  void write_table(JsonWriter& w) const {
    w.begin_array();
    for (const auto& f : m_frames) {
      w.begin_array().value(f.function).value(f.file).value(f.line).value(f.object).value(f.snippet);
      if (f.flags) w.value(f.flags);
      w.end_array();
    }
    w.end_array();
  }

 private:
  struct Row {
    std::string function, file;
    int line = 0;
    std::string object, snippet;
    int flags = 0;
  };

  std::size_t index_of(const model::Frame& f) {
    Row row{f.function.empty() ? f.function : frame_function(f), f.file, f.line, f.object, {},
            (f.restored ? 1 : 0) | (f.scheduler ? 2 : 0)};
    auto key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", row.function, row.file, row.line, row.object, row.flags);
    const auto [it, added] = m_index.try_emplace(std::move(key), m_frames.size());
    if (added) {
      row.snippet = m_reader.snippet(f.file, f.line);
      m_frames.push_back(std::move(row));
    }
    return it->second;
  }

  SnippetReader& m_reader;
  std::vector<Row> m_frames;
  std::unordered_map<std::string, std::size_t> m_index;
};

std::string make_nonce() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}", rd(), rd(), rd());
}

// The page's data, written as JSON in which "<", ">" and "&" only appear escaped, so neither
// "</script>" nor "<!--" can end or change the <script type="application/json"> block it sits in.
void write_data(const model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, const ReportOptions& options,
                std::ostream& out) {
  SnippetReader reader(options.read_sources, options.snippet_roots);
  FrameTable frames(reader);
  JsonWriter w(out, 0, true);
  std::map<std::string, std::size_t> driver_index;
  std::vector<const std::string*> drivers;
  std::size_t passed = 0;
  for (const auto& j : summary.jobs) {
    passed += j.passed ? 1 : 0;
    if (!j.driver_source.empty() && driver_index.try_emplace(j.driver_source, drivers.size() + 1).second)
      drivers.push_back(&j.driver_source);
  }
  w.begin_object();
  w.key("meta")
      .begin_object()
      .field("version", summary.sohound_version)
      .field("started", summary.started_at)
      .field("duration", summary.duration_s)
      .field("exit", model::exit_code(summary))
      .field("interrupted", summary.interrupted)
      .string_array("specs", summary.specs)
      .field("passed", static_cast<unsigned long>(passed))
      .field("baseline", summary.baseline)
      .field("partial", model::is_partial(summary))
      .field("sandbox", summary.sandbox)
      .field("sandbox_reason", summary.sandbox_reason)
      .string_array("partial_problems", summary.merge ? summary.merge->problems : std::vector<std::string>{})
      .field("shard", summary.shard.index > 0 ? fmt::format("{}/{}", summary.shard.index, summary.shard.total) : std::string())
      .end_object();
  w.key("jobs").begin_array();
  for (const auto& j : summary.jobs) {
    harness::util::throw_if_interrupted();  // a signal while rendering: stop (the old file stays)
    w.begin_object()
        .field("suite", j.suite)
        .field("feature", j.feature)
        .field("tool", model::name(j.tool))
        .field("outcome", model::to_string(j.outcome))
        .field("passed", j.passed);
    if (j.baselined) w.field("baselined", true);
    w.field("message", j.message)
        .field("duration", j.duration_s)
        .field("exit", j.exit_code)
        .field("signal", j.signal)
        .field("log", j.log)
        .field("driver", static_cast<unsigned long>(j.driver_source.empty() ? 0 : driver_index[j.driver_source]))
        .field("build", j.build_command)
        .field("run", j.run_command)
        .field("dir", j.job_dir)
        .field("sandboxed", j.sandboxed);
    w.key("phases").begin_array();
    for (const auto& p : j.phases) w.begin_array().value(p.name).value(p.start_s).value(p.end_s).end_array();
    // For the matrix: findings that fail the job, and the rest it reported (expected, suppressed,
    // in the baseline, warnings, follow-ons).
    // And what the rest are, for words that say it ("2 suppressed, 1 in the baseline").
    std::size_t failing = 0;
    std::map<std::string, unsigned long> passing_by;
    for (const auto& f : j.findings) {
      if (harness::aggregate::is_failing(f))
        ++failing;
      else if (f.status == model::FindingStatus::new_finding)
        ++passing_by[f.root.empty() ? "warning" : "follow-on"];
      else
        ++passing_by[std::string(model::to_string(f.status))];
    }
    w.end_array()
        .string_array("notes", j.notes)
        .string_array("unmatched", j.unmatched_expectations)
        .field("findings", static_cast<unsigned long>(j.findings.size()))
        .field("failing", static_cast<unsigned long>(failing));
    w.key("counts").begin_object();
    for (const auto& [status, n] : passing_by) w.field(status, n);
    w.end_object().end_object();
  }
  w.end_array();
  // Occurrences point at jobs by index; the first finding of a bug gives its stacks.
  std::unordered_map<std::string, const model::Finding*> first;
  std::unordered_map<std::string, std::vector<std::size_t>> occurrence_jobs;
  for (std::size_t ji = 0; ji < summary.jobs.size(); ++ji)
    for (const auto& f : summary.jobs[ji].findings) {
      if (!f.root.empty()) continue;  // a follow-on: listed under its root's bug
      first.try_emplace(f.fingerprint, &f);
      occurrence_jobs[f.fingerprint].push_back(ji);
    }
  w.key("bugs").begin_array();
  for (const auto& bug : bugs) {
    const auto* f = first.at(bug.fingerprint);
    w.begin_object()
        .field("fp", bug.fingerprint)
        .field("kind", bug.kind)
        .field("message", bug.message)
        .field("status", model::to_string(bug.status))
        .field("severity", model::to_string(bug.severity))
        .field("bytes", static_cast<unsigned long long>(f->bytes))
        .field("by", f->expected_by.empty() ? f->suppressed_by : f->expected_by);
    if (!bug.owner.empty()) w.field("owner", bug.owner);
    if (!bug.ownership.empty()) w.field("ownership", bug.ownership);
    if (const auto title = coroutine_title(*f); !title.empty()) w.field("title", title);
    if (const auto coro = coroutine_text(*f); !coro.empty()) w.field("coro", coro);
    // Where a reader looks first: the top frame in the user's code, with its file:line (for a
    // feature's inline code, a line of the spec) and the process that reported it.
    if (const auto* top = locating_frame(*f)) {
      w.key("top").begin_array().value(frame_function(*top)).value(top->file).value(top->line);
      if (top->restored) w.value(1);
      w.end_array();
    }
    if (!f->process.empty()) w.field("process", f->process);
    w.key("stack");
    frames.write_stack(w, f->stack);
    w.key("aux").begin_array();
    for (const auto& a : f->aux_stacks) {
      w.begin_array().value(a.label);
      frames.write_stack(w, a.frames);
      w.end_array();
    }
    w.end_array();
    w.key("occ").begin_array();
    const auto& at = occurrence_jobs[bug.fingerprint];
    for (std::size_t i = 0; i < bug.occurrences.size(); ++i)
      w.begin_array()
          .value(static_cast<unsigned long>(at[i]))
          .value(static_cast<unsigned long long>(bug.occurrences[i].count))
          .value(model::to_string(bug.occurrences[i].status))
          .end_array();
    w.end_array();
    w.key("follow").begin_array();
    for (const auto& g : bug.follow_ons)
      w.begin_array().value(g.kind).value(g.message).value(static_cast<unsigned long long>(g.count)).end_array();
    w.end_array().end_object();
  }
  w.end_array();
  w.key("frames");
  frames.write_table(w);
  w.key("drivers").begin_array();
  for (const auto* d : drivers) w.value(*d);
  w.end_array();
  w.key("snippets").begin_object();
  for (const auto& [key, s] : reader.snippets()) {
    w.key(key).begin_object().field("start", static_cast<unsigned long>(s.start)).key("lines").begin_array();
    for (const auto& line : s.lines) w.value(line);
    w.end_array().end_object();
  }
  w.end_object();
  w.key("suppressions").begin_array();
  for (const auto& s : summary.suppressions)
    w.begin_array().value(s.name).value(s.source).value(static_cast<unsigned long>(s.matched)).end_array();
  w.end_array();
  // The timeline: every span (docs/tracing.md), one group per run or shard, in lanes where spans
  // nest as they do in time. [group, lane, name, start s, end s, annotations]
  w.key("trace").begin_object();
  {
    const auto roots = span_roots(summary.spans);
    const auto lanes = span_lanes(summary.spans, roots);
    std::int64_t t0 = 0;
    for (const auto& span : summary.spans) t0 = t0 == 0 ? span.start_us : std::min(t0, span.start_us);
    std::map<std::size_t, std::size_t> group;
    w.key("groups").begin_array();
    for (std::size_t i = 0; i < summary.spans.size(); ++i)
      if (roots[i] == i) {
        group.emplace(i, group.size());
        const auto& root = summary.spans[i];
        auto label = root.name;
        if (const auto shard = root.attribute("shard"); !shard.empty()) label += " shard " + std::string(shard);
        if (const auto host = root.attribute("host"); !host.empty()) label += " on " + std::string(host);
        w.value(label);
      }
    w.end_array().key("spans").begin_array();
    for (std::size_t i = 0; i < summary.spans.size(); ++i) {
      const auto& span = summary.spans[i];
      std::string tip;
      for (const auto& [k, v] : span.attributes) tip += (tip.empty() ? "" : ", ") + k + "=" + v;
      w.begin_array()
          .value(static_cast<unsigned long>(group[roots[i]]))
          .value(lanes[i])
          .value(span.name)
          .value(static_cast<double>(span.start_us - t0) / 1e6)
          .value(static_cast<double>(span.end_us - t0) / 1e6)
          .value(tip)
          .end_array();
    }
    w.end_array();
  }
  w.end_object().end_object();
  w.flush();
}

}  // namespace

void write_html(const model::RunSummary& summary, std::ostream& out, const ReportOptions& options) {
  write_html(summary, harness::aggregate::collect_bugs(summary), out, options);
}

void write_html(const model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out,
                const ReportOptions& options) {
  const auto nonce = make_nonce();
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'nonce-" << nonce
      << "'; style-src 'nonce-" << nonce << "'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Sohound report</title>\n<style nonce=\"" << nonce << "\">\n"
      << sohound_html::file("report.css") << "</style>\n</head>\n<body>\n"
      << "<noscript>This report needs JavaScript; the same data is in results.json.</noscript>\n"
      << "<div id=\"app\"></div>\n<script type=\"application/json\" id=\"sohound-data\">";
  write_data(summary, bugs, options, out);
  out << "</script>\n<script nonce=\"" << nonce << "\">\n" << sohound_html::file("report.js") << "</script>\n</body>\n</html>\n";
}

}  // namespace reports
