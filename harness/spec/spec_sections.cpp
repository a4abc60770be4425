// The library, its build recipe, expectations, policy and suppressions (inline, from files, native).
#include "harness/model/kinds.hpp"
#include "harness/spec/loader.hpp"
#include "harness/spec/spec_loader.hpp"
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

void Loader::load_build(const YAML::Node& node) {
  if (!node.IsMap()) {
    error(node, "'build' must be a mapping with 'name' and 'sources'");
    return;
  }
  auto& build = m_spec.library.build;
  walk_map(node, "build",
           {
               {"name",
                [&](auto&, auto& v) {
                  if (auto s = get_string(v, "name")) {
                    if (!valid_name(*s)) error(v, fmt::format("library name '{}' {}", shorten(*s), k_name_rule));
                    build.name = *s;
                  }
                }},
               {"sources",
                [&](auto&, auto& v) {
                  std::vector<SourcePos> positions;
                  const auto items = get_string_list(v, "sources", &positions);
                  const auto seq = v.IsSequence();
                  for (std::size_t i = 0; i < items.size(); ++i)
                    build.sources.push_back(resolve_existing(seq ? v[i] : v, items[i]));
                }},
               {"cflags", [&](auto&, auto& v) { build.cflags = get_string_list(v, "cflags"); }},
               {"ldflags", [&](auto&, auto& v) { build.ldflags = get_string_list(v, "ldflags"); }},
               {"include-dirs",
                [&](auto&, auto& v) {
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
  walk_map(node, "library",
           {
               {"pkg-config",
                [&](auto& k, auto& v) {
                  kinds.push_back(k);
                  lib.kind = model::LibraryKind::pkg_config;
                  lib.pkg_config = get_string_list(v, "pkg-config", &lib.pkg_config_pos);
                  if (lib.pkg_config.empty()) error(v, "'pkg-config' needs at least one package name");
                }},
               {"path",
                [&](auto& k, auto& v) {
                  kinds.push_back(k);
                  lib.kind = model::LibraryKind::path;
                  if (auto s = get_string(v, "path")) lib.path = resolve_existing(v, *s);
                }},
               {"build",
                [&](auto& k, auto& v) {
                  kinds.push_back(k);
                  lib.kind = model::LibraryKind::build;
                  load_build(v);
                }},
               {"include-dirs",
                [&](auto&, auto& v) {
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
    walk_map(node, "expectation",
             {
                 {"kind",
                  [&](auto&, auto& v) {
                    if (auto s = get_string(v, "kind")) expectation.kind = *s;
                  }},
                 {"function",
                  [&](auto&, auto& v) {
                    if (auto s = get_string(v, "function")) expectation.function = *s;
                  }},
                 {"coroutine",
                  [&](auto&, auto& v) {
                    if (auto s = get_string(v, "coroutine")) expectation.coroutine = *s;
                  }},
                 {"tool",
                  [&](auto&, auto& v) {
                    auto tools = get_tools(v, "tool");
                    if (tools && tools->size() == 1)
                      expectation.tool = tools->front();
                    else if (tools && tools->size() > 1)
                      error(v, "'tool' in an expectation names one tool");
                  }},
             });
  } else {
    error(node, "an expectation is a kind (\"leak.definite\") or a mapping with 'kind', 'function', 'coroutine', 'tool'");
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
    // `third_party` is not a kind: whether races inside code the user did not write fail.
    if (kind.Scalar() != "third_party")
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

std::vector<std::string> Loader::get_functions(const YAML::Node& node, std::string_view key) {
  const std::string_view example = key == "thread_safe" ? "the one that makes the shared object, e.g. mdb_env_create"
                                                        : "the library's allocation wrappers, e.g. jsonp_malloc";
  std::vector<SourcePos> positions;
  auto names = get_string_list(node, key, &positions);
  const auto items = node.IsSequence() ? std::vector<YAML::Node>(node.begin(), node.end()) : std::vector<YAML::Node>{node};
  for (std::size_t i = 0; i < names.size() && i < items.size(); ++i) {
    const auto& name = names[i];
    const bool ok = !name.empty() && name.find_first_of(" \t()/") == std::string::npos;
    if (!ok)
      error(items[i], fmt::format("'{}' lists functions by name ({}; globs allowed), not '{}'", key, example, shorten(name)));
  }
  return names;
}

// A suppression's `aux:` list of {label, frames}: patterns over a finding's other stacks.
void Loader::load_aux_matches(const YAML::Node& v, std::vector<model::AuxMatch>& out) {
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
    walk_map(item, "aux entry",
             {
                 {"label",
                  [&](auto&, auto& x) {
                    if (auto l = get_string(x, "label")) m.label = *l;
                  }},
                 {"frames", [&](auto&, auto& x) { m.frames = get_list(x, "frames", "frame patterns, the top frame first"); }},
             });
    out.push_back(std::move(m));
  }
}

void Loader::load_suppression(const YAML::Node& node, std::vector<model::Suppression>& out) {
  model::Suppression sup;
  sup.pos = pos(node);
  if (!node.IsMap()) {
    error(node, "a suppression is a mapping with at least 'kind' or 'frames'");
    return;
  }
  walk_map(
      node, "suppression",
      {
          {"name",
           [&](auto&, auto& v) {
             if (auto x = get_string(v, "name")) sup.name = *x;
           }},
          {"kind",
           [&](auto&, auto& v) {
             auto x = get_string(v, "kind");
             if (!x) return;
             if (!looks_like_kind(*x))
               error(v, fmt::format("'kind' must be a finding kind such as leak.definite, or a glob such as 'leak.*', not '{}'",
                                    shorten(*x)));
             else if (auto problem = model::check_kind_pattern(*x); !problem.empty())
               error(v, problem);
             sup.kind = *x;
           }},
          {"tools",
           [&](auto&, auto& v) {
             if (auto t = get_tools(v, "tools")) sup.tools = *t;
           }},
          {"tool",
           [&](auto&, auto& v) {
             if (auto t = get_tools(v, "tool")) sup.tools = *t;
           }},
          {"frames", [&](auto&, auto& v) { sup.frames = get_list(v, "frames", "frame patterns, the top frame first"); }},
          {"labels", [&](auto&, auto& v) { sup.labels = get_list(v, "labels", "label globs"); }},
          {"aux", [&](auto&, auto& v) { load_aux_matches(v, sup.aux); }},
          {"static-initialisation", [&](auto&, auto& v) { sup.static_initialisation = get_flag(v, "static-initialisation"); }},
          {"library-static-initialisation",
           [&](auto&, auto& v) { sup.library_static_initialisation = get_flag(v, "library-static-initialisation"); }},
          {"reason",
           [&](auto&, auto& v) {
             if (auto x = get_string(v, "reason")) sup.reason = *x;
           }},
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
      auto loaded = spec::load_suppressions(text, path, std::filesystem::path(path).parent_path().string());
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
      error(it->first,
            suggestion.empty()
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

}  // namespace harness::spec::detail
