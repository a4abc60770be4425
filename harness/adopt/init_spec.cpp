// The starter spec's text (`sohound init`): the library stanza, the headers, and twelve features
// from init_features, those that call the library first.
#include "harness/adopt/init.hpp"
#include "harness/adopt/init_features.hpp"
#include "harness/util/capture.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

namespace harness::adopt {
namespace fs = std::filesystem;

namespace {

std::string yaml_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// "a, b, c and 12 more" within about `width` characters.
std::string listing(const std::vector<std::string>& names, std::size_t width) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& n : names) {
    if (!out.empty() && out.size() + n.size() + 2 > width) break;
    out += (out.empty() ? "" : ", ") + n;
    ++shown;
  }
  if (shown < names.size()) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

}  // namespace

// How init compiles the calls it writes: the suite's compiler and language standard, the library's
// include flags, and warnings that would hide a wrong call made errors.
std::vector<std::string> init_compile_command(const LibraryFacts& facts) {
  std::vector<std::string> argv = facts.cxx
                                      ? std::vector<std::string>{"g++", "-std=c++20"}
                                      : std::vector<std::string>{"gcc", "-std=gnu17", "-Werror=implicit-function-declaration",
                                                                 "-Werror=int-conversion", "-Werror=incompatible-pointer-types"};
  argv.insert(argv.end(), {"-fsyntax-only", "-x", facts.cxx ? "c++" : "c"});
  if (facts.pkg_config) {
    std::istringstream flags(util::capture({"pkg-config", "--cflags", facts.given}).value_or(""));
    for (std::string w; flags >> w;) argv.push_back(w);
  }
  if (!facts.header_dir.empty()) argv.push_back("-I" + facts.header_dir);
  argv.push_back("-");
  return argv;
}

std::string starter_spec(const LibraryFacts& facts, const std::string& suite_name) {
  const std::set<std::string> declared(facts.declared.begin(), facts.declared.end());
  const std::set<std::string> classes(facts.classes.begin(), facts.classes.end());
  // Families the headers show first (a class they define, a function they declare): exported
  // internals and template instances come last.
  auto families = function_families(facts.symbols, std::numeric_limits<std::size_t>::max());
  const std::set<std::string> makeable(facts.makeable.begin(), facts.makeable.end());
  auto shown = std::stable_partition(families.begin(), families.end(), [&](const FunctionFamily& family) {
    if (facts.cxx) return classes.count(family.name) > 0;
    return std::any_of(family.functions.begin(), family.functions.end(),
                       [&](const std::string& f) { return declared.count(f) > 0; });
  });
  // Of those, C++ classes the library can make come first: they are the ones a call is written for.
  std::stable_partition(families.begin(), shown, [&](const FunctionFamily& family) { return makeable.count(family.name) > 0; });
  // Calls are tried for the first 48 families; the 12 features are those with a call that
  // compiles first, then todos, in the families' order.
  if (families.size() > 48) families.resize(48);
  auto tried = starter_features(facts, families, init_compile_command(facts));
  std::vector<std::size_t> order(tried.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(), [&](std::size_t i) { return tried[i].todo.empty(); });
  std::vector<StarterFeature> features;
  std::vector<FunctionFamily> chosen;
  std::vector<std::string> others;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k < 12) {
      features.push_back(tried[order[k]]);
      chosen.push_back(families[order[k]]);
    } else {
      others.push_back(families[order[k]].name);
    }
  }
  families = std::move(chosen);
  const auto written = std::count_if(features.begin(), features.end(), [](const StarterFeature& f) { return f.todo.empty(); });
  std::string out;
  out += fmt::format("# A starter spec for {}, written by `sohound init {}`\n", facts.given, facts.given);
  out += fmt::format("# from the {} functions {} exports", facts.symbols.size(), fs::path(facts.so_path).filename().string());
  out += facts.headers.empty() ? " (no header declaring them was found: add yours to 'includes').\n"
                               : fmt::format(" and the headers that declare them.\n");
  out += fmt::format(
      "# {} of its {} features call the library: an object made and destroyed, a version asked for (each call\n"
      "# compiled before it was written). They check that much only: make them do what your users do.\n"
      "# The rest say 'todo': they are skipped, and say so, until you write them (docs/spec.md), then:\n"
      "# sohound check THIS_FILE && sohound run THIS_FILE\n",
      written, features.size());
  if (!others.empty()) out += "# Families without a feature yet: " + listing(others, 200) + "\n";
  out += fmt::format("suite: {}\n", suite_name);
  out += fmt::format("language: {}\n", facts.cxx ? "c++" : "c");
  out += "library:\n";
  if (facts.pkg_config) {
    out += fmt::format("  pkg-config: {}\n", yaml_quote(facts.given));
  } else {
    out += fmt::format("  path: {}\n", yaml_quote(facts.so_path));
    if (!facts.header_dir.empty()) out += fmt::format("  include-dirs: [{}]\n", yaml_quote(facts.header_dir));
  }
  std::vector<std::string> includes;
  for (const auto& h : facts.headers) includes.push_back(yaml_quote(h));
  if (!facts.cxx) includes.push_back("stddef.h");
  out += fmt::format("includes: [{}]\n", util::join(includes, ", "));
  out += "features:\n";
  for (std::size_t i = 0; i < features.size(); ++i) {
    const auto& f = features[i];
    const auto& family = families[i];
    out += fmt::format("  - name: {}\n", f.name);
    out += fmt::format("    # {} ({} function{}): {}\n", family.name, family.functions.size(),
                       family.functions.size() == 1 ? "" : "s", listing(family.functions, 160));
    if (!f.todo.empty()) {
      out += fmt::format("    todo: {}\n", yaml_quote(f.todo));
      continue;
    }
    out += fmt::format("    # calls {}: replace with what your users do with {}\n", f.calls, family.name);
    out += "    code: |\n";
    for (const auto line : util::split_lines(f.code)) out += fmt::format("      {}\n", line);
  }
  return out;
}

}  // namespace harness::adopt
