#include "harness/plan/planner.hpp"

#include "harness/util/text.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace harness::plan {

std::vector<model::Tool> tools_for(const model::SuiteSpec& suite, const model::FeatureSpec& feature,
                                   const std::vector<model::Tool>& restrict_to) {
  std::vector<model::Tool> tools;
  if (feature.tools)
    tools = *feature.tools;
  else if (suite.tools)
    tools = *suite.tools;
  else
    for (const auto& row : model::tool_table()) tools.push_back(row.tool);
  if (!restrict_to.empty())
    std::erase_if(tools, [&](model::Tool t) { return std::find(restrict_to.begin(), restrict_to.end(), t) == restrict_to.end(); });
  return tools;
}

std::vector<JobPlan> make_jobs(const std::vector<model::SuiteSpec>& suites, const PlanOptions& options) {
  std::vector<JobPlan> jobs;
  for (std::size_t s = 0; s < suites.size(); ++s) {
    const auto& suite = suites[s];
    for (std::size_t f = 0; f < suite.features.size(); ++f) {
      const auto& feature = suite.features[f];
      if (!options.filter.empty() && !util::glob_match(options.filter, feature.name) &&
          !util::glob_match(options.filter, suite.name + "/" + feature.name))
        continue;
      for (auto tool : tools_for(suite, feature, options.tools)) jobs.push_back({s, f, tool});
    }
  }
  return jobs;
}

model::Isolation isolation_for(const model::SuiteSpec& suite, const model::FeatureSpec& feature,
                               std::optional<model::Isolation> cli) {
  if (cli == model::Isolation::process || !feature.ldflags.empty()) return model::Isolation::process;
  if (feature.isolation) return *feature.isolation;
  if (suite.isolation) return *suite.isolation;
  return model::Isolation::batch;
}

double startup_cost_s(model::Tool tool) {
  // Measured here: Valgrind starts in 0.3-0.5 s (memcheck with --track-origins the most); the
  // sanitizer runtimes in a few milliseconds.
  switch (tool) {
    case model::Tool::memcheck: return 0.7;
    case model::Tool::helgrind:
    case model::Tool::drd: return 0.5;
    default: return 0.02;
  }
}

double default_job_cost_s(model::Tool tool) {
  // Measured in a batch: a small feature with its leak check takes 30-60 ms under Valgrind.
  return model::info(tool).family == model::ToolFamily::valgrind ? 0.05 : 0.01;
}

std::vector<RunUnit> make_units(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs,
                                const std::vector<std::size_t>& selected, const UnitOptions& options) {
  struct Estimate {
    double cost;
    bool known;
  };
  auto estimate = [&](const JobPlan& job) {
    if (options.known_cost)
      if (auto c = options.known_cost(job)) return Estimate{*c, true};
    return Estimate{default_job_cost_s(job.tool), false};
  };
  using Key = std::tuple<std::size_t, int, int, std::map<std::string, std::string>, double>;
  std::map<Key, std::vector<std::size_t>> groups;
  std::vector<Key> order;  // groups in first-seen order, so units are deterministic
  std::vector<RunUnit> units;
  double total = 0;
  for (auto index : selected) {
    const auto& job = jobs[index];
    const auto& suite = suites[job.suite];
    const auto& feature = suite.features[job.feature];
    const auto cost = estimate(job);
    if (isolation_for(suite, feature, options.isolation) == model::Isolation::process) {
      units.push_back({job.suite, job.tool, {index}, startup_cost_s(job.tool) + cost.cost, !cost.known});
      total += units.back().cost_s;
      continue;
    }
    auto env = suite.env;
    for (const auto& [k, v] : feature.env) env.insert_or_assign(k, v);
    Key key{job.suite, static_cast<int>(job.tool), feature.threads, std::move(env), feature.timeout_s.value_or(suite.timeout_s)};
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(it->first);
    it->second.push_back(index);
    total += cost.cost;
  }
  for (const auto& key : order) total += startup_cost_s(static_cast<model::Tool>(std::get<1>(key)));
  // With k batches of one tool on P cores the run takes about ceil(k/P) x (start-up + work/k): k = P
  // is best for one tool alone; with several tools, whole-tool units already pack the cores.
  const double target = total / static_cast<double>(std::max(1, options.parallel));
  for (const auto& key : order) {
    const auto& members = groups[key];
    const auto tool = static_cast<model::Tool>(std::get<1>(key));
    double sum = 0;
    for (auto index : members) sum += estimate(jobs[index]).cost;
    // Cut into k batches of near-equal size; k grows until one batch fits the target, but no batch
    // gets less of its features' own work than one more tool start-up would cost.
    const double by_target = std::ceil((sum + startup_cost_s(tool)) / std::max(target, 1e-9));
    const double by_startup = std::floor(sum / startup_cost_s(tool)) + 1;
    const auto k = static_cast<std::size_t>(
        std::clamp(std::min(by_target, by_startup), 1.0, static_cast<double>(members.size())));
    for (std::size_t b = 0; b < k; ++b) {
      RunUnit unit{std::get<0>(key), tool, {}, startup_cost_s(tool), false};
      for (std::size_t i = b * members.size() / k; i < (b + 1) * members.size() / k; ++i) {
        const auto cost = estimate(jobs[members[i]]);
        unit.jobs.push_back(members[i]);
        unit.cost_s += cost.cost;
        unit.unseen = unit.unseen || !cost.known;
      }
      units.push_back(std::move(unit));
    }
  }
  std::stable_sort(units.begin(), units.end(), [](const RunUnit& a, const RunUnit& b) {
    if (a.unseen != b.unseen) return a.unseen;
    return a.cost_s > b.cost_s;
  });
  return units;
}

}  // namespace harness::plan
