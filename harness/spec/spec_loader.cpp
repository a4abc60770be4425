#include "harness/spec/spec_loader.hpp"

#include "harness/model/kinds.hpp"

#include "harness/spec/diagnostics.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>

#include <unistd.h>

namespace harness::spec {
namespace {

namespace fs = std::filesystem;
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
  // A list only (a plain string is refused: one pattern where a list was meant is a typo).
  std::vector<std::string> get_list(const YAML::Node& node, std::string_view key, std::string_view what);
  std::vector<std::string> get_string_list(const YAML::Node& node, std::string_view key,
                                           std::vector<SourcePos>* positions = nullptr);
  // A mapping of scalars to scalars; `shape` describes it in errors ("NAME: value").
  std::vector<std::pair<YAML::Node, YAML::Node>> scalar_map(const YAML::Node& node, std::string_view key,
                                                            std::string_view shape);
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
  void load_suppression(const YAML::Node& node, std::vector<model::Suppression>& out);
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

std::string_view yaml_type(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Undefined: return "undefined";
  }
  return "unknown";
}

// Names become folder and file names under --out (OUT/jobs/SUITE/FEATURE/...), so '.' and '..'
// are refused, and the length is capped well below a file name's 255 bytes.
constexpr std::size_t k_max_name = 100;
constexpr std::string_view k_name_rule = "may only use A-Z a-z 0-9 _ . -, is not '.' or '..', and has at most 100 characters";

// A name as quoted in an error: long ones cut, so the message stays one readable line.
std::string shorten(std::string_view name) {
  return name.size() <= 60 ? std::string(name) : fmt::format("{}... ({} characters)", name.substr(0, 40), name.size());
}

// A kind ("leak.definite") or a glob over kinds ("leak.*", "*"): lower-case dotted words.
bool looks_like_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > k_max_name) return false;
  bool letter = false;
  for (char c : kind) {
    if ((c >= 'a' && c <= 'z') || c == '*') letter = true;
    else if (!((c >= '0' && c <= '9') || c == '.' || c == '_' || c == '?')) return false;
  }
  return letter;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > k_max_name) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

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
        error(key, fmt::format("unknown key '{}' in {}; expected one of: {}", name, what,
                               fmt::join(names, ", ")));
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
    m_diag.error(positions[i], suggestion.empty()
                                   ? fmt::format("unknown tool '{}'; expected one of: {}", names[i],
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
  if (directory ? !fs::is_directory(p, ec) : !fs::is_regular_file(p, ec))
    error(node, fmt::format("{} '{}' not found (looked for {})", directory ? "folder" : "file", path, p.string()));
  return p.string();
}

void Loader::load_build(const YAML::Node& node) {
  if (!node.IsMap()) {
    error(node, "'build' must be a mapping with 'name' and 'sources'");
    return;
  }
  auto& build = m_spec.library.build;
  walk_map(node, "build", {
      {"name", [&](auto&, auto& v) {
         if (auto s = get_string(v, "name")) {
           if (!valid_name(*s)) error(v, fmt::format("library name '{}' {}", shorten(*s), k_name_rule));
           build.name = *s;
         }
       }},
      {"sources", [&](auto&, auto& v) {
         std::vector<SourcePos> positions;
         const auto items = get_string_list(v, "sources", &positions);
         const auto seq = v.IsSequence();
         for (std::size_t i = 0; i < items.size(); ++i)
           build.sources.push_back(resolve_existing(seq ? v[i] : v, items[i]));
       }},
      {"cflags", [&](auto&, auto& v) { build.cflags = get_string_list(v, "cflags"); }},
      {"ldflags", [&](auto&, auto& v) { build.ldflags = get_string_list(v, "ldflags"); }},
      {"include-dirs", [&](auto&, auto& v) {
         const auto items = get_string_list(v, "include-dirs");
         for (std::size_t i = 0; i < items.size(); ++i)
           m_spec.library.include_dirs.push_back(resolve_existing(v.IsSequence() ? v[i] : v, items[i], true));
       }},
  });
  if (build.name.empty()) error(node, "'build' needs a 'name' (the library is built as lib<name>.so)");
  if (build.sources.empty()) error(node, "'build' needs 'sources' (the files to compile into the library)");
}

void Loader::load_library(const YAML::Node& node) {
  auto& lib = m_spec.library;
  lib.pos = pos(node);
  if (!node.IsMap()) {
    error(node, "'library' must be a mapping with one of 'pkg-config', 'path' or 'build'");
    return;
  }
  std::vector<YAML::Node> kinds;
  walk_map(node, "library", {
      {"pkg-config", [&](auto& k, auto& v) {
         kinds.push_back(k);
         lib.kind = model::LibraryKind::pkg_config;
         lib.pkg_config = get_string_list(v, "pkg-config", &lib.pkg_config_pos);
         if (lib.pkg_config.empty()) error(v, "'pkg-config' needs at least one package name");
       }},
      {"path", [&](auto& k, auto& v) {
         kinds.push_back(k);
         lib.kind = model::LibraryKind::path;
         if (auto s = get_string(v, "path")) lib.path = resolve_existing(v, *s);
       }},
      {"build", [&](auto& k, auto& v) {
         kinds.push_back(k);
         lib.kind = model::LibraryKind::build;
         load_build(v);
       }},
      {"include-dirs", [&](auto&, auto& v) {
         const auto items = get_string_list(v, "include-dirs");
         for (std::size_t i = 0; i < items.size(); ++i)
           lib.include_dirs.push_back(resolve_existing(v.IsSequence() ? v[i] : v, items[i], true));
       }},
  });
  if (kinds.empty()) error(node, "'library' needs exactly one of 'pkg-config', 'path' or 'build'");
  if (kinds.size() > 1)
    error(kinds[1], fmt::format("'library' takes exactly one of 'pkg-config', 'path' or 'build'; '{}' was already given",
                                kinds[0].Scalar()));
}

void Loader::load_expectation(const YAML::Node& node, model::FeatureSpec& feature) {
  model::Expectation expectation;
  expectation.pos = pos(node);
  if (node.IsScalar()) {
    expectation.kind = node.Scalar();
  } else if (node.IsMap()) {
    walk_map(node, "expectation", {
        {"kind", [&](auto&, auto& v) { if (auto s = get_string(v, "kind")) expectation.kind = *s; }},
        {"function", [&](auto&, auto& v) { if (auto s = get_string(v, "function")) expectation.function = *s; }},
        {"tool", [&](auto&, auto& v) {
           auto tools = get_tools(v, "tool");
           if (tools && tools->size() == 1) expectation.tool = tools->front();
           else if (tools && tools->size() > 1) error(v, "'tool' in an expectation names one tool");
         }},
    });
  } else {
    error(node, "an expectation is a kind (\"leak.definite\") or a mapping with 'kind', 'function', 'tool'");
    return;
  }
  if (expectation.kind.empty()) {
    error(node, "an expectation needs a 'kind' (for example leak.definite or mem.*)");
    return;
  }
  // Point at the kind itself: the scalar, or the mapping's 'kind' value.
  const YAML::Node kind_node = node.IsMap() && node["kind"] ? node["kind"] : node;
  if (auto problem = model::check_kind_pattern(expectation.kind); !problem.empty()) error(kind_node, problem);
  feature.expect.push_back(std::move(expectation));
}

std::map<std::string, model::Severity> Loader::get_policy(const YAML::Node& node, std::string_view key) {
  std::map<std::string, model::Severity> out;
  for (const auto& [kind, severity] : scalar_map(node, key, "kind: error|warning")) {
    if (auto problem = model::check_kind_pattern(kind.Scalar()); !problem.empty()) error(kind, problem);
    const auto& value = severity.Scalar();
    if (value == "error")
      out[kind.Scalar()] = model::Severity::error;
    else if (value == "warning")
      out[kind.Scalar()] = model::Severity::warning;
    else
      error(severity, fmt::format("severity must be 'error' (fails the run) or 'warning' (reported only), not '{}'", value));
  }
  return out;
}

void Loader::load_suppression(const YAML::Node& node, std::vector<model::Suppression>& out) {
  model::Suppression sup;
  sup.pos = pos(node);
  if (!node.IsMap()) {
    error(node, "a suppression is a mapping with at least 'kind' or 'frames'");
    return;
  }
  walk_map(node, "suppression", {
      {"name", [&](auto&, auto& v) { if (auto x = get_string(v, "name")) sup.name = *x; }},
      {"kind", [&](auto&, auto& v) {
         auto x = get_string(v, "kind");
         if (!x) return;
         if (!looks_like_kind(*x))
           error(v, fmt::format("'kind' must be a finding kind such as leak.definite, or a glob such as 'leak.*', not '{}'",
                                shorten(*x)));
         else if (auto problem = model::check_kind_pattern(*x); !problem.empty())
           error(v, problem);
         sup.kind = *x;
       }},
      {"tools", [&](auto&, auto& v) { if (auto t = get_tools(v, "tools")) sup.tools = *t; }},
      {"tool", [&](auto&, auto& v) { if (auto t = get_tools(v, "tool")) sup.tools = *t; }},
      {"frames", [&](auto&, auto& v) { sup.frames = get_list(v, "frames", "frame patterns, the top frame first"); }},
      {"labels", [&](auto&, auto& v) { sup.labels = get_list(v, "labels", "label globs"); }},
      {"aux", [&](auto&, auto& v) {
         if (!v.IsSequence()) {
           error(v, "'aux' must be a list of {label, frames}");
           return;
         }
         for (const auto& item : v) {
           model::AuxMatch m;
           if (!item.IsMap()) {
             error(item, "an 'aux' entry is a mapping with 'label' and 'frames'");
             continue;
           }
           walk_map(item, "aux entry", {
               {"label", [&](auto&, auto& x) { if (auto l = get_string(x, "label")) m.label = *l; }},
               {"frames", [&](auto&, auto& x) { m.frames = get_list(x, "frames", "frame patterns, the top frame first"); }},
           });
           sup.aux.push_back(std::move(m));
         }
       }},
      {"static-initialisation", [&](auto&, auto& v) {
         bool b = false;
         if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) error(v, "'static-initialisation' must be true or false");
         sup.static_initialisation = b;
       }},
      {"library-static-initialisation", [&](auto&, auto& v) {
         bool b = false;
         if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b))
           error(v, "'library-static-initialisation' must be true or false");
         sup.library_static_initialisation = b;
       }},
      {"reason", [&](auto&, auto& v) { if (auto x = get_string(v, "reason")) sup.reason = *x; }},
  });
  if (sup.name.empty()) sup.name = fmt::format("{}:{}", sup.pos.file, sup.pos.line);
  if (sup.kind == "*" && sup.frames.empty() && sup.labels.empty() && sup.aux.empty() && !sup.static_initialisation &&
      !sup.library_static_initialisation)
    error(node, "this suppression would hide every finding; give it a 'kind', 'frames', 'labels' or 'aux'");
  out.push_back(std::move(sup));
}

void Loader::load_suppression_list(const YAML::Node& node, std::vector<model::Suppression>& out, bool allow_files) {
  if (node.IsNull()) return;
  if (!node.IsSequence()) {
    error(node, "'suppressions' must be a list");
    return;
  }
  for (const auto& item : node) {
    if (item.IsScalar() && allow_files) {
      const auto path = resolve_existing(item, item.Scalar());
      std::string text;
      if (!util::read_file(path, text)) continue;  // resolve_existing reported it
      auto loaded = load_suppressions(text, path, std::filesystem::path(path).parent_path().string());
      if (!loaded) {
        error(item, "in suppressions file included here:\n" + loaded.error().message);
        continue;
      }
      for (auto& sup : *loaded) out.push_back(std::move(sup));
    } else {
      load_suppression(item, out);
    }
  }
}

void Loader::load_native_suppressions(const YAML::Node& node) {
  if (!node.IsMap()) {
    error(node, "'native-suppressions' must map a tool to its suppression files (valgrind, lsan, tsan, ubsan)");
    return;
  }
  static const std::vector<std::string_view> k_tools = {"valgrind", "memcheck", "helgrind", "drd", "lsan", "tsan", "ubsan"};
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto name = it->first.Scalar();
    if (std::find(k_tools.begin(), k_tools.end(), name) == k_tools.end()) {
      const auto suggestion = util::closest_match(name, k_tools);
      error(it->first, suggestion.empty()
                           ? fmt::format("unknown tool '{}' in native-suppressions; expected one of: {}", name, fmt::join(k_tools, ", "))
                           : fmt::format("unknown tool '{}' in native-suppressions; did you mean '{}'?", name, suggestion));
      continue;
    }
    const auto files = get_string_list(it->second, name);
    for (std::size_t i = 0; i < files.size(); ++i)
      m_spec.native_suppressions[name].push_back(
          resolve_existing(it->second.IsSequence() ? it->second[i] : it->second, files[i]));
  }
}

// What a spec may expand to through its aliases: YAML shares an aliased node, but the loader
// copies every use (`cflags: [*big, *big, ...]` of a 1 MB string 20,000 times once took 6 GB and
// died of bad_alloc). Counted as the text and the nodes a walk meets, each alias as often as it is
// used, stopping at the first node past either bound.
constexpr std::size_t k_max_expanded_bytes = 64u << 20;
constexpr std::size_t k_max_expanded_nodes = 1u << 20;

namespace {

struct Expansion {
  std::size_t bytes = 0, nodes = 0;
  std::optional<YAML::Mark> over;  // where a bound was passed
};

void measure(const YAML::Node& node, Expansion& e, int depth) {
  if (e.over) return;
  ++e.nodes;
  if (node.IsScalar()) e.bytes += node.Scalar().size();
  if (e.bytes > k_max_expanded_bytes || e.nodes > k_max_expanded_nodes || depth > 256) {
    e.over = node.Mark();
    return;
  }
  if (node.IsSequence())
    for (const auto& item : node) measure(item, e, depth + 1);
  else if (node.IsMap())
    for (const auto& item : node) {
      measure(item.first, e, depth + 1);
      measure(item.second, e, depth + 1);
    }
}

}  // namespace

std::optional<YAML::Node> Loader::parse_yaml() {
  try {
    auto root = YAML::Load(std::string(m_text));
    Expansion e;
    measure(root, e, 0);
    if (e.over) {
      const auto& mark = *e.over;
      m_diag.error(mark.line >= 0 ? mark.line + 1 : 1, mark.column >= 0 ? mark.column + 1 : 1,
                   fmt::format("this spec expands to more than {} MiB of text or {} nodes through its aliases (an "
                               "alias used many times is copied each time); use each large value once",
                               k_max_expanded_bytes >> 20, k_max_expanded_nodes));
      return std::nullopt;
    }
    return root;
  } catch (const YAML::ParserException& e) {
    m_diag.error(e.mark.line + 1, e.mark.column + 1, fmt::format("YAML syntax error: {}", e.msg));
    return std::nullopt;
  } catch (const std::bad_alloc&) {
    m_diag.error(1, 1, "this spec needs more memory than the machine gives to read it (is an alias used too often?)");
    return std::nullopt;
  }
}

util::Result<std::vector<model::Suppression>> Loader::run_suppressions() {
  auto parsed = parse_yaml();
  if (!parsed) return util::make_error(m_diag.text());
  const YAML::Node root = *parsed;
  std::vector<model::Suppression> out;
  if (root.IsMap() && root["suppressions"]) {
    walk_map(root, "suppressions file", {{"suppressions", [&](auto&, auto& v) { load_suppression_list(v, out, false); }}});
  } else if (root.IsSequence() || root.IsNull()) {
    load_suppression_list(root, out, false);
  } else {
    m_diag.error(1, 1, "a suppressions file is a list of entries, or a mapping with a 'suppressions' list");
  }
  if (!m_diag.empty()) return util::make_error(m_diag.text());
  return out;
}

std::vector<KeyHandler> Loader::shared_keys(model::FeatureSpec& feature, std::set<std::string>& names, std::string_view what) {
  return {
      {"name", [&, what](auto&, auto& v) {
         auto s = get_string(v, "name");
         if (!s) return;
         feature.name = *s;
         if (!valid_name(*s))
           error(v, fmt::format("{} name '{}' {}", what, shorten(*s), k_name_rule));
         else if (!names.insert(*s).second)
           error(v, what == "feature" ? fmt::format("duplicate feature name '{}'", *s)
                                      : fmt::format("duplicate name '{}' (features and programs share one namespace)", *s));
       }},
      {"tools", [&](auto&, auto& v) { feature.tools = get_tools(v, "tools"); }},
      {"timeout", [&](auto&, auto& v) { feature.timeout_s = get_seconds(v, "timeout"); }},
      {"env", [&](auto&, auto& v) { feature.env = get_env(v, "env"); }},
      {"policy", [&](auto&, auto& v) { feature.policy = get_policy(v, "policy"); }},
      {"expect", [&](auto&, auto& v) {
         if (v.IsSequence())
           for (const auto& item : v) load_expectation(item, feature);
         else if (!v.IsNull())
           load_expectation(v, feature);
       }},
  };
}

void Loader::load_feature(const YAML::Node& node, std::set<std::string>& names) {
  model::FeatureSpec feature;
  feature.pos = pos(node);
  if (!node.IsMap()) {
    error(node, fmt::format("a feature must be a mapping with 'name' and 'code' or 'source', not {}", yaml_type(node)));
    return;
  }
  std::optional<YAML::Node> code_key, source_key, entry_key;
  auto keys = shared_keys(feature, names, "feature");
  keys.insert(keys.end(), {
      {"code", [&](auto& k, auto& v) { code_key = k; feature.code = get_snippet(v, "code"); }},
      {"source", [&](auto& k, auto& v) {
         source_key = k;
         if (auto s = get_string(v, "source")) feature.source = resolve_existing(v, *s);
       }},
      {"entry", [&](auto& k, auto& v) {
         entry_key = k;
         if (auto s = get_string(v, "entry")) feature.entry = *s;
       }},
      {"setup", [&](auto&, auto& v) { feature.setup = get_snippet(v, "setup"); }},
      {"teardown", [&](auto&, auto& v) { feature.teardown = get_snippet(v, "teardown"); }},
      {"globals", [&](auto&, auto& v) { feature.globals = get_snippet(v, "globals"); }},
      {"threads", [&](auto&, auto& v) { if (auto n = get_count(v, "threads", 1, 1024)) feature.threads = *n; }},
      {"repeat", [&](auto&, auto& v) { if (auto n = get_count(v, "repeat", 1, 10'000'000)) feature.repeat = *n; }},
      {"language", [&](auto&, auto& v) { feature.language = get_language(v, "language"); }},
      {"isolation", [&](auto&, auto& v) { feature.isolation = get_isolation(v, "isolation"); }},
      {"cflags", [&](auto&, auto& v) { feature.cflags = get_string_list(v, "cflags"); }},
      {"ldflags", [&](auto&, auto& v) { feature.ldflags = get_string_list(v, "ldflags"); }},
  });
  walk_map(node, "feature", keys);
  if (feature.name.empty() && !node["name"]) error(node, "a feature needs a 'name'");
  if (code_key && source_key)
    error(*source_key, "a feature takes 'code' or 'source', not both");
  else if (!code_key && !source_key)
    error(node, fmt::format("feature '{}' needs 'code' (an inline body) or 'source' (a file)", feature.name));
  if (entry_key && !source_key) error(*entry_key, "'entry' names a function in 'source'; this feature has no 'source'");
  if (!feature.entry.empty() && !valid_name(feature.entry))
    error(entry_key ? *entry_key : node, fmt::format("'entry' must be a C identifier, not '{}'", feature.entry));
  m_spec.features.push_back(std::move(feature));
}

// A program named with a '/' is a file relative to the spec; a bare name is looked up on PATH
// (as a shell would), so `program: python3` works.
std::string Loader::resolve_program(const YAML::Node& node, const std::string& path) {
  if (path.find('/') != std::string::npos) {
    auto resolved = resolve_existing(node, path);
    if (::access(resolved.c_str(), X_OK) != 0 && fs::is_regular_file(resolved))
      error(node, fmt::format("program '{}' is not executable", path));
    return resolved;
  }
  if (auto found = util::find_on_path(path); !found.empty()) return found;
  error(node, fmt::format("program '{}' not found on PATH (write ./{} for a file beside the spec)", path, path));
  return path;
}

void Loader::load_program(const YAML::Node& node, std::set<std::string>& names) {
  model::FeatureSpec feature;
  model::ProgramSpec program;
  feature.pos = pos(node);
  if (!node.IsMap()) {
    error(node, fmt::format("a program must be a mapping with 'name' and 'program', not {}", yaml_type(node)));
    return;
  }
  std::vector<std::string> args;
  bool gtest = false;
  auto keys = shared_keys(feature, names, "program");
  keys.insert(keys.end(), {
      {"program", [&](auto&, auto& v) {
         if (auto s = get_string(v, "program")) program.argv.insert(program.argv.begin(), resolve_program(v, *s));
       }},
      {"args", [&](auto&, auto& v) { args = get_string_list(v, "args"); }},
      {"cwd", [&](auto&, auto& v) {
         if (auto s = get_string(v, "cwd")) program.cwd = resolve_existing(v, *s, true);
         if (program.cwd.size() > 1 && program.cwd.back() == '/') program.cwd.pop_back();  // "dir/." normalises to "dir/"
       }},
      {"exit_status", [&](auto&, auto& v) { if (auto n = get_count(v, "exit_status", 0, 255)) program.exit_status = *n; }},
      {"asan", [&](auto&, auto& v) { if (auto s = get_string(v, "asan")) program.builds[model::Flavour::asan] = resolve_program(v, *s); }},
      {"tsan", [&](auto&, auto& v) { if (auto s = get_string(v, "tsan")) program.builds[model::Flavour::tsan] = resolve_program(v, *s); }},
      {"ubsan", [&](auto&, auto& v) { if (auto s = get_string(v, "ubsan")) program.builds[model::Flavour::ubsan] = resolve_program(v, *s); }},
      {"skip_children", [&](auto&, auto& v) { program.skip_children = get_string_list(v, "skip_children"); }},
      {"inputs", [&](auto&, auto& v) {
         std::vector<std::string> patterns;
         for (const auto& p : get_string_list(v, "inputs"))
           patterns.push_back(fs::path(p).is_absolute() ? p : (fs::path(m_base) / p).lexically_normal().string());
         program.inputs = std::move(patterns);
       }},
      {"gtest", [&](auto&, auto& v) {
         if (!v.IsScalar() || !YAML::convert<bool>::decode(v, gtest)) error(v, "'gtest' must be true or false");
       }},
  });
  walk_map(node, "program", keys);
  if (feature.name.empty() && !node["name"]) error(node, "a program needs a 'name'");
  if (program.argv.empty() && !node["program"]) error(node, fmt::format("program '{}' needs 'program' (the executable to run)", feature.name));
  util::append(program.argv, args);
  if (gtest) program.origin = "gtest";
  feature.isolation = model::Isolation::process;
  feature.program = std::move(program);
  m_spec.features.push_back(std::move(feature));
}

util::Result<model::SuiteSpec> Loader::run() {
  auto parsed = parse_yaml();
  if (!parsed) return util::make_error(m_diag.text());
  const YAML::Node root = *parsed;
  m_spec.file = m_diag.file_name();
  m_spec.dir = m_base;
  if (!root.IsMap()) {
    m_diag.error(1, 1, "a spec must be a mapping with 'suite', 'library' and 'features'");
    return util::make_error(m_diag.text());
  }
  std::set<std::string> feature_names;
  bool has_features = false;
  walk_map(root, "suite", {
      {"suite", [&](auto&, auto& v) {
         if (auto s = get_string(v, "suite")) {
           m_spec.name = *s;
           if (!valid_name(*s)) error(v, fmt::format("suite name '{}' {}", shorten(*s), k_name_rule));
         }
       }},
      {"language", [&](auto&, auto& v) { if (auto l = get_language(v, "language")) m_spec.language = *l; }},
      {"isolation", [&](auto&, auto& v) { m_spec.isolation = get_isolation(v, "isolation"); }},
      {"compiler", [&](auto&, auto& v) {
         auto s = get_string(v, "compiler");
         if (!s) return;
         if (*s == "gcc") m_spec.compiler = model::Compiler::gcc;
         else if (*s == "clang") m_spec.compiler = model::Compiler::clang;
         else error(v, fmt::format("'compiler' must be 'gcc' or 'clang', not '{}'", *s));
       }},
      {"library", [&](auto&, auto& v) { load_library(v); }},
      {"includes", [&](auto&, auto& v) { m_spec.includes = get_string_list(v, "includes"); }},
      {"cflags", [&](auto&, auto& v) { m_spec.cflags = get_string_list(v, "cflags"); }},
      {"ldflags", [&](auto&, auto& v) { m_spec.ldflags = get_string_list(v, "ldflags"); }},
      {"env", [&](auto&, auto& v) { m_spec.env = get_env(v, "env"); }},
      {"timeout", [&](auto&, auto& v) { if (auto t = get_seconds(v, "timeout")) m_spec.timeout_s = *t; }},
      {"tools", [&](auto&, auto& v) { m_spec.tools = get_tools(v, "tools"); }},
      {"globals", [&](auto&, auto& v) { m_spec.globals = get_snippet(v, "globals"); }},
      {"policy", [&](auto&, auto& v) { m_spec.policy = get_policy(v, "policy"); }},
      {"suppressions", [&](auto&, auto& v) { load_suppression_list(v, m_spec.suppressions, true); }},
      {"native-suppressions", [&](auto&, auto& v) { load_native_suppressions(v); }},
      {"features", [&](auto&, auto& v) {
         has_features = true;
         if (!v.IsSequence()) {
           error(v, fmt::format("'features' must be a list, not {}", yaml_type(v)));
           return;
         }
         for (const auto& item : v) load_feature(item, feature_names);
       }},
      {"programs", [&](auto&, auto& v) {
         has_features = true;
         if (!v.IsSequence()) {
           error(v, fmt::format("'programs' must be a list, not {}", yaml_type(v)));
           return;
         }
         for (const auto& item : v) load_program(item, feature_names);
       }},
  });
  if (m_spec.name.empty() && !root["suite"]) m_diag.error(1, 1, "the spec needs a 'suite' name");
  if (!has_features) m_diag.error(1, 1, "the spec needs a list of 'features' (or of 'programs')");
  if (!m_diag.empty()) return util::make_error(m_diag.text());
  return std::move(m_spec);
}

}  // namespace

util::Result<model::SuiteSpec> load(std::string_view text, std::string_view file_name, std::string_view base_dir) {
  Loader loader(text, file_name, base_dir);
  return loader.run();
}

util::Result<std::vector<model::Suppression>> load_suppressions(std::string_view text, std::string_view file_name,
                                                                std::string_view base_dir) {
  Loader loader(text, file_name, base_dir);
  return loader.run_suppressions();
}

util::Result<std::vector<model::Suppression>> load_suppressions_file(const std::string& path) {
  std::string text;
  if (!util::read_file(path, text)) return util::make_error(fmt::format("{}: cannot read suppressions file", path));
  const auto dir = std::filesystem::absolute(std::filesystem::path(path)).parent_path().lexically_normal();
  return load_suppressions(text, path, dir.string());
}

util::Result<model::SuiteSpec> load_file(const std::string& path) {
  std::string text;
  if (!util::read_file(path, text)) return util::make_error(fmt::format("{}: cannot read spec file", path));
  const auto dir = std::filesystem::absolute(std::filesystem::path(path)).parent_path().lexically_normal();
  return load(text, path, dir.string());
}

}  // namespace harness::spec
