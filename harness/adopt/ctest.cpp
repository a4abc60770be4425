#include "harness/adopt/ctest.hpp"

#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
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

namespace {

std::string job_name(const std::string& test) {
  std::string out;
  for (char c : test) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '_';
  if (out.size() > 100) out.resize(100);
  if (out.empty() || out == "." || out == "..") out = "test";
  return out;
}

const json* property(const json& test, std::string_view name) {
  if (!test.contains("properties") || !test["properties"].is_array()) return nullptr;
  for (const auto& p : test["properties"])
    if (p.is_object() && p.value("name", "") == name && p.contains("value")) return &p["value"];
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

// What ctest lists in `dir`, the folder left as it was.
std::optional<std::string> show_only(const std::string& dir, const CtestSelection& selection) {
  BuildFolderKept kept(dir);
  return util::capture(ctest_args(dir, selection));
}

}  // namespace

util::Result<std::vector<model::FeatureSpec>> parse_ctest_json(std::string_view text, std::vector<std::string>& notes) {
  const auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "ctestInfo" || !doc.contains("tests") ||
      !doc["tests"].is_array())
    return util::make_error("not the output of ctest --show-only=json-v1");
  std::vector<model::FeatureSpec> features;
  std::set<std::string> names;
  for (const auto& test : doc["tests"]) {
    if (!test.is_object()) continue;
    const auto name = test.value("name", std::string());
    if (const auto* disabled = property(test, "DISABLED"); disabled && disabled->is_boolean() && disabled->get<bool>()) {
      notes.push_back(fmt::format("ctest test '{}' is DISABLED: not run", name));
      continue;
    }
    if (!test.contains("command") || !test["command"].is_array() || test["command"].empty()) {
      notes.push_back(fmt::format("ctest test '{}' has no command (its executable is not built?): not run", name));
      continue;
    }
    if (const auto* will_fail = property(test, "WILL_FAIL"); will_fail && will_fail->is_boolean() && will_fail->get<bool>()) {
      notes.push_back(fmt::format("ctest test '{}' is WILL_FAIL (it passes by failing): not run under the tools", name));
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
    if (const auto* env = property(test, "ENVIRONMENT"); env && env->is_array())
      for (const auto& entry : *env)
        if (entry.is_string()) {
          const auto text_entry = entry.get<std::string>();
          if (const auto eq = text_entry.find('='); eq != std::string::npos)
            feature.env[text_entry.substr(0, eq)] = text_entry.substr(eq + 1);
        }
    if (const auto* timeout = property(test, "TIMEOUT"); timeout && timeout->is_number() && timeout->get<double>() > 0)
      feature.timeout_s = timeout->get<double>();
    auto base = job_name(name);
    feature.name = base;
    for (int n = 2; !names.insert(feature.name).second; ++n) feature.name = base + "~" + std::to_string(n);
    feature.isolation = model::Isolation::process;
    feature.program = std::move(program);
    features.push_back(std::move(feature));
  }
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
    std::map<std::string, std::string> by_name;
    for (const auto& f : *other_features) by_name[f.name] = f.program->argv.front();
    for (auto& f : *features) {
      if (auto it = by_name.find(f.name); it != by_name.end())
        f.program->builds[flavour] = it->second;
      else
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
