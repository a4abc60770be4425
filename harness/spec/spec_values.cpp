// The typed values every key uses: strings, lists, counts, seconds, tools, snippets, paths.
#include "harness/model/kinds.hpp"
#include "harness/spec/loader.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include <unistd.h>

namespace harness::spec::detail {
namespace fs = std::filesystem;

void Loader::walk_map(const YAML::Node& node, std::string_view what, const std::vector<KeyHandler>& keys) {
  std::vector<std::string_view> names;
  for (const auto& k : keys) names.push_back(k.key);
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: `it->` yields a temporary proxy (a reference dangled; found by fuzzing)
    if (!key.IsScalar()) {
      error(key, fmt::format("{} keys must be plain names", what));
      continue;
    }
    const auto name = key.Scalar();
    if (!seen.insert(name).second) {
      error(key, fmt::format("duplicate key '{}'", name));
      continue;
    }
    const KeyHandler* handler = nullptr;
    for (const auto& k : keys)
      if (k.key == name) handler = &k;
    if (!handler) {
      const auto suggestion = util::closest_match(name, names);
      if (suggestion.empty())
        error(key, fmt::format("unknown key '{}' in {}; expected one of: {}", name, what, fmt::join(names, ", ")));
      else
        error(key, fmt::format("unknown key '{}' in {}; did you mean '{}'?", name, what, suggestion));
      continue;
    }
    handler->handle(key, it->second);
  }
}

bool Loader::is_string(const YAML::Node& node, std::string_view key) {
  if (node.IsScalar()) return true;
  if (node.IsNull()) {
    // `null`, `~` and an empty value all mean "nothing" in YAML; a user who meant the word must quote it.
    error(node, fmt::format("'{}' must be a string, not empty (YAML reads null, ~ and nothing as empty; quote "
                            "the word to mean it: \"null\")",
                            key));
    return false;
  }
  error(node, fmt::format("'{}' must be a string, not {}", key, yaml_type(node)));
  return false;
}

std::optional<std::string> Loader::get_string(const YAML::Node& node, std::string_view key) {
  if (!is_string(node, key)) return std::nullopt;
  return node.Scalar();
}

std::optional<int> Loader::get_count(const YAML::Node& node, std::string_view key, int min, int max) {
  int value = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, value)) {
    error(node, fmt::format("'{}' must be a whole number", key));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(node, fmt::format("'{}' must be between {} and {}, not {}", key, min, max, value));
    return std::nullopt;
  }
  return value;
}

bool Loader::get_flag(const YAML::Node& node, std::string_view key) {
  bool b = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, b)) error(node, fmt::format("'{}' must be true or false", key));
  return b;
}

std::optional<double> Loader::get_seconds(const YAML::Node& node, std::string_view key) {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !(value > 0)) {
    error(node, fmt::format("'{}' must be a positive number of seconds", key));
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> Loader::get_string_list(const YAML::Node& node, std::string_view key,
                                                 std::vector<SourcePos>* positions) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    if (positions) positions->push_back(pos(node));
    return out;
  }
  if (!node.IsSequence()) {
    error(node, fmt::format("'{}' must be a string or a list of strings, not {}", key, yaml_type(node)));
    return out;
  }
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      error(item, fmt::format("items of '{}' must be strings, not {}", key, yaml_type(item)));
      continue;
    }
    out.push_back(item.Scalar());
    if (positions) positions->push_back(pos(item));
  }
  return out;
}

std::vector<std::string> Loader::get_list(const YAML::Node& node, std::string_view key, std::string_view what) {
  if (!node.IsNull() && !node.IsSequence()) {
    error(node, fmt::format("'{}' must be a list of {} ([a, b] or one '- item' per line), not {}", key, what, yaml_type(node)));
    return {};
  }
  return get_string_list(node, key);
}

std::vector<std::pair<YAML::Node, YAML::Node>> Loader::scalar_map(const YAML::Node& node, std::string_view key,
                                                                  std::string_view shape) {
  std::vector<std::pair<YAML::Node, YAML::Node>> out;
  if (node.IsNull()) return out;
  if (!node.IsMap()) {
    error(node, fmt::format("'{}' must be a mapping of {}", key, shape));
    return out;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar() || !it->second.IsScalar()) {
      error(it->first, fmt::format("'{}' entries must be {}", key, shape));
      continue;
    }
    out.emplace_back(it->first, it->second);
  }
  return out;
}

std::map<std::string, std::string> Loader::get_env(const YAML::Node& node, std::string_view key) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : scalar_map(node, key, "NAME: value")) out[name.Scalar()] = value.Scalar();
  return out;
}

std::optional<std::vector<model::Tool>> Loader::get_tools(const YAML::Node& node, std::string_view key) {
  std::vector<SourcePos> positions;
  const auto names = get_string_list(node, key, &positions);
  std::vector<model::Tool> tools;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (auto tool = model::tool_from_name(names[i])) {
      tools.push_back(*tool);
      continue;
    }
    const auto suggestion = util::closest_match(names[i], model::tool_names());
    m_diag.error(positions[i], suggestion.empty() ? fmt::format("unknown tool '{}'; expected one of: {}", names[i],
                                                                fmt::join(model::tool_names(), ", "))
                                                  : fmt::format("unknown tool '{}'; did you mean '{}'?", names[i], suggestion));
  }
  return tools;
}

std::optional<model::Language> Loader::get_language(const YAML::Node& node, std::string_view key) {
  auto value = get_string(node, key);
  if (!value) return std::nullopt;
  if (*value == "c") return model::Language::c;
  if (*value == "c++" || *value == "cpp" || *value == "cxx") return model::Language::cxx;
  error(node, fmt::format("'{}' must be 'c' or 'c++', not '{}'", key, *value));
  return std::nullopt;
}

std::optional<model::Isolation> Loader::get_isolation(const YAML::Node& node, std::string_view key) {
  auto value = get_string(node, key);
  if (!value) return std::nullopt;
  if (auto isolation = model::isolation_from_name(*value)) return isolation;
  error(node, fmt::format("'{}' must be 'process' or 'batch', not '{}'", key, *value));
  return std::nullopt;
}

model::Snippet Loader::get_snippet(const YAML::Node& node, std::string_view key) {
  model::Snippet snippet;
  if (node.IsNull()) return snippet;
  if (!is_string(node, key)) return snippet;
  snippet.text = node.Scalar();
  snippet.pos = pos(node);
  // A block scalar's mark sits on its '|' or '>' indicator; its text starts on the next line.
  const auto at = static_cast<std::size_t>(node.Mark().pos);
  if (at < m_text.size() && (m_text[at] == '|' || m_text[at] == '>')) {
    snippet.pos.line += 1;
    snippet.pos.column = 1;
  }
  return snippet;
}

std::string Loader::resolve_existing(const YAML::Node& node, const std::string& path, bool directory) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(m_base) / p;
  p = p.lexically_normal();
  std::error_code ec;
  const auto status = fs::status(p, ec);
  if (!fs::exists(status))
    error(node, fmt::format("{} '{}' not found (looked for {})", directory ? "folder" : "file", path, p.string()));
  else if (directory && !fs::is_directory(status))
    error(node, fmt::format("'{}' is not a folder ({})", path, p.string()));
  else if (!directory && !fs::is_regular_file(status))
    error(node, fmt::format("'{}' is not a regular file ({}{})", path, p.string(),
                            fs::is_directory(status) ? " is a folder" : ": a device, pipe or socket"));
  return p.string();
}

}  // namespace harness::spec::detail
