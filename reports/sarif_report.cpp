#include "reports/sarif_report.hpp"

#include "harness/aggregate/bugs.hpp"
#include "harness/util/text.hpp"
#include "reports/finding_text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace reports {
using nlohmann::json;
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

json location(const model::Frame& frame, const ReportOptions& options) {
  json loc = json::object();
  if (!frame.file.empty()) {
    const auto rel = relative_to(frame.file, options.source_root);
    json artifact = {{"uri", rel}};
    if (rel != frame.file) artifact["uriBaseId"] = "SRCROOT";
    else artifact["uri"] = "file://" + frame.file;
    json physical = {{"artifactLocation", artifact}};
    if (frame.line > 0) physical["region"] = {{"startLine", frame.line}};
    loc["physicalLocation"] = physical;
  }
  if (!frame.function.empty()) loc["logicalLocations"] = json::array({{{"fullyQualifiedName", frame.function}}});
  return loc;
}

json stack(const std::string& message, const std::vector<model::Frame>& frames, const ReportOptions& options) {
  json out = json::array();
  for (std::size_t i = 0; i < frames.size() && i < k_sarif_max_frames; ++i)
    out.push_back({{"location", location(frames[i], options)}});
  return {{"message", {{"text", message.empty() ? "stack" : message}}}, {"frames", out}};
}

}  // namespace

void write_sarif(const model::RunSummary& summary, std::ostream& out, const ReportOptions& options) {
  const auto bugs = harness::aggregate::collect_bugs(summary);
  // The first finding of each bug, for its stacks.
  std::map<std::string, const model::Finding*> first;
  for (const auto& job : summary.jobs)
    for (const auto& f : job.findings) first.emplace(f.fingerprint, &f);

  std::set<std::string> kinds;
  for (const auto& bug : bugs) kinds.insert(bug.kind);
  json rules = json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& kind : kinds) {
    rule_index[kind] = rules.size();
    const auto text = describe_kind(kind);
    rules.push_back({{"id", kind},
                     {"name", kind},
                     {"shortDescription", {{"text", kind}}},
                     {"fullDescription", {{"text", text}}},
                     {"help", {{"text", text + " See the Sohound report for the stacks and the driver."}}},
                     {"defaultConfiguration", {{"level", kind == "leak.reachable" ? "warning" : "error"}}},
                     {"properties", {{"tags", json::array({"sohound", kind.substr(0, kind.find('.'))})}}}});
  }

  json results = json::array();
  for (const auto& bug : bugs) {
    if (results.size() == k_sarif_max_results) break;
    const auto* f = first.at(bug.fingerprint);
    std::set<std::string> features, tools;
    for (const auto& o : bug.occurrences) {
      features.insert(o.suite + "/" + o.feature);
      tools.insert(std::string(model::name(o.tool)));
    }
    json result = {
        {"ruleId", bug.kind},
        {"ruleIndex", rule_index[bug.kind]},
        {"level", bug.severity == model::Severity::warning ? "warning" : "error"},
        {"message",
         {{"text", harness::util::sanitize_utf8(fmt::format("{}: {} (features: {}; tools: {})", bug.kind, bug.message,
                                                            harness::util::join({features.begin(), features.end()}, ", "),
                                                            harness::util::join({tools.begin(), tools.end()}, ", ")))}}},
        {"partialFingerprints", {{"sohoundFingerprint/v1", bug.fingerprint}}},
        {"baselineState", bug.status == model::FindingStatus::baseline ? "unchanged" : "new"},
    };
    json locations = json::array();
    if (const auto* frame = locating_frame(*f)) locations.push_back(location(*frame, options));
    else if (!f->stack.empty()) locations.push_back(location(f->stack.front(), options));
    else locations.push_back({{"logicalLocations", json::array({{{"fullyQualifiedName", bug.kind}}})}});
    result["locations"] = locations;
    if (!f->stack.empty()) {
      json flow = json::array();  // outermost first, as GitHub shows a path
      const auto n = std::min(f->stack.size(), k_sarif_max_frames);
      for (std::size_t i = n; i-- > 0;) flow.push_back({{"location", location(f->stack[i], options)}});
      result["codeFlows"] = json::array({{{"threadFlows", json::array({{{"locations", flow}}})}}});
      json stacks = json::array({stack(f->message, f->stack, options)});
      for (const auto& aux : f->aux_stacks)
        if (!aux.frames.empty()) stacks.push_back(stack(aux.label, aux.frames, options));
      result["stacks"] = stacks;
    }
    if (bug.status == model::FindingStatus::suppressed || bug.status == model::FindingStatus::expected) {
      result["suppressions"] = json::array(
          {{{"kind", "external"},
            {"justification", bug.status == model::FindingStatus::expected ? "expected by the Sohound spec"
                                                                           : "suppressed by a Sohound suppression"}}});
    }
    results.push_back(std::move(result));
  }
  json run = {{"tool", {{"driver", {{"name", "Sohound"}, {"semanticVersion", summary.sohound_version.empty() ? "0.0.0" : summary.sohound_version},
                                    {"rules", rules}}}}},
              {"automationDetails", {{"id", "sohound/"}}},
              {"results", results},
              {"invocations", json::array({{{"executionSuccessful", model::exit_code(summary) != 3}}})}};
  if (!options.source_root.empty())
    run["originalUriBaseIds"] = {{"SRCROOT", {{"uri", "file://" + options.source_root + "/"}}}};
  const json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", json::array({run})}};
  out << log.dump(1, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace reports
