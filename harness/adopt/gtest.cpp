#include "harness/adopt/gtest.hpp"

#include "harness/util/capture.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <charconv>

namespace harness::adopt {

std::vector<std::string> parse_gtest_list(std::string_view text) {
  std::vector<std::string> cases;
  std::string suite;
  auto strip_comment = [](std::string_view line) {
    if (auto at = line.find("  #"); at != std::string_view::npos) line = line.substr(0, at);
    return util::trim(line);
  };
  for (auto line : util::split_lines(text)) {
    if (line.empty()) continue;
    if (line.front() != ' ') {
      auto name = strip_comment(line);
      // "Suite." heads its cases; anything else (a banner a main() printed) ends the current suite.
      suite = !name.empty() && name.back() == '.' ? std::string(name) : std::string();
      continue;
    }
    if (suite.empty()) continue;
    const auto name = std::string(strip_comment(line));
    if (name.empty()) continue;
    const auto full = suite + name;
    const auto suite_name = suite.substr(suite.find('/') == std::string::npos ? 0 : suite.find('/') + 1);
    if (util::starts_with(suite_name, "DISABLED_") || util::starts_with(name, "DISABLED_")) continue;
    cases.push_back(full);
  }
  return cases;
}

std::vector<std::string> shard_cases(std::vector<std::string> cases, int total, int index) {
  if (total <= 1 || index < 0 || index >= total) return cases;
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < cases.size(); ++i)
    if (static_cast<int>(i % static_cast<std::size_t>(total)) == index) kept.push_back(std::move(cases[i]));
  return kept;
}

std::string case_feature_name(const std::string& program, const std::string& name) {
  std::string out = program + "." + name;
  for (auto& c : out)
    if (c == '/') c = '-';
  return out;
}

namespace {

int env_int(const std::map<std::string, std::string>& spec_env, const std::map<std::string, std::string>& environment,
            const std::string& name, int fallback) {
  const auto* map = spec_env.count(name) ? &spec_env : environment.count(name) ? &environment : nullptr;
  if (!map) return fallback;
  const auto& text = map->at(name);
  int value = fallback;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

util::Result<bool> expand_gtest(model::SuiteSpec& suite, const std::map<std::string, std::string>& environment) {
  std::vector<model::FeatureSpec> features;
  bool expanded = false;
  for (auto& feature : suite.features) {
    if (!feature.program || feature.program->origin != "gtest" || !feature.program->gtest_case.empty()) {
      features.push_back(std::move(feature));
      continue;
    }
    expanded = true;
    const auto& program = *feature.program;
    const auto env = model::environment_of(suite, feature);
    auto argv = program.argv;
    argv.push_back("--gtest_list_tests");
    util::CaptureOptions options;
    options.cwd = program.cwd;
    options.env = env;
    // Listing is not a run: the cases are sharded below, by the numbering GoogleTest itself uses.
    options.env["GTEST_TOTAL_SHARDS"] = "1";
    options.env["GTEST_SHARD_INDEX"] = "0";
    const auto listing = util::capture(argv, options);
    if (!listing)
      return util::make_error(
          fmt::format("{}:{}:{}: program '{}' ({}) did not list its tests with --gtest_list_tests: is "
                      "it a GoogleTest binary?",
                      suite.file, feature.pos.line, feature.pos.column, feature.name, program.argv.front()));
    const int total =
        env_int(feature.env.count("GTEST_TOTAL_SHARDS") ? feature.env : suite.env, environment, "GTEST_TOTAL_SHARDS", 1);
    const int index =
        env_int(feature.env.count("GTEST_SHARD_INDEX") ? feature.env : suite.env, environment, "GTEST_SHARD_INDEX", 0);
    const auto listed = parse_gtest_list(*listing);
    if (listed.empty())
      return util::make_error(fmt::format("{}:{}:{}: program '{}' lists no enabled GoogleTest cases", suite.file,
                                          feature.pos.line, feature.pos.column, feature.name));
    for (const auto& name : shard_cases(listed, total, index)) {
      auto one = feature;
      one.name = case_feature_name(feature.name, name);
      one.program->gtest_case = name;
      features.push_back(std::move(one));
    }
  }
  suite.features = std::move(features);
  return expanded;
}

std::map<std::string, GtestCaseRun> parse_gtest_progress(std::string_view stdout_text) {
  using State = GtestCaseRun::State;
  std::map<std::string, GtestCaseRun> cases;
  static const std::pair<std::string_view, State> k_ends[] = {
      {"[       OK ] ", State::passed}, {"[  FAILED  ] ", State::failed}, {"[  SKIPPED ] ", State::skipped}};
  for (auto line : util::split_lines(stdout_text)) {
    if (util::starts_with(line, "[ RUN      ] ")) {
      cases[std::string(util::trim(line.substr(13)))].state = State::running;
      continue;
    }
    for (const auto& [prefix, state] : k_ends) {
      if (!util::starts_with(line, prefix)) continue;
      auto rest = line.substr(prefix.size());
      const auto open = rest.rfind(" (");
      if (open == std::string_view::npos || !util::ends_with(rest, " ms)")) break;  // the summary's list
      const auto it = cases.find(std::string(rest.substr(0, open)));
      if (it == cases.end() || it->second.state != State::running) break;
      it->second.state = state;
      double ms = -1;
      const auto digits = rest.substr(open + 2, rest.size() - open - 6);
      std::from_chars(digits.data(), digits.data() + digits.size(), ms);
      it->second.seconds = ms >= 0 ? ms / 1000.0 : -1;
      break;
    }
  }
  return cases;
}

bool every_case_ended(const std::map<std::string, GtestCaseRun>& progress, const std::vector<std::string>& cases,
                      bool process_failed) {
  using State = GtestCaseRun::State;
  bool any_failed = false;
  for (const auto& c : cases) {
    const auto it = progress.find(c);
    if (it == progress.end() || it->second.state == State::not_started || it->second.state == State::running) return false;
    any_failed = any_failed || it->second.state == State::failed;
  }
  return any_failed == process_failed;
}

std::optional<std::map<std::string, std::vector<model::Finding>>> findings_by_case(const std::vector<model::Finding>& findings,
                                                                                   const std::vector<std::string>& cases) {
  std::map<std::string, std::string> by_class;  // "Suite_Name_Test" -> "Suite.Name"
  for (const auto& name : cases) {
    const auto cls = model::gtest_class(name);
    if (cls.empty() || !by_class.emplace(cls, name).second) return std::nullopt;
  }
  constexpr std::string_view k_body = "::TestBody()";
  auto case_of = [&](const std::vector<model::Frame>& stack) -> const std::string* {
    for (const auto& frame : stack) {
      if (!util::ends_with(frame.function, k_body)) continue;
      auto cls = std::string_view(frame.function).substr(0, frame.function.size() - k_body.size());
      if (const auto colons = cls.rfind("::"); colons != std::string_view::npos) cls.remove_prefix(colons + 2);
      if (auto it = by_class.find(std::string(cls)); it != by_class.end()) return &it->second;
    }
    return nullptr;
  };
  std::map<std::string, std::vector<model::Finding>> out;
  for (const auto& name : cases) out[name];
  for (const auto& f : findings) {
    const std::string* owner = case_of(f.stack);
    for (std::size_t a = 0; !owner && a < f.aux_stacks.size(); ++a) owner = case_of(f.aux_stacks[a].frames);
    if (!owner) return std::nullopt;
    out[*owner].push_back(f);
  }
  return out;
}

}  // namespace harness::adopt
