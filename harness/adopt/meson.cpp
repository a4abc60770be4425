#include "harness/adopt/meson.hpp"

#include "harness/adopt/ctest.hpp"
#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"
#include "harness/util/json_input.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <set>
#include <sstream>

namespace harness::adopt {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Typed members read as untrusted input (util::string_member): the fallback when missing or of
// another type.
json array_of(const json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_array() ? *it : json::array();
}

// `meson test`'s own exit statuses: 77 skips a test, 99 is a hard error (GNU's conventions).
constexpr int k_meson_skip = 77;
constexpr int k_meson_error = 99;
constexpr double k_meson_default_timeout_s = 30;

std::pair<std::string, std::string> split_suite(const std::string& suite) {
  const auto colon = suite.find(':');
  return colon == std::string::npos ? std::pair{suite, std::string()}
                                    : std::pair{suite.substr(0, colon), suite.substr(colon + 1)};
}

// Meson 1.0 leaves should_fail out of its introspection; its own pickled test list has it. Read
// with the interpreter meson runs on (its #! line), which can import mesonbuild.
constexpr const char* k_should_fail_script = R"(import json, pickle, sys
with open(sys.argv[1], 'rb') as f:
    tests = pickle.load(f)
print(json.dumps([bool(t.should_fail) for t in tests]))
)";

util::Result<std::vector<bool>> read_should_fail(const std::string& build_dir) {
  std::string meson;
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; meson.empty() && std::getline(path, dir, ':');) {
    std::error_code ec;
    if (!dir.empty() && fs::is_regular_file(fs::path(dir) / "meson", ec)) meson = (fs::path(dir) / "meson").string();
  }
  if (meson.empty()) return util::make_error("meson is not on PATH");
  auto head = util::read_file_ends(meson, 256, 0);
  head = head.substr(0, head.find('\n'));
  if (!util::starts_with(head, "#!")) return util::make_error(meson + " has no #! line naming its Python");
  std::istringstream words(head.substr(2));
  std::vector<std::string> argv{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
  if (argv.empty()) return util::make_error(meson + " has an empty #! line");
  util::append(argv, {"-c", k_should_fail_script, build_dir + "/meson-private/meson_test_setup.dat"});
  const auto text = util::capture(argv);
  const auto doc = text ? json::parse(*text, nullptr, false) : json();
  if (!doc.is_array())
    return util::make_error("cannot read should_fail from " + build_dir + "/meson-private/meson_test_setup.dat");
  std::vector<bool> out;
  for (const auto& v : doc) out.push_back(v.is_boolean() && v.get<bool>());
  return out;
}

bool chosen(const json& test, const std::vector<std::string>& suites, const MesonSelection& s) {
  const auto name = util::string_member(test, "name");
  if (!s.names.empty() &&
      std::none_of(s.names.begin(), s.names.end(), [&](const std::string& n) { return n == name || util::glob_match(n, name); }))
    return false;
  if (!s.suites.empty() &&
      std::none_of(s.suites.begin(), s.suites.end(), [&](const std::string& w) { return meson_suite_matches(suites, w); }))
    return false;
  return std::none_of(s.no_suites.begin(), s.no_suites.end(),
                      [&](const std::string& w) { return meson_suite_matches(suites, w); });
}

// What a test runs: its command line, folder and environment (the form a flavour's build brings).
model::ProgramSetup test_setup(const json& test, const std::string& build_dir) {
  model::ProgramSetup setup;
  for (const auto& a : array_of(test, "cmd"))
    if (a.is_string()) setup.argv.push_back(a.get<std::string>());
  // A test without a workdir runs where `meson test` runs: the build folder.
  const auto& workdir = test.contains("workdir") ? test["workdir"] : json();
  setup.cwd = workdir.is_string() ? workdir.get<std::string>() : build_dir;
  if (test.contains("env") && test["env"].is_object())
    for (const auto& [k, v] : test["env"].items())
      if (v.is_string()) setup.env.set[k] = v.get<std::string>();
  return setup;
}

}  // namespace

bool meson_suite_matches(const std::vector<std::string>& test_suites, const std::string& wanted) {
  const auto [prj_match, st_match] = split_suite(wanted);
  for (const auto& full : test_suites) {
    const auto [prj, st] = split_suite(full);
    if (st_match.empty() && st == prj_match) return true;
    if (!prj_match.empty() && prj != prj_match) continue;
    if (!st_match.empty() && st != st_match) continue;
    return true;
  }
  return false;
}

util::Result<std::vector<model::FeatureSpec>> parse_meson_tests(std::string_view text, const std::string& build_dir,
                                                                const std::vector<bool>& should_fail,
                                                                const MesonSelection& selection,
                                                                std::vector<std::string>& notes) {
  const auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return util::make_error("not the output of meson introspect --tests");
  std::vector<model::FeatureSpec> features;
  std::set<std::string> names;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& test = doc[i];
    if (!test.is_object()) continue;
    const auto name = util::string_member(test, "name");
    std::vector<std::string> suites;
    for (const auto& s : array_of(test, "suite"))
      if (s.is_string()) suites.push_back(s.get<std::string>());
    if (!chosen(test, suites, selection)) continue;
    auto setup = test_setup(test, build_dir);
    if (setup.argv.empty()) {
      notes.push_back(fmt::format("meson test '{}' has no command: not run", name));
      continue;
    }
    model::ProgramSpec program;
    program.argv = setup.argv;
    program.cwd = setup.cwd;
    program.env = setup.env;
    program.origin = "meson";
    program.build_hint = "sohound meson --{} BUILD_DIR: the same project configured with -Db_sanitize=that sanitizer";
    const auto protocol = util::string_member(test, "protocol", "exitcode");
    program.verdict.tap = protocol == "tap";
    if (!program.verdict.tap) {
      program.verdict.skip_exit_status = k_meson_skip;
      program.verdict.error_exit_status = k_meson_error;
    }
    const auto fails = test.find("should_fail");
    program.verdict.will_fail =
        fails != test.end() && fails->is_boolean() ? fails->get<bool>() : i < should_fail.size() && should_fail[i];
    model::FeatureSpec feature;
    const auto timeout_at = test.find("timeout");
    const double timeout =
        timeout_at != test.end() && timeout_at->is_number() ? timeout_at->get<double>() : k_meson_default_timeout_s;
    feature.timeout_s = timeout > 0 ? timeout : model::k_max_scaled_timeout_s;  // 0: no limit in Meson
    const auto parallel = test.find("is_parallel");
    feature.order.run_serial = parallel != test.end() && parallel->is_boolean() && !parallel->get<bool>();
    auto base = test_job_name(name);
    feature.name = base;
    for (int n = 2; !names.insert(feature.name).second; ++n) feature.name = base + "~" + std::to_string(n);
    feature.isolation = model::Isolation::process;
    feature.program = std::move(program);
    features.push_back(std::move(feature));
  }
  return features;
}

util::Result<model::SuiteSpec> load_meson_suite(const std::string& build_dir, const MesonSelection& selection,
                                                const std::map<model::Flavour, std::string>& flavour_dirs,
                                                std::vector<std::string>& notes) {
  auto load = [&](const std::string& given) -> util::Result<std::vector<model::FeatureSpec>> {
    std::error_code ec;
    const auto dir = fs::absolute(given, ec).lexically_normal().string();
    if (!fs::is_regular_file(fs::path(dir) / "meson-info/meson-info.json", ec))
      return util::make_error(fmt::format("{} is not a Meson build folder (no meson-info/meson-info.json)", given));
    const auto text = util::capture({"meson", "introspect", "--tests", dir});
    if (!text) return util::make_error(fmt::format("meson introspect --tests failed in {} (is meson installed?)", given));
    std::vector<bool> should_fail;
    if (text->find("\"should_fail\"") == std::string::npos) {
      auto read = read_should_fail(dir);
      if (!read) return util::make_error(fmt::format("{}: which tests should fail is unknown: {}", given, read.error().message));
      should_fail = std::move(*read);
    }
    auto features = parse_meson_tests(*text, dir, should_fail, selection, notes);
    if (!features) return util::make_error(fmt::format("{}: {}", given, features.error().message));
    return features;
  };
  auto features = load(build_dir);
  if (!features) return util::make_error(features.error().message);
  for (const auto& [flavour, other_dir] : flavour_dirs) {
    std::vector<std::string> ignored;
    auto other = load(other_dir);
    if (!other) return util::make_error(fmt::format("--{} {}", model::name(flavour), other.error().message));
    std::map<std::string, const model::ProgramSpec*> by_name;
    for (const auto& f : *other) by_name[f.name] = &*f.program;
    for (auto& f : *features) {
      if (auto it = by_name.find(f.name); it != by_name.end()) {
        f.program->builds[flavour] = it->second->argv.front();
        f.program->setups[flavour] = {it->second->argv, it->second->cwd, it->second->env};
      } else {
        notes.push_back(fmt::format("meson test '{}' is not in the {} build {}", f.name, model::name(flavour), other_dir));
      }
    }
  }
  std::error_code ec;
  model::SuiteSpec suite;
  suite.name = "meson";
  suite.dir = fs::absolute(build_dir, ec).lexically_normal().string();
  suite.file = suite.dir + "/meson-info/intro-tests.json";
  suite.timeout_s = k_meson_default_timeout_s;
  suite.features = std::move(*features);
  if (suite.features.empty())
    return util::make_error(fmt::format("{}: meson lists no test to run{}", build_dir,
                                        selection.names.empty() && selection.suites.empty() ? "" : " for this selection"));
  return suite;
}

}  // namespace harness::adopt
