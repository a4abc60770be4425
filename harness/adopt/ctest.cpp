#include "harness/adopt/ctest.hpp"

#include "harness/exec/program_verdict.hpp"
#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"
#include "harness/util/json_input.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>

namespace harness::adopt {
namespace fs = std::filesystem;
using nlohmann::json;

std::string test_job_name(const std::string& test) {
  std::string out;
  for (char c : test) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '_';
  if (out.size() > 100) out.resize(100);
  if (out.empty() || out == "." || out == "..") out = "test";
  return out;
}

namespace {

const json* property(const json& test, std::string_view name) {
  if (!test.contains("properties") || !test["properties"].is_array()) return nullptr;
  for (const auto& p : test["properties"])
    if (p.is_object() && util::string_member(p, "name") == name && p.contains("value")) return &p["value"];
  return nullptr;
}

std::vector<std::string> ctest_args(const std::string& build_dir, const CtestSelection& s) {
  std::vector<std::string> argv = {"ctest", "--test-dir", build_dir, "--show-only=json-v1"};
  auto add = [&](const char* flag, const std::string& value) {
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  };
  add("-R", s.name_regex);
  add("-E", s.exclude_name_regex);
  add("-L", s.label_regex);
  add("-LE", s.exclude_label_regex);
  return argv;
}

// `ctest --show-only` writes Testing/Temporary/LastTest.log in the build folder, over the log of the
// user's last real ctest run (its ASan stacks, say): the build folder is left as it was found, the
// log put back (content and times), or removed with the folders ctest made for it.
class BuildFolderKept {
 public:
  explicit BuildFolderKept(const std::string& dir)
      : m_testing(dir + "/Testing"), m_temporary(m_testing + "/Temporary"), m_log(m_temporary + "/LastTest.log") {
    std::error_code ec;
    m_had_testing = fs::exists(m_testing, ec);
    m_had_temporary = fs::exists(m_temporary, ec);
    struct stat st {};
    if (::lstat(m_log.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      m_text = util::read_file_or_empty(m_log);
      m_times[0] = st.st_atim;
      m_times[1] = st.st_mtim;
    }
  }
  ~BuildFolderKept() {
    std::error_code ec;
    if (m_text) {
      if (util::read_file_or_empty(m_log) != *m_text) {
        std::ofstream(m_log, std::ios::binary | std::ios::trunc) << *m_text;
        ::utimensat(AT_FDCWD, m_log.c_str(), m_times, 0);
      } else {
        ::utimensat(AT_FDCWD, m_log.c_str(), m_times, 0);
      }
      return;
    }
    fs::remove(m_log, ec);
    if (!m_had_temporary && fs::is_empty(m_temporary, ec)) fs::remove(m_temporary, ec);
    if (!m_had_testing && fs::is_empty(m_testing, ec)) fs::remove(m_testing, ec);
  }
  BuildFolderKept(const BuildFolderKept&) = delete;
  BuildFolderKept& operator=(const BuildFolderKept&) = delete;

 private:
  std::string m_testing, m_temporary, m_log;
  bool m_had_testing = false, m_had_temporary = false;
  std::optional<std::string> m_text;
  struct timespec m_times[2] = {};
};

std::vector<std::string> strings(const json* value) {
  std::vector<std::string> out;
  if (value && value->is_array())
    for (const auto& v : *value)
      if (v.is_string()) out.push_back(v.get<std::string>());
  if (value && value->is_string()) out.push_back(value->get<std::string>());
  return out;
}

bool flag(const json* value) {
  if (!value) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number()) return value->get<double>() != 0;
  return false;
}

// Properties that change how a test runs that Sohound does not honour: the test is not run, and
// says which. (RESOURCE_GROUPS is ignored, as ctest ignores it without --resource-spec-file;
// LABELS select, COST orders, PROCESSOR_AFFINITY, ATTACHED_FILES and MEASUREMENT change no verdict.)
constexpr const char* k_not_honoured[] = {"TIMEOUT_AFTER_MATCH"};

// ENVIRONMENT, then ENVIRONMENT_MODIFICATION (CMake 3.22: reset, set, unset, string_append,
// string_prepend, path_list_append/prepend with ':', cmake_list_append/prepend with ';'), over
// the environment Sohound runs with, which is what the test inherits.
util::Result<model::ProgramEnv> test_environment(const json& test) {
  std::map<std::string, std::optional<std::string>> given;  // after ENVIRONMENT
  for (const auto& entry : strings(property(test, "ENVIRONMENT")))
    if (const auto eq = entry.find('='); eq != std::string::npos) given[entry.substr(0, eq)] = entry.substr(eq + 1);
  auto now = given;
  auto initial = [&](const std::string& name) -> std::optional<std::string> {
    if (auto it = given.find(name); it != given.end()) return it->second;
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
  for (const auto& entry : strings(property(test, "ENVIRONMENT_MODIFICATION"))) {
    const auto eq = entry.find('=');
    const auto colon = eq == std::string::npos ? std::string::npos : entry.find(':', eq);
    if (colon == std::string::npos)
      return util::make_error(fmt::format("ENVIRONMENT_MODIFICATION entry '{}' is not VAR=OP:VALUE", entry));
    const auto name = entry.substr(0, eq), op = entry.substr(eq + 1, colon - eq - 1), value = entry.substr(colon + 1);
    auto current = now.count(name) ? now[name] : initial(name);
    auto join = [&](const char* sep, bool append) {
      if (!current || current->empty()) return value;
      return append ? *current + sep + value : value + sep + *current;
    };
    if (op == "reset")
      current = initial(name);
    else if (op == "set")
      current = value;
    else if (op == "unset")
      current = std::nullopt;
    else if (op == "string_append")
      current = current.value_or("") + value;
    else if (op == "string_prepend")
      current = value + current.value_or("");
    else if (op == "path_list_append")
      current = join(":", true);
    else if (op == "path_list_prepend")
      current = join(":", false);
    else if (op == "cmake_list_append")
      current = join(";", true);
    else if (op == "cmake_list_prepend")
      current = join(";", false);
    else
      return util::make_error(fmt::format("ENVIRONMENT_MODIFICATION entry '{}': unknown operation '{}'", entry, op));
    now[name] = current;
  }
  model::ProgramEnv env;
  for (const auto& [name, value] : now)
    if (value)
      env.set[name] = *value;
    else
      env.unset.push_back(name);
  return env;
}

// The verdict rules of a test (WILL_FAIL, SKIP_RETURN_CODE, the regular expressions, REQUIRED_FILES).
model::ProgramVerdict test_verdict(const json& test, std::vector<std::string>& problems) {
  model::ProgramVerdict v;
  v.will_fail = flag(property(test, "WILL_FAIL"));
  if (const auto* code = property(test, "SKIP_RETURN_CODE"); code && code->is_number_integer()) {
    const int n = code->get<int>();
    if (n >= 0 && n <= 255) v.skip_exit_status = n;
  }
  v.pass_regex = strings(property(test, "PASS_REGULAR_EXPRESSION"));
  v.fail_regex = strings(property(test, "FAIL_REGULAR_EXPRESSION"));
  v.skip_regex = strings(property(test, "SKIP_REGULAR_EXPRESSION"));
  v.required_files = strings(property(test, "REQUIRED_FILES"));
  for (const auto* list : {&v.pass_regex, &v.fail_regex, &v.skip_regex})
    if (auto error = exec::regex_error(*list); !error.empty()) problems.push_back(error);
  return v;
}

model::RunOrder test_order(const json& test) {
  model::RunOrder order;
  order.depends = strings(property(test, "DEPENDS"));
  order.fixtures_setup = strings(property(test, "FIXTURES_SETUP"));
  order.fixtures_cleanup = strings(property(test, "FIXTURES_CLEANUP"));
  order.fixtures_required = strings(property(test, "FIXTURES_REQUIRED"));
  order.resource_locks = strings(property(test, "RESOURCE_LOCK"));
  order.run_serial = flag(property(test, "RUN_SERIAL"));
  if (const auto* n = property(test, "PROCESSORS"); n && n->is_number_integer()) order.processors = std::max(1, n->get<int>());
  return order;
}

// What ctest lists in `dir`, the folder left as it was.
std::optional<std::string> show_only(const std::string& dir, const CtestSelection& selection) {
  BuildFolderKept kept(dir);
  return util::capture(ctest_args(dir, selection));
}

}  // namespace

util::Result<std::vector<model::FeatureSpec>> parse_ctest_json(std::string_view text, std::vector<std::string>& notes) {
  const auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || util::string_member(doc, "kind") != "ctestInfo" || !doc.contains("tests") ||
      !doc["tests"].is_array())
    return util::make_error("not the output of ctest --show-only=json-v1");
  std::vector<model::FeatureSpec> features;
  std::set<std::string> names;
  std::map<std::string, std::string> renamed;  // test name -> feature name
  for (const auto& test : doc["tests"]) {
    if (!test.is_object()) continue;
    const auto name = util::string_member(test, "name");
    if (const auto* disabled = property(test, "DISABLED"); disabled && disabled->is_boolean() && disabled->get<bool>()) {
      notes.push_back(fmt::format("ctest test '{}' is DISABLED: not run", name));
      continue;
    }
    if (!test.contains("command") || !test["command"].is_array() || test["command"].empty()) {
      notes.push_back(fmt::format("ctest test '{}' has no command (its executable is not built?): not run", name));
      continue;
    }
    model::ProgramSpec program;
    for (const auto& a : test["command"])
      if (a.is_string()) program.argv.push_back(a.get<std::string>());
    if (program.argv.empty()) continue;
    program.origin = "ctest";
    program.build_hint = "sohound ctest --{} BUILD_DIR: the same project built with that sanitizer";
    model::FeatureSpec feature;
    if (const auto* cwd = property(test, "WORKING_DIRECTORY"); cwd && cwd->is_string()) program.cwd = cwd->get<std::string>();
    std::vector<std::string> problems;
    if (auto env = test_environment(test))
      program.env = std::move(*env);
    else
      problems.push_back(env.error().message);
    program.verdict = test_verdict(test, problems);
    for (const char* unsupported : k_not_honoured)
      if (property(test, unsupported)) problems.push_back(fmt::format("Sohound does not honour its {} property", unsupported));
    if (!problems.empty()) program.verdict.cannot_run = util::join(problems, "; ");
    feature.order = test_order(test);
    if (const auto* timeout = property(test, "TIMEOUT"); timeout && timeout->is_number() && timeout->get<double>() > 0)
      feature.timeout_s = timeout->get<double>();
    auto base = test_job_name(name);
    feature.name = base;
    for (int n = 2; !names.insert(feature.name).second; ++n) feature.name = base + "~" + std::to_string(n);
    feature.isolation = model::Isolation::process;
    feature.program = std::move(program);
    renamed[name] = feature.name;
    features.push_back(std::move(feature));
  }
  // DEPENDS names tests; the features carry job names.
  for (auto& f : features)
    for (auto& d : f.order.depends)
      if (auto it = renamed.find(d); it != renamed.end()) d = it->second;
  return features;
}

util::Result<model::SuiteSpec> load_ctest_suite(const std::string& build_dir, const CtestSelection& selection,
                                                const std::map<model::Flavour, std::string>& flavour_dirs,
                                                std::vector<std::string>& notes) {
  std::error_code ec;
  const auto dir = fs::absolute(build_dir, ec).lexically_normal().string();
  if (!fs::is_regular_file(fs::path(dir) / "CTestTestfile.cmake", ec))
    return util::make_error(fmt::format("{} is not a CMake build folder with tests (no CTestTestfile.cmake)", build_dir));
  const auto text = show_only(dir, selection);
  if (!text) return util::make_error(fmt::format("ctest --show-only=json-v1 failed in {} (is ctest installed?)", build_dir));
  auto features = parse_ctest_json(*text, notes);
  if (!features) return util::make_error(fmt::format("{}: {}", build_dir, features.error().message));
  for (const auto& [flavour, other_dir] : flavour_dirs) {
    const auto other = show_only(fs::absolute(other_dir, ec).lexically_normal().string(), selection);
    std::vector<std::string> ignored;
    auto other_features =
        other ? parse_ctest_json(*other, ignored) : util::Result<std::vector<model::FeatureSpec>>(util::make_error(""));
    if (!other_features)
      return util::make_error(fmt::format("--{} {}: ctest --show-only=json-v1 failed there", model::name(flavour), other_dir));
    // That build's own command line, folder and environment: a test started through a wrapper
    // (a script, python) runs that build's program, not the plain one.
    std::map<std::string, const model::ProgramSpec*> by_name;
    for (const auto& f : *other_features) by_name[f.name] = &*f.program;
    for (auto& f : *features) {
      if (auto it = by_name.find(f.name); it != by_name.end()) {
        f.program->builds[flavour] = it->second->argv.front();
        f.program->setups[flavour] = {it->second->argv, it->second->cwd, it->second->env};
      } else
        notes.push_back(fmt::format("ctest test '{}' is not in the {} build {}", f.name, model::name(flavour), other_dir));
    }
  }
  model::SuiteSpec suite;
  suite.name = "ctest";
  suite.file = dir + "/CTestTestfile.cmake";
  suite.dir = dir;
  suite.timeout_s = 1500;  // ctest's own default
  suite.features = std::move(*features);
  if (suite.features.empty())
    return util::make_error(
        fmt::format("{}: ctest lists no test to run{}", build_dir,
                    selection.name_regex.empty() && selection.label_regex.empty() ? "" : " for this selection"));
  return suite;
}

}  // namespace harness::adopt
