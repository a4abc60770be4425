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
    std::erase_if(tools,
                  [&](model::Tool t) { return std::find(restrict_to.begin(), restrict_to.end(), t) == restrict_to.end(); });
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

double startup_cost_s(model::Tool tool) { return model::info(tool).startup_s; }

double default_job_cost_s(model::Tool tool) {
  // Measured in a batch: a small feature takes 20-60 ms under Valgrind (more when memcheck runs
  // its leak check after it).
  return model::info(tool).family == model::ToolFamily::valgrind ? 0.03 : 0.01;
}

namespace {

// What runs sharing a start must have in common besides the suite's environment and the time
// limit: the executable, its folder, its own environment and the children Valgrind skips.
std::string shared_start_key(const model::ProgramSpec& program) {
  std::string key = "run\n" + program.argv.front() + "\n@" + program.cwd + "\n" + util::join(program.skip_children, "\n");
  for (const auto& [name, value] : program.env.set) key += "\nset " + name + "=" + value;
  for (const auto& name : program.env.unset) key += "\nunset " + name;
  return key;
}

}  // namespace

std::vector<RunUnit> make_units(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs,
                                const std::vector<std::size_t>& selected, const UnitOptions& options) {
  struct Estimate {
    double cost;
    bool known;
  };
  auto estimate = [&](const JobPlan& job) {
    if (options.known_cost)
      if (auto c = options.known_cost(job)) return Estimate{*c, true};
    // A program's run takes longer than a generated feature: ~0.1-0.15 s under memcheck once its
    // start is shared (jansson's json_process, measured), so a start's runs are cut across the
    // cores already on a first run, before their costs are known. Only those: a GoogleTest case
    // is not measured so.
    const auto& program = suites[job.suite].features[job.feature].program;
    return Estimate{program && model::can_share_program_process(*program, job.tool) ? 0.15 : default_job_cost_s(job.tool), false};
  };
  // A batch shares one process: its env and timeout. Thread counts may differ (each feature runs
  // its own threads and joins them before the next starts); splitting by them cost a Valgrind
  // start-up (0.7-0.9 s) per group for nothing (bench/shards.sh, measured with the traces).
  // The cases of one GoogleTest binary share a memcheck process (model::can_share_gtest_process),
  // and runs of one program a Valgrind start (model::can_share_program_process): the fifth part of
  // the key is the program and its folder ("" for a suite's features).
  using Key = std::tuple<std::size_t, int, std::map<std::string, std::string>, double, std::string>;
  std::map<Key, std::vector<std::size_t>> groups;
  std::vector<Key> order;  // groups in first-seen order, so units are deterministic
  std::vector<RunUnit> units;
  for (auto index : selected) {
    const auto& job = jobs[index];
    const auto& suite = suites[job.suite];
    const auto& feature = suite.features[job.feature];
    const auto cost = estimate(job);
    const bool gtest = feature.program && options.isolation != model::Isolation::process &&
                       model::can_share_gtest_process(*feature.program, job.tool);
    // Runs of one program share a Valgrind start (model::can_share_program_process) unless the
    // command line asks for a process each (--isolation process), or the run waits for others or
    // may not run (CTest's ordering and REQUIRED_FILES: exec/job_order.hpp), which a run in a shared
    // start could not do without holding up every run after it.
    const bool shared = !gtest && feature.program && options.isolation != model::Isolation::process &&
                        model::can_share_program_process(*feature.program, job.tool) && feature.order.empty() &&
                        feature.program->verdict.required_files.empty() && feature.program->verdict.cannot_run.empty();
    if (!gtest && !shared && isolation_for(suite, feature, options.isolation) == model::Isolation::process) {
      units.push_back({job.suite, job.tool, {index}, startup_cost_s(job.tool) + cost.cost, !cost.known});
      continue;
    }
    const auto program = gtest    ? util::join(feature.program->argv, "\n") + "\n@" + feature.program->cwd
                         : shared ? shared_start_key(*feature.program)
                                  : std::string();
    Key key{job.suite, static_cast<int>(job.tool), model::environment_of(suite, feature),
            feature.timeout_s.value_or(suite.timeout_s), program};
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(it->first);
    it->second.push_back(index);
  }
  // How many batches each group is cut into: start from one each, then, while it shortens the run,
  // cut the group whose batches are the longest once more. The run's length is estimated by
  // longest-first packing of every unit onto `parallel` processes (what the scheduler does), so
  // a group is split only when another core would otherwise idle, and never into batches whose
  // work is less than one more tool start-up.
  struct Group {
    model::Tool tool;
    double work = 0;  // sum of its features' estimated time
    std::size_t size = 0, k = 1;
    double unit_cost() const { return startup_cost_s(tool) + work / static_cast<double>(k); }
  };
  std::vector<Group> cut;
  for (const auto& key : order) {
    Group g{static_cast<model::Tool>(std::get<1>(key))};
    for (auto index : groups[key]) g.work += estimate(jobs[index]).cost;
    g.size = groups[key].size();
    cut.push_back(g);
  }
  const auto cores = static_cast<std::size_t>(std::max(1, options.parallel));
  auto makespan = [&] {
    std::vector<double> costs;
    for (const auto& u : units) costs.push_back(u.cost_s);
    for (const auto& g : cut)
      for (std::size_t i = 0; i < g.k; ++i) costs.push_back(g.unit_cost());
    std::sort(costs.begin(), costs.end(), std::greater<>());
    std::vector<double> load(cores, 0.0);
    for (double c : costs) *std::min_element(load.begin(), load.end()) += c;
    return *std::max_element(load.begin(), load.end());
  };
  for (double best = makespan();;) {
    Group* longest = nullptr;
    for (auto& g : cut)
      if (g.k < g.size && g.work / static_cast<double>(g.k + 1) >= startup_cost_s(g.tool) &&
          (!longest || g.unit_cost() > longest->unit_cost()))
        longest = &g;
    if (!longest) break;
    ++longest->k;
    const double now = makespan();
    if (now >= best - 1e-9) {
      --longest->k;
      break;
    }
    best = now;
  }
  for (std::size_t gi = 0; gi < order.size(); ++gi) {
    const auto& key = order[gi];
    const auto& members = groups[key];
    const auto tool = cut[gi].tool;
    const auto k = cut[gi].k;
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
