#include "harness/exec/job_judging.hpp"

#include "harness/aggregate/suppress.hpp"
#include "harness/codegen/driver_codegen.hpp"
#include "harness/exec/tsan_frames.hpp"

#include <fmt/format.h>

#include <map>

namespace harness::exec {

JobJudging::JobJudging(const std::vector<model::SuiteSpec>& suites, JudgingOptions options)
    : m_suites(suites), m_options(std::move(options)) {
  std::vector<const model::Suppression*> all;
  std::vector<std::vector<std::size_t>> per_suite(suites.size());
  auto add = [&](const model::Suppression& s, std::size_t suite) {
    per_suite[suite].push_back(all.size());
    all.push_back(&s);
  };
  for (std::size_t i = 0; i < suites.size(); ++i) {
    for (const auto& s : suites[i].suppressions) add(s, i);
    for (const auto& s : m_options.suppressions) add(s, i);
    if (m_options.default_suppressions)
      for (const auto& s : aggregate::default_suppressions()) add(s, i);
  }
  // One counter per distinct suppression, shared by the suites that use it.
  std::map<const model::Suppression*, std::size_t> slot;
  for (const auto* s : all)
    if (slot.try_emplace(s, m_uses.size()).second)
      m_uses.push_back({s->name, s->pos.line ? fmt::format("{}:{}", s->pos.file, s->pos.line) : s->pos.file, 0});
  m_per_suite.resize(suites.size());
  for (std::size_t i = 0; i < suites.size(); ++i)
    for (auto k : per_suite[i]) m_per_suite[i].push_back({all[k], &m_uses[slot[all[k]]].matched});
}

aggregate::JudgeContext JobJudging::context(std::size_t s, std::size_t f) const {
  const auto& suite = m_suites[s];
  const auto& feature = suite.features[f];
  aggregate::JudgeContext context;
  context.expectations = feature.expect;
  // Globs first, exact kinds after, so "leak.possible: error" beats "leak.*: warning"; the
  // feature's entries after the suite's.
  for (const auto* map : {&suite.policy, &feature.policy}) {
    for (const auto& [kind, severity] : *map)
      if (kind.find_first_of("*?") != std::string::npos) context.policy.emplace_back(kind, severity);
    for (const auto& [kind, severity] : *map)
      if (kind.find_first_of("*?") == std::string::npos && kind != "third_party") context.policy.emplace_back(kind, severity);
    if (auto it = map->find("third_party"); it != map->end()) context.third_party_fails = it->second == model::Severity::error;
  }
  if (!m_options.own_paths.empty()) {
    aggregate::OwnershipRules rules;
    rules.own_paths = m_options.own_paths;
    rules.own_paths.push_back(suite.dir);  // the spec's own sources
    if (feature.program) {
      rules.own_objects.push_back(feature.program->argv.front());
      for (const auto& [flavour, build] : feature.program->builds) rules.own_objects.push_back(build);
    }
    if (suite.library.kind == model::LibraryKind::build) rules.own_objects.push_back("lib" + suite.library.build.name + ".so");
    // A prebuilt library is the user's when it lies under their folders (their own build).
    if (suite.library.kind == model::LibraryKind::path && aggregate::is_own_object(suite.library.path, rules))
      rules.own_objects.push_back(suite.library.path);
    rules.thread_safe = suite.thread_safe;
    rules.thread_safe.insert(rules.thread_safe.end(), feature.thread_safe.begin(), feature.thread_safe.end());
    context.ownership = std::move(rules);
  }
  context.suppressions = m_per_suite[s];
  context.baseline = m_options.baseline;
  context.baseline_jobs = m_options.baseline_jobs;
  context.allocators = suite.allocators;
  context.baseline_v1 = m_options.baseline_v1;
  return context;
}

void JobJudging::judge(model::JobResult& job, std::size_t s, std::size_t f) const {
  const auto& feature = m_suites[s].features[f];
  if (job.tool == model::Tool::tsan && !feature.program) {
    FeatureFrames frames;
    frames.body = codegen::body_function_name(feature.name);
    if (!feature.code.empty()) {
      frames.spec_file = codegen::snippet_file(feature.code.pos);
      frames.code_line = feature.code.pos.line;
    }
    if (!feature.source.empty()) {
      frames.entry = feature.entry;
      frames.entry_file = feature.source;
    }
    restore_feature_frames(job.findings, frames);
  }
  aggregate::judge(job, context(s, f));
}

std::vector<std::string> blind_spots(const model::SuiteSpec& suite, model::Tool tool) {
  if (suite.library.kind != model::LibraryKind::pkg_config && suite.library.kind != model::LibraryKind::path) return {};
  const auto spot = model::info(tool).prebuilt_blind_spot;
  return spot.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::string(spot)};
}

}  // namespace harness::exec
