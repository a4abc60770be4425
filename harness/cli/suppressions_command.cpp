#include "harness/aggregate/suppress.hpp"
#include "harness/cli/commands.hpp"
#include "harness/model/tool.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <set>

namespace harness::cli {

// Reads results.json back into just what a suggestion needs: kind, tool and the primary stack.
int suppressions_command(const std::string& results, const std::string& out) {
  std::string text;
  if (!util::read_file(results, text)) {
    fmt::print(stderr, "{}: cannot read\n", results);
    return k_exit_usage;
  }
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || json.value("schema", "") != "sohound.results/1") {
    fmt::print(stderr, "{}: not a Sohound results.json (schema sohound.results/1)\n", results);
    return k_exit_usage;
  }
  YAML::Emitter yaml;
  yaml << YAML::Comment("Suggested by `sohound suppressions`: review each entry and give it a reason.");
  yaml << YAML::BeginMap << YAML::Key << "suppressions" << YAML::Value << YAML::BeginSeq;
  std::set<std::string> seen;
  std::size_t written = 0;
  for (const auto& job : json["jobs"]) {
    const auto tool = model::tool_from_name(job.value("tool", ""));
    if (!tool) continue;
    for (const auto& f : job["findings"]) {
      if (f.value("status", "") != "new") continue;
      model::Finding finding;
      finding.kind = f.value("kind", "");
      for (const auto& frame : f["stack"])
        finding.stack.push_back({frame.value("function", ""), frame.value("file", ""), frame.value("line", 0),
                                 frame.value("object", "")});
      const auto s = aggregate::suggest_suppression(finding, *tool);
      const auto key = fmt::format("{}|{}|{}", s.kind, model::name(*tool), util::join(s.frames, "|"));
      if (!seen.insert(key).second) continue;
      yaml << YAML::BeginMap;
      yaml << YAML::Key << "name" << YAML::Value
           << fmt::format("{}-{}-{}", model::name(*tool), finding.kind, f.value("fingerprint", ""));
      yaml << YAML::Key << "kind" << YAML::Value << s.kind;
      yaml << YAML::Key << "tools" << YAML::Value << YAML::Flow << YAML::BeginSeq << std::string(model::name(*tool))
           << YAML::EndSeq;
      yaml << YAML::Key << "frames" << YAML::Value << YAML::Flow << s.frames;
      yaml << YAML::Key << "reason" << YAML::Value
           << fmt::format("TODO: why this is not a bug (seen in {}/{})", job.value("suite", ""), job.value("feature", ""));
      yaml << YAML::EndMap;
      ++written;
    }
  }
  yaml << YAML::EndSeq << YAML::EndMap;
  std::string body = std::string(yaml.c_str()) + "\n";
  if (out.empty()) {
    std::fwrite(body.data(), 1, body.size(), stdout);
  } else if (!util::write_file(out, body)) {
    fmt::print(stderr, "{}: cannot write\n", out);
    return k_exit_infrastructure;
  }
  fmt::print(stderr, "{} suppression{} suggested\n", written, written == 1 ? "" : "s");
  return k_exit_ok;
}

}  // namespace harness::cli
