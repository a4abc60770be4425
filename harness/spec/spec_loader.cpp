#include "harness/spec/spec_loader.hpp"

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

namespace harness::spec {
namespace detail {
namespace fs = std::filesystem;

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

std::vector<KeyHandler> Loader::shared_keys(model::FeatureSpec& feature, std::set<std::string>& names, std::string_view what) {
  return {
      {"name",
       [&, what](auto&, auto& v) {
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
      {"thread_safe", [&](auto&, auto& v) { feature.thread_safe = get_functions(v, "thread_safe"); }},
      {"expect",
       [&](auto&, auto& v) {
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
  std::optional<YAML::Node> code_key, source_key, entry_key, todo_key;
  auto keys = shared_keys(feature, names, "feature");
  keys.insert(keys.end(), {
                              {"code",
                               [&](auto& k, auto& v) {
                                 code_key = k;
                                 feature.code = get_snippet(v, "code");
                               }},
                              {"source",
                               [&](auto& k, auto& v) {
                                 source_key = k;
                                 if (auto s = get_string(v, "source")) feature.source = resolve_existing(v, *s);
                               }},
                              {"todo",
                               [&](auto& k, auto& v) {
                                 todo_key = k;
                                 if (auto s = get_string(v, "todo")) feature.todo = s->empty() ? "not written yet" : *s;
                               }},
                              {"entry",
                               [&](auto& k, auto& v) {
                                 entry_key = k;
                                 if (auto s = get_string(v, "entry")) feature.entry = *s;
                               }},
                              {"setup", [&](auto&, auto& v) { feature.setup = get_snippet(v, "setup"); }},
                              {"teardown", [&](auto&, auto& v) { feature.teardown = get_snippet(v, "teardown"); }},
                              {"globals", [&](auto&, auto& v) { feature.globals = get_snippet(v, "globals"); }},
                              {"threads",
                               [&](auto&, auto& v) {
                                 if (auto n = get_count(v, "threads", 1, 1024)) feature.threads = *n;
                               }},
                              {"repeat",
                               [&](auto&, auto& v) {
                                 if (auto n = get_count(v, "repeat", 1, 10'000'000)) feature.repeat = *n;
                               }},
                              {"language", [&](auto&, auto& v) { feature.language = get_language(v, "language"); }},
                              {"isolation", [&](auto&, auto& v) { feature.isolation = get_isolation(v, "isolation"); }},
                              {"cflags", [&](auto&, auto& v) { feature.cflags = get_string_list(v, "cflags"); }},
                              {"ldflags", [&](auto&, auto& v) { feature.ldflags = get_string_list(v, "ldflags"); }},
                          });
  walk_map(node, "feature", keys);
  if (feature.name.empty() && !node["name"]) error(node, "a feature needs a 'name'");
  if (code_key && source_key)
    error(*source_key, "a feature takes 'code' or 'source', not both");
  else if (todo_key && (code_key || source_key))
    error(*todo_key, "'todo' marks a feature with no code yet: remove it once the feature has 'code' or 'source'");
  else if (!code_key && !source_key && !todo_key)
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
  keys.insert(keys.end(),
              {
                  {"program",
                   [&](auto&, auto& v) {
                     if (auto s = get_string(v, "program")) program.argv.insert(program.argv.begin(), resolve_program(v, *s));
                   }},
                  {"args", [&](auto&, auto& v) { args = get_string_list(v, "args"); }},
                  {"cwd",
                   [&](auto&, auto& v) {
                     if (auto s = get_string(v, "cwd")) program.cwd = resolve_existing(v, *s, true);
                     if (program.cwd.size() > 1 && program.cwd.back() == '/')
                       program.cwd.pop_back();  // "dir/." normalises to "dir/"
                   }},
                  {"exit_status",
                   [&](auto&, auto& v) {
                     if (auto n = get_count(v, "exit_status", 0, 255)) program.exit_status = *n;
                   }},
                  {"asan",
                   [&](auto&, auto& v) {
                     if (auto s = get_string(v, "asan")) program.builds[model::Flavour::asan] = resolve_program(v, *s);
                   }},
                  {"tsan",
                   [&](auto&, auto& v) {
                     if (auto s = get_string(v, "tsan")) program.builds[model::Flavour::tsan] = resolve_program(v, *s);
                   }},
                  {"ubsan",
                   [&](auto&, auto& v) {
                     if (auto s = get_string(v, "ubsan")) program.builds[model::Flavour::ubsan] = resolve_program(v, *s);
                   }},
                  {"skip_children", [&](auto&, auto& v) { program.skip_children = get_string_list(v, "skip_children"); }},
                  {"inputs",
                   [&](auto&, auto& v) {
                     std::vector<std::string> patterns;
                     for (const auto& p : get_string_list(v, "inputs"))
                       patterns.push_back(fs::path(p).is_absolute() ? p : (fs::path(m_base) / p).lexically_normal().string());
                     program.inputs = std::move(patterns);
                   }},
                  {"gtest",
                   [&](auto&, auto& v) {
                     if (!v.IsScalar() || !YAML::convert<bool>::decode(v, gtest)) error(v, "'gtest' must be true or false");
                   }},
              });
  walk_map(node, "program", keys);
  if (feature.name.empty() && !node["name"]) error(node, "a program needs a 'name'");
  if (program.argv.empty() && !node["program"])
    error(node, fmt::format("program '{}' needs 'program' (the executable to run)", feature.name));
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
  walk_map(root, "suite",
           {
               {"suite",
                [&](auto&, auto& v) {
                  if (auto s = get_string(v, "suite")) {
                    m_spec.name = *s;
                    if (!valid_name(*s)) error(v, fmt::format("suite name '{}' {}", shorten(*s), k_name_rule));
                  }
                }},
               {"language",
                [&](auto&, auto& v) {
                  if (auto l = get_language(v, "language")) m_spec.language = *l;
                }},
               {"isolation", [&](auto&, auto& v) { m_spec.isolation = get_isolation(v, "isolation"); }},
               {"compiler",
                [&](auto&, auto& v) {
                  auto s = get_string(v, "compiler");
                  if (!s) return;
                  if (*s == "gcc")
                    m_spec.compiler = model::Compiler::gcc;
                  else if (*s == "clang")
                    m_spec.compiler = model::Compiler::clang;
                  else
                    error(v, fmt::format("'compiler' must be 'gcc' or 'clang', not '{}'", *s));
                }},
               {"library", [&](auto&, auto& v) { load_library(v); }},
               {"includes", [&](auto&, auto& v) { m_spec.includes = get_string_list(v, "includes"); }},
               {"cflags", [&](auto&, auto& v) { m_spec.cflags = get_string_list(v, "cflags"); }},
               {"ldflags", [&](auto&, auto& v) { m_spec.ldflags = get_string_list(v, "ldflags"); }},
               {"env", [&](auto&, auto& v) { m_spec.env = get_env(v, "env"); }},
               {"timeout",
                [&](auto&, auto& v) {
                  if (auto t = get_seconds(v, "timeout")) m_spec.timeout_s = *t;
                }},
               {"tools", [&](auto&, auto& v) { m_spec.tools = get_tools(v, "tools"); }},
               {"globals", [&](auto&, auto& v) { m_spec.globals = get_snippet(v, "globals"); }},
               {"policy", [&](auto&, auto& v) { m_spec.policy = get_policy(v, "policy"); }},
               {"thread_safe", [&](auto&, auto& v) { m_spec.thread_safe = get_functions(v, "thread_safe"); }},
               {"allocators", [&](auto&, auto& v) { m_spec.allocators = get_functions(v, "allocators"); }},
               {"suppressions", [&](auto&, auto& v) { load_suppression_list(v, m_spec.suppressions, true); }},
               {"native-suppressions", [&](auto&, auto& v) { load_native_suppressions(v); }},
               {"features",
                [&](auto&, auto& v) {
                  has_features = true;
                  if (!v.IsSequence()) {
                    error(v, fmt::format("'features' must be a list, not {}", yaml_type(v)));
                    return;
                  }
                  for (const auto& item : v) load_feature(item, feature_names);
                }},
               {"programs",
                [&](auto&, auto& v) {
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

}  // namespace detail

util::Result<model::SuiteSpec> load(std::string_view text, std::string_view file_name, std::string_view base_dir) {
  detail::Loader loader(text, file_name, base_dir);
  return loader.run();
}

util::Result<std::vector<model::Suppression>> load_suppressions(std::string_view text, std::string_view file_name,
                                                                std::string_view base_dir) {
  detail::Loader loader(text, file_name, base_dir);
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
