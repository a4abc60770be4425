#include "harness/aggregate/root_cause.hpp"
#include "harness/aggregate/suppress.hpp"
#include "harness/cli/commands.hpp"
#include "harness/model/tool.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"
#include "reports/results_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

namespace harness::cli {

namespace {

bool any_glob(const std::vector<std::string>& globs, std::initializer_list<std::string_view> values) {
  if (globs.empty()) return true;
  for (const auto& g : globs)
    for (auto v : values)
      if (util::glob_match(g, v)) return true;
  return false;
}

bool selected(const SuppressionsOptions& o, const model::JobResult& job, const model::Finding& finding) {
  return any_glob(o.features, {job.suite + "/" + job.feature, job.feature}) && any_glob(o.kinds, {finding.kind}) &&
         any_glob(o.tools, {model::name(job.tool)}) && any_glob(o.fingerprints, {finding.fingerprint});
}

}  // namespace

// Reads results.json (validated: types, depth, syntax position) and suggests an entry per failing
// finding the filters select.
int suppressions_command(const SuppressionsOptions& options) {
  const auto& results = options.results;
  const auto& out = options.out;
  auto summary = reports::read_results(results);
  if (!summary) {
    fmt::print(stderr, "{}\n", summary.error().message);
    return k_exit_usage;
  }
  // One entry per (kind, frames): the same bug seen by several tools becomes one entry listing them.
  struct Entry {
    model::Suppression suppression;
    std::string fingerprint;
    std::set<std::string> seen_in;       // suite/feature
    std::set<std::string> fingerprints;  // of every finding it would hide
  };
  std::vector<Entry> entries;
  for (const auto& job : summary->jobs) {
    for (const auto& finding : job.findings) {
      if (!aggregate::is_failing(finding)) continue;  // what fails the run: new, error, a root
      if (!selected(options, job, finding)) continue;
      auto s = aggregate::suggest_suppression(finding, job.tool);
      auto same = std::find_if(entries.begin(), entries.end(),
                               [&](const Entry& e) { return e.suppression.kind == s.kind && e.suppression.frames == s.frames; });
      if (same == entries.end()) {
        entries.push_back({std::move(s), finding.fingerprint, {}, {}});
        same = entries.end() - 1;
      } else if (std::find(same->suppression.tools.begin(), same->suppression.tools.end(), job.tool) ==
                 same->suppression.tools.end()) {
        same->suppression.tools.push_back(job.tool);
      }
      same->seen_in.insert(job.suite + "/" + job.feature);
      same->fingerprints.insert(finding.fingerprint);
    }
  }
  YAML::Emitter yaml;
  yaml << YAML::Comment("Suggested by `sohound suppressions`: review each entry and give it a reason.");
  yaml << YAML::BeginMap << YAML::Key << "suppressions" << YAML::Value << YAML::BeginSeq;
  for (const auto& e : entries) {
    const auto& s = e.suppression;
    std::vector<std::string> tools;
    for (auto t : s.tools) tools.emplace_back(model::name(t));
    yaml << YAML::BeginMap;
    yaml << YAML::Key << "name" << YAML::Value << fmt::format("{}-{}", s.kind, e.fingerprint);
    yaml << YAML::Key << "kind" << YAML::Value << s.kind;
    yaml << YAML::Key << "tools" << YAML::Value << YAML::Flow << tools;
    yaml << YAML::Key << "frames" << YAML::Value << YAML::Flow << s.frames;
    yaml << YAML::Key << "reason" << YAML::Value
         << fmt::format("TODO: why this is not a bug (seen in {})", fmt::join(e.seen_in, ", "));
    yaml << YAML::EndMap;
    // One entry over several features or fingerprints may hide more than one bug: say so.
    if (e.seen_in.size() > 1 || e.fingerprints.size() > 1)
      fmt::print(stderr,
                 "sohound: warning: suggested suppression {}-{} would hide {} finding{} of {} feature{} ({}); check "
                 "that each is the same harmless report before adding it, or narrow its frames\n",
                 s.kind, e.fingerprint, e.fingerprints.size(), e.fingerprints.size() == 1 ? "" : "s", e.seen_in.size(),
                 e.seen_in.size() == 1 ? "" : "s", fmt::join(e.seen_in, ", "));
  }
  yaml << YAML::EndSeq << YAML::EndMap;
  const auto written = entries.size();
  std::string body = std::string(yaml.c_str()) + "\n";
  if (out.empty()) {
    std::fwrite(body.data(), 1, body.size(), stdout);
  } else if (!util::write_file(out, body)) {
    fmt::print(stderr, "{}: cannot write\n", out);
    return k_exit_infrastructure;
  }
  const bool filtered =
      !options.features.empty() || !options.kinds.empty() || !options.tools.empty() || !options.fingerprints.empty();
  fmt::print(stderr, "{} suppression{} suggested{}\n", written, written == 1 ? "" : "s",
             filtered && written == 0 ? fmt::format(": no failing finding of {} matches the filters", results) : "");
  return k_exit_ok;
}

}  // namespace harness::cli
