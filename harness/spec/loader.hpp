// The spec loader's state and its parts (internal to harness/spec): spec_loader.cpp reads a suite
// (its features and programs), spec_values.cpp the typed values every key uses (strings, lists,
// counts, tools, snippets, paths), spec_sections.cpp the library, build recipe, expectations,
// policy and suppressions. Every error points at the user's text (file:line:col).
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/model/suppression.hpp"
#include "harness/spec/diagnostics.hpp"
#include "harness/util/result.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace harness::spec::detail {

using model::SourcePos;

// A key a mapping accepts and what to do with its value.
struct KeyHandler {
  std::string_view key;
  std::function<void(const YAML::Node& key, const YAML::Node& value)> handle;
};

class Loader {
 public:
  Loader(std::string_view text, std::string_view file_name, std::string_view base_dir)
      : m_text(text), m_diag(text, std::string(file_name)), m_base(base_dir) {}

  util::Result<model::SuiteSpec> run();

 private:
  SourcePos pos(const YAML::Node& node) const {
    const auto mark = node.Mark();
    return {m_diag.file_name(), mark.line + 1, mark.column + 1};
  }
  void error(const YAML::Node& node, std::string_view message) { m_diag.error(pos(node), message); }

  // The document, or nullopt after reporting a syntax error at its position.
  std::optional<YAML::Node> parse_yaml();
  void walk_map(const YAML::Node& node, std::string_view what, const std::vector<KeyHandler>& keys);

  bool is_string(const YAML::Node& node, std::string_view key);
  std::optional<std::string> get_string(const YAML::Node& node, std::string_view key);
  std::optional<int> get_count(const YAML::Node& node, std::string_view key, int min, int max);
  std::optional<double> get_seconds(const YAML::Node& node, std::string_view key);
  // true or false; anything else is an error (and false).
  bool get_flag(const YAML::Node& node, std::string_view key);
  // A list only (a plain string is refused: one pattern where a list was meant is a typo).
  std::vector<std::string> get_list(const YAML::Node& node, std::string_view key, std::string_view what);
  std::vector<std::string> get_string_list(const YAML::Node& node, std::string_view key,
                                           std::vector<SourcePos>* positions = nullptr);
  // A mapping of scalars to scalars; `shape` describes it in errors ("NAME: value").
  std::vector<std::pair<YAML::Node, YAML::Node>> scalar_map(const YAML::Node& node, std::string_view key, std::string_view shape);
  std::map<std::string, std::string> get_env(const YAML::Node& node, std::string_view key);
  std::optional<std::vector<model::Tool>> get_tools(const YAML::Node& node, std::string_view key);
  std::optional<model::Language> get_language(const YAML::Node& node, std::string_view key);
  std::optional<model::Isolation> get_isolation(const YAML::Node& node, std::string_view key);
  model::Snippet get_snippet(const YAML::Node& node, std::string_view key);
  std::string resolve_existing(const YAML::Node& node, const std::string& path, bool directory = false);

  void load_library(const YAML::Node& node);
  void load_build(const YAML::Node& node);
  void load_feature(const YAML::Node& node, std::set<std::string>& names);
  void load_program(const YAML::Node& node, std::set<std::string>& names);
  // The keys a program shares with a feature: name, tools, timeout, env, policy, expect.
  std::vector<KeyHandler> shared_keys(model::FeatureSpec& feature, std::set<std::string>& names, std::string_view what);
  std::string resolve_program(const YAML::Node& node, const std::string& path);
  void load_expectation(const YAML::Node& node, model::FeatureSpec& feature);
  std::map<std::string, model::Severity> get_policy(const YAML::Node& node, std::string_view key);
  // A list of function names (globs allowed): `thread_safe`, `allocators`.
  std::vector<std::string> get_functions(const YAML::Node& node, std::string_view key);
  void load_suppression(const YAML::Node& node, std::vector<model::Suppression>& out);
  void load_aux_matches(const YAML::Node& node, std::vector<model::AuxMatch>& out);
  void load_suppression_list(const YAML::Node& node, std::vector<model::Suppression>& out, bool allow_files);
  void load_native_suppressions(const YAML::Node& node);

 public:
  // A suppressions file: a list of entries, or a mapping with a 'suppressions' list.
  util::Result<std::vector<model::Suppression>> run_suppressions();

 private:
  std::string_view m_text;
  Diagnostics m_diag;
  std::string m_base;
  model::SuiteSpec m_spec;
};

inline std::string_view yaml_type(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Undefined:
      return "undefined";
  }
  return "unknown";
}

// Names become folder and file names under --out (OUT/jobs/SUITE/FEATURE/...), so '.' and '..'
// are refused, and the length is capped well below a file name's 255 bytes.
inline constexpr std::size_t k_max_name = 100;
inline constexpr std::string_view k_name_rule =
    "may only use A-Z a-z 0-9 _ . -, is not '.' or '..', and has at most 100 characters";

// A name as quoted in an error: long ones cut, so the message stays one readable line.
inline std::string shorten(std::string_view name) {
  return name.size() <= 60 ? std::string(name) : fmt::format("{}... ({} characters)", name.substr(0, 40), name.size());
}

// A kind ("leak.definite") or a glob over kinds ("leak.*", "*"): lower-case dotted words.
inline bool looks_like_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > k_max_name) return false;
  bool letter = false;
  for (char c : kind) {
    if ((c >= 'a' && c <= 'z') || c == '*')
      letter = true;
    else if (!((c >= '0' && c <= '9') || c == '.' || c == '_' || c == '?'))
      return false;
  }
  return letter;
}

inline bool valid_name(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > k_max_name) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

}  // namespace harness::spec::detail
