#include "harness/plan/shard.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>
#include <tuple>

namespace harness::plan {

namespace {

std::optional<long> parse_int(std::string_view text) {
  text = util::trim(text);
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

const std::string* lookup(const std::map<std::string, std::string>& env, const std::string& key) {
  const auto it = env.find(key);
  return it == env.end() ? nullptr : &it->second;
}

// One variable convention: total and index variables, the index's base.
util::Result<std::optional<ShardSelection>> from_env(const std::map<std::string, std::string>& env, const std::string& source,
                                                     const std::string& total_var, const std::string& index_var, int base) {
  const auto* total = lookup(env, total_var);
  const auto* index = lookup(env, index_var);
  if (!total && !index) return std::optional<ShardSelection>();
  if (!total || !index)
    return util::make_error(fmt::format("sohound: {} is set but {} is not: {} sharding needs both", total ? total_var : index_var,
                                        total ? index_var : total_var, source));
  const auto n = parse_int(*total);
  const auto k = parse_int(*index);
  if (!n || *n < 1 || *n > 100000)
    return util::make_error(fmt::format("sohound: {}='{}' is not a shard count (a whole number from 1)", total_var, *total));
  if (!k || *k < base || *k >= *n + base)
    return util::make_error(fmt::format("sohound: {}='{}' is not a shard index of {}={} ({}-based: {} to {})", index_var, *index,
                                        total_var, *n, base, base, *n - 1 + base));
  ShardSelection s;
  s.index = static_cast<int>(*k - base + 1);
  s.total = static_cast<int>(*n);
  s.source = source;
  return std::optional<ShardSelection>(s);
}

}  // namespace

util::Result<std::optional<ShardSelection>> resolve_shard(const std::string& cli_shard, int cli_total,
                                                          const std::map<std::string, std::string>& env) {
  if (!cli_shard.empty()) {
    if (cli_total > 0)
      return util::make_error(
          "sohound: --shard-total goes with JOB_COMPLETION_INDEX (Kubernetes); with --shard K/N give N there");
    const auto slash = cli_shard.find('/');
    const auto k = slash == std::string::npos ? std::nullopt : parse_int(std::string_view(cli_shard).substr(0, slash));
    const auto n = slash == std::string::npos ? std::nullopt : parse_int(std::string_view(cli_shard).substr(slash + 1));
    if (!k || !n || *n < 1 || *n > 100000 || *k < 1 || *k > *n)
      return util::make_error(fmt::format(
          "sohound: --shard '{}': expected K/N with 1 <= K <= N (1-based, like CI_NODE_INDEX/CI_NODE_TOTAL)", cli_shard));
    return std::optional<ShardSelection>(ShardSelection{static_cast<int>(*k), static_cast<int>(*n), "--shard", {}});
  }
  for (const auto& [source, total, index, base] :
       {std::tuple<const char*, const char*, const char*, int>{"bazel", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", 0},
        {"gtest", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", 0},
        {"gitlab", "CI_NODE_TOTAL", "CI_NODE_INDEX", 1}})
    if (auto found = from_env(env, source, total, index, base); !found || *found) {
      if (cli_total > 0 && found)
        return util::make_error(
            fmt::format("sohound: --shard-total is for JOB_COMPLETION_INDEX; this run is sharded by {}", total));
      if (found && std::string_view(source) == "bazel")
        if (const auto* status = lookup(env, "TEST_SHARD_STATUS_FILE")) (*found)->status_file = *status;
      return found;
    }
  const auto* completion = lookup(env, "JOB_COMPLETION_INDEX");
  if (completion && cli_total > 0) {
    const auto k = parse_int(*completion);
    if (!k || *k < 0 || *k >= cli_total)
      return util::make_error(
          fmt::format("sohound: JOB_COMPLETION_INDEX='{}' is not a shard index of --shard-total {} (0-based: 0 to {})",
                      *completion, cli_total, cli_total - 1));
    return std::optional<ShardSelection>(ShardSelection{static_cast<int>(*k + 1), cli_total, "kubernetes", {}});
  }
  if (cli_total > 0)
    return util::make_error("sohound: --shard-total needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) in the environment");
  // JOB_COMPLETION_INDEX alone is a Kubernetes job that is not asking for a split: the whole run.
  return std::optional<ShardSelection>();
}

std::string cost_key(const std::string& suite, const std::string& feature, model::Tool tool) {
  return suite + "/" + feature + "/" + std::string(model::name(tool));
}

namespace {

// A cost as results.json records it (to the microsecond).
std::string cost_text(double cost) { return fmt::format("{:.6f}", cost); }

// The cost the split works with: the recorded one, so the split a run makes from its inputs is the
// very split `merge` makes again from their record (two units whose costs differ only past the
// sixth decimal would otherwise be ordered one way by the run and the other by the merge).
std::optional<double> as_recorded(std::optional<double> cost) {
  if (!cost) return cost;
  const auto text = cost_text(*cost);
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::vector<SplitInput> split_inputs(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs,
                                     const CostLookup& known_cost) {
  std::vector<SplitInput> inputs;
  inputs.reserve(jobs.size());
  for (const auto& job : jobs) {
    const auto& suite = suites[job.suite];
    const auto& feature = suite.features[job.feature];
    inputs.push_back(
        {suite.name, feature.name, job.tool, !feature.program, known_cost ? as_recorded(known_cost(job)) : std::nullopt});
  }
  return inputs;
}

std::string encode_split_input(const SplitInput& input) {
  return fmt::format("{}\t{}\t{}", cost_key(input.suite, input.feature, input.tool),
                     input.cost ? cost_text(*input.cost) : std::string("-"), input.compiled ? 1 : 0);
}

std::optional<SplitInput> decode_split_input(std::string_view text) {
  const auto tab1 = text.find('\t');
  const auto tab2 = tab1 == std::string_view::npos ? tab1 : text.find('\t', tab1 + 1);
  if (tab2 == std::string_view::npos) return std::nullopt;
  const auto key = text.substr(0, tab1);
  const auto slash1 = key.find('/');
  const auto slash2 = key.rfind('/');
  if (slash1 == std::string_view::npos || slash2 == slash1) return std::nullopt;
  SplitInput input;
  input.suite = std::string(key.substr(0, slash1));
  input.feature = std::string(key.substr(slash1 + 1, slash2 - slash1 - 1));
  const auto tool = model::tool_from_name(key.substr(slash2 + 1));
  if (!tool || input.suite.empty() || input.feature.empty()) return std::nullopt;
  input.tool = *tool;
  const auto cost = text.substr(tab1 + 1, tab2 - tab1 - 1);
  if (cost != "-") {
    double value = 0;
    const auto [end, ec] = std::from_chars(cost.data(), cost.data() + cost.size(), value);
    if (ec != std::errc{} || end != cost.data() + cost.size() || !(value >= 0)) return std::nullopt;
    input.cost = value;
  }
  const auto compiled = text.substr(tab2 + 1);
  if (compiled != "0" && compiled != "1") return std::nullopt;
  input.compiled = compiled == "1";
  return input;
}

std::string plan_id(const std::vector<SplitInput>& inputs) {
  std::uint64_t h = util::fnv1a64("sohound.plan/1");
  for (const auto& input : inputs) h = util::fnv1a64(cost_key(input.suite, input.feature, input.tool) + "\n", h);
  return util::to_hex(h);
}

std::string plan_id(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs) {
  return plan_id(split_inputs(suites, jobs, {}));
}

ShardPlan split_into_shards(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs, int total,
                            const CostLookup& known_cost) {
  return split_inputs_into_shards(split_inputs(suites, jobs, known_cost), total);
}

ShardPlan split_inputs_into_shards(const std::vector<SplitInput>& inputs, int total) {
  ShardPlan plan;
  total = std::max(1, total);
  plan.shard_of.assign(inputs.size(), 0);
  plan.load.assign(static_cast<std::size_t>(total), 0.0);
  // Units: a feature's jobs that share a build flavour, in plan order.
  struct Unit {
    std::string key;  // suite/feature/flavour
    std::vector<std::size_t> jobs;
    double cost = 0;
  };
  std::vector<Unit> units;
  std::map<std::string, std::size_t> index;
  bool any_known = false;
  std::uint64_t id = util::fnv1a64("sohound.split/1/" + std::to_string(total));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& job = inputs[i];
    auto key = job.suite + "/" + job.feature + "/" + std::string(model::name(model::info(job.tool).flavour));
    auto [it, fresh] = index.try_emplace(key, units.size());
    if (fresh) {
      units.push_back({std::move(key), {}, 0});
      // The feature's object compile for this flavour (programs are not compiled).
      if (job.compiled) units.back().cost += 0.05;
    }
    auto& unit = units[it->second];
    unit.jobs.push_back(i);
    const auto& cost = job.cost;
    any_known = any_known || cost.has_value();
    id = util::fnv1a64(fmt::format("{}:{}\n", i, cost ? fmt::format("{:.6f}", *cost) : std::string("-")), id);
    unit.cost += cost ? *cost : default_job_cost_s(job.tool);
  }
  plan.id = util::to_hex(id);
  if (any_known) {
    plan.balance = "costs";
    std::vector<std::size_t> order(units.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (units[a].cost != units[b].cost) return units[a].cost > units[b].cost;
      return units[a].key < units[b].key;
    });
    for (auto u : order) {
      const auto shard = static_cast<std::size_t>(std::min_element(plan.load.begin(), plan.load.end()) - plan.load.begin());
      plan.load[shard] += units[u].cost;
      for (auto j : units[u].jobs) plan.shard_of[j] = static_cast<int>(shard);
    }
  } else {
    plan.balance = "hash";
    for (const auto& unit : units) {
      const auto shard = static_cast<int>(util::fnv1a64(unit.key) % static_cast<std::uint64_t>(total));
      plan.load[static_cast<std::size_t>(shard)] += unit.cost;
      for (auto j : unit.jobs) plan.shard_of[j] = shard;
    }
  }
  return plan;
}

}  // namespace harness::plan
