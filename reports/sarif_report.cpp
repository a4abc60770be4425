#include "reports/sarif_report.hpp"
#include "harness/util/interrupt.hpp"

#include "harness/aggregate/bugs.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/json_writer.hpp"
#include "harness/util/text.hpp"
#include "reports/finding_text.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace reports {
using harness::util::JsonWriter;
namespace model = harness::model;

namespace {

std::string describe_kind(std::string_view kind) {
  static const std::map<std::string_view, std::string_view> k_text = {
      {"leak.definite", "Memory is allocated and no pointer to it remains: it can never be freed."},
      {"leak.indirect", "Memory reachable only from leaked blocks: it leaks with them."},
      {"leak.possible", "Only interior pointers to the block remain; it is probably leaked."},
      {"leak.reachable", "Memory still pointed to at exit but never freed."},
      {"mem.invalid_read", "A read outside any valid allocation (overflow, use after free)."},
      {"mem.invalid_write", "A write outside any valid allocation (overflow, use after free)."},
      {"mem.uninit", "A decision or system call depends on uninitialised memory."},
      {"mem.invalid_free", "A free of memory that is not allocated (double free, bad pointer)."},
      {"mem.mismatched_free", "Memory released with a function that does not match its allocation."},
      {"mem.overlap", "A copy between overlapping source and destination."},
      {"race.data", "Two threads access the same memory without synchronisation, at least one writing."},
      {"race.lock_order", "Locks taken in inconsistent orders: a potential deadlock."},
      {"fd.leak", "A file descriptor opened and never closed."},
      {"crash.signal", "The program died of a signal."},
  };
  if (auto it = k_text.find(kind); it != k_text.end()) return std::string(it->second);
  if (harness::util::starts_with(kind, "ub.")) return fmt::format("Undefined behaviour: {}.", kind.substr(3));
  return fmt::format("Sohound finding of kind {}.", kind);
}

// A rule's name for people, distinct from its id as SARIF asks: "leak.definite" -> "LeakDefinite",
// "ub.signed-integer-overflow" -> "UbSignedIntegerOverflow".
std::string rule_name(std::string_view kind) {
  std::string name;
  bool upper = true;
  for (char c : kind) {
    if (c == '.' || c == '_' || c == '-') {
      upper = true;
      continue;
    }
    name += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return name;
}

// Where a frame is: a physical location (relative to SRCROOT) only for a file that exists under the
// source root, so code scanning never points at a path that exists nowhere (glibc's
// "./libio/./libio/ioputs.c", a build machine's paths) or at Sohound's generated runtime; the
// function as a logical location always. Decided once per file.
class Locator {
 public:
  explicit Locator(const ReportOptions& options)
      : m_root(options.source_root),
        m_exists(options.file_exists ? options.file_exists : std::function<bool(const std::string&)>(regular_file_exists)) {}

  void write(JsonWriter& w, const model::Frame& frame) {
    w.begin_object();
    if (const auto* relative = physical(frame.file)) {
      w.key("physicalLocation").begin_object().key("artifactLocation").begin_object();
      w.field("uri", *relative).field("uriBaseId", "SRCROOT");
      w.end_object();
      if (frame.line > 0) w.key("region").begin_object().field("startLine", frame.line).end_object();
      w.end_object();
    }
    const auto name = frame.function.empty() ? frame.object : frame_function(frame);
    if (!name.empty())
      w.key("logicalLocations").begin_array().begin_object().field("fullyQualifiedName", name).end_object().end_array();
    if (frame.restored) w.key("message").begin_object().field("text", k_restored_frame_text).end_object();
    w.end_object();
  }

  bool locatable(const model::Frame& frame) { return physical(frame.file) != nullptr; }

 private:
  // The path relative to the source root, or null when the frame gets no physical location.
  const std::string* physical(const std::string& file) {
    if (file.empty() || file.front() != '/' || m_root.empty()) return nullptr;
    auto it = m_relative.find(file);
    if (it == m_relative.end()) {
      auto relative = relative_to(file, m_root);
      const bool ok = relative != file && file.find("/sohound_rt") == std::string::npos && m_exists(file);
      it = m_relative.emplace(file, ok ? std::optional<std::string>(std::move(relative)) : std::nullopt).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  std::string m_root;
  std::function<bool(const std::string&)> m_exists;
  std::unordered_map<std::string, std::optional<std::string>> m_relative;
};

void write_stack(JsonWriter& w, Locator& locator, std::string_view message, const std::vector<model::Frame>& frames) {
  w.begin_object();
  w.key("message").begin_object().field("text", message.empty() ? std::string_view("stack") : message).end_object();
  w.key("frames").begin_array();
  for (std::size_t i = 0; i < frames.size() && i < k_sarif_max_frames; ++i) {
    w.begin_object().key("location");
    locator.write(w, frames[i]);
    w.end_object();
  }
  w.end_array().end_object();
}

}  // namespace

void write_sarif(const model::RunSummary& summary, std::ostream& out, const ReportOptions& options) {
  write_sarif(summary, harness::aggregate::collect_bugs(summary), out, options);
}

void write_sarif(const model::RunSummary& summary, const std::vector<harness::aggregate::Bug>& bugs, std::ostream& out,
                 const ReportOptions& options) {
  // The first finding of each bug, for its stacks.
  std::unordered_map<std::string, const model::Finding*> first;
  for (const auto& job : summary.jobs) {
    harness::util::throw_if_interrupted();  // a signal while rendering: stop (the old file stays)
    for (const auto& f : job.findings) first.emplace(f.fingerprint, &f);
  }
  std::set<std::string> kinds;
  for (const auto& bug : bugs) kinds.insert(bug.kind);
  std::map<std::string, std::size_t> rule_index;

  JsonWriter w(out, 0);
  Locator locator(options);
  w.begin_object().field("$schema", "https://json.schemastore.org/sarif-2.1.0.json").field("version", "2.1.0");
  w.key("runs").begin_array().begin_object();
  w.key("tool")
      .begin_object()
      .key("driver")
      .begin_object()
      .field("name", "Sohound")
      .field("semanticVersion", summary.sohound_version.empty() ? std::string("0.0.0") : summary.sohound_version);
  w.key("rules").begin_array();
  for (const auto& kind : kinds) {
    rule_index[kind] = rule_index.size();
    const auto text = describe_kind(kind);
    w.begin_object().field("id", kind).field("name", rule_name(kind));
    w.key("shortDescription").begin_object().field("text", kind).end_object();
    w.key("fullDescription").begin_object().field("text", text).end_object();
    w.key("help").begin_object().field("text", text + " See the Sohound report for the stacks and the driver.").end_object();
    w.key("defaultConfiguration").begin_object().field("level", kind == "leak.reachable" ? "warning" : "error").end_object();
    w.key("properties")
        .begin_object()
        .key("tags")
        .begin_array()
        .value("sohound")
        .value(kind.substr(0, kind.find('.')))
        .end_array()
        .end_object();
    w.end_object();
  }
  w.end_array().end_object().end_object();  // rules, driver, tool
  w.key("automationDetails").begin_object().field("id", "sohound/").end_object();
  if (!options.source_root.empty())
    w.key("originalUriBaseIds")
        .begin_object()
        .key("SRCROOT")
        .begin_object()
        .field("uri", "file://" + options.source_root + "/")
        .end_object()
        .end_object();
  // A partial merge (--allow-partial) did not check everything: said as the invocation's notifications.
  w.key("invocations")
      .begin_array()
      .begin_object()
      .field("executionSuccessful", model::exit_code(summary) != 3 && !model::is_partial(summary));
  // Whether the code under test ran sandboxed (docs/results.md, "The sandbox").
  w.key("properties")
      .begin_object()
      .field("sandbox", summary.sandbox)
      .field("sandboxReason", summary.sandbox_reason)
      .end_object();
  if (model::is_partial(summary)) {
    w.key("toolExecutionNotifications").begin_array();
    for (const auto& problem : summary.merge->problems)
      w.begin_object()
          .field("level", "warning")
          .key("message")
          .begin_object()
          .field("text", "partial results: " + problem)
          .end_object()
          .end_object();
    w.end_array();
  }
  w.end_object().end_array();

  w.key("results").begin_array();
  std::size_t written = 0;
  for (const auto& bug : bugs) {
    if (written++ == k_sarif_max_results) break;
    const auto* f = first.at(bug.fingerprint);
    std::set<std::string> features, tools;
    for (const auto& o : bug.occurrences) {
      features.insert(o.suite + "/" + o.feature);
      tools.insert(std::string(model::name(o.tool)));
    }
    // A third-party race (aggregate/ownership) is a note: reported, attributed, not the user's to fix.
    const bool third_party = bug.status == model::FindingStatus::third_party;
    w.begin_object()
        .field("ruleId", bug.kind)
        .field("ruleIndex", static_cast<unsigned long>(rule_index[bug.kind]))
        .field("level", third_party                                ? "note"
                        : bug.severity == model::Severity::warning ? "warning"
                                                                   : "error");
    auto text = fmt::format("{}: {} (features: {}; tools: {})", bug.kind, bug.message,
                            harness::util::join({features.begin(), features.end()}, ", "),
                            harness::util::join({tools.begin(), tools.end()}, ", "));
    if (third_party) text = fmt::format("Third-party race in {}. {}", bug.owner, text);
    if (!bug.ownership.empty()) text += " " + bug.ownership;
    // A leaked coroutine frame is titled as one; a race between coroutines names them.
    if (const auto title = coroutine_title(*f); !title.empty()) text = fmt::format("{}: {}", title, text);
    if (const auto coro = coroutine_text(*f); !coro.empty()) text += fmt::format(" Coroutine: {}.", coro);
    w.key("message").begin_object().field("text", text).end_object();
    if (!bug.owner.empty())
      w.key("properties")
          .begin_object()
          .field("sohoundStatus", model::to_string(bug.status))
          .field("owner", bug.owner)
          .end_object();
    w.key("partialFingerprints").begin_object().field("sohoundFingerprint/v2", bug.fingerprint).end_object();
    w.field("baselineState", bug.status == model::FindingStatus::baseline ? "unchanged" : "new");
    w.key("locations").begin_array();
    // The result's location: the first frame of code the user has (a file under the source root),
    // else the first frame that is not an allocator or runtime, as a logical location.
    const auto stack = user_stack(f->stack);
    const model::Frame* where = nullptr;
    for (const auto& frame : stack)
      if (!where && !harness::aggregate::is_runtime_frame(frame) && !frame.scheduler && locator.locatable(frame)) where = &frame;
    if (!where) where = locating_frame(*f);
    if (where)
      locator.write(w, *where);
    else if (!stack.empty())
      locator.write(w, stack.front());
    else
      w.begin_object()
          .key("logicalLocations")
          .begin_array()
          .begin_object()
          .field("fullyQualifiedName", bug.kind)
          .end_object()
          .end_array()
          .end_object();
    w.end_array();
    if (!stack.empty()) {
      // The primary stack as a code flow, outermost first (GitHub shows it as a path).
      w.key("codeFlows")
          .begin_array()
          .begin_object()
          .key("threadFlows")
          .begin_array()
          .begin_object()
          .key("locations")
          .begin_array();
      const auto n = std::min(stack.size(), k_sarif_max_frames);
      for (std::size_t i = n; i-- > 0;) {
        w.begin_object().key("location");
        locator.write(w, stack[i]);
        w.end_object();
      }
      w.end_array().end_object().end_array().end_object().end_array();
      w.key("stacks").begin_array();
      write_stack(w, locator, f->message, stack);
      for (const auto& aux : f->aux_stacks)
        if (!aux.frames.empty()) write_stack(w, locator, aux.label, user_stack(aux.frames));
      w.end_array();
    }
    if (bug.status == model::FindingStatus::suppressed || bug.status == model::FindingStatus::expected) {
      w.key("suppressions")
          .begin_array()
          .begin_object()
          .field("kind", "external")
          .field("justification", bug.status == model::FindingStatus::expected ? "expected by the Sohound spec"
                                                                               : "suppressed by a Sohound suppression")
          .end_object()
          .end_array();
    }
    w.end_object();
  }
  w.end_array().end_object().end_array().end_object();
  w.flush();
  out << '\n';
}

}  // namespace reports
