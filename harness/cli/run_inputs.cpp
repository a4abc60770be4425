#include "harness/adopt/gtest.hpp"
#include "harness/aggregate/baseline.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/cli/run_stages.hpp"
#include "harness/spec/spec_loader.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"
#include "reports/results_reader.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>

namespace harness::cli {

namespace {

// The spec files, then the suites a command built (exec, ctest); GoogleTest programs become one
// program per case (listing runs each binary once). The GoogleTest sharding variables in Sohound's
// own environment shard the whole run, not the cases of each program; set them in a spec's env to
// shard one program's cases.
bool load_suites(const RunOptions& options, const std::map<std::string, std::string>& environment,
                 std::vector<model::SuiteSpec>& suites) {
  bool ok = true;
  for (const auto& path : options.specs) {
    auto spec = spec::load_file(path);
    if (!spec) {
      fmt::print(stderr, "{}\n", spec.error().message);
      ok = false;
      continue;
    }
    suites.push_back(std::move(*spec));
  }
  for (const auto& suite : options.suites) suites.push_back(suite);
  auto gtest_environment = environment;
  gtest_environment.erase("GTEST_TOTAL_SHARDS");
  gtest_environment.erase("GTEST_SHARD_INDEX");
  for (auto& suite : suites)
    if (auto expanded = adopt::expand_gtest(suite, gtest_environment); !expanded) {
      fmt::print(stderr, "{}\n", expanded.error().message);
      ok = false;
    }
  if (!options.compiler.empty())
    for (auto& suite : suites) suite.compiler = options.compiler == "clang" ? model::Compiler::clang : model::Compiler::gcc;
  std::set<std::string> names;
  for (const auto& s : suites)
    if (!names.insert(s.name).second) {
      fmt::print(stderr, "{}: suite name '{}' is used by two specs; suite names must be unique in a run\n", s.file, s.name);
      ok = false;
    }
  return ok;
}

bool load_tools(const RunOptions& options, plan::PlanOptions& plan_options) {
  bool ok = true;
  plan_options.filter = options.filter;
  for (const auto& name : options.tools) {
    auto tool = model::tool_from_name(name);
    if (!tool) {
      const auto suggestion = util::closest_match(name, model::tool_names());
      fmt::print(stderr, "sohound: unknown tool '{}'{}; known tools: {}\n", name,
                 suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                 fmt::join(model::tool_names(), ", "));
      ok = false;
      continue;
    }
    plan_options.tools.push_back(*tool);
  }
  return ok;
}

// --suppressions and --baseline.
bool load_policy(const RunOptions& options, exec::PipelineOptions& pipeline_options) {
  bool ok = true;
  pipeline_options.default_suppressions = options.default_suppressions;
  for (const auto& file : options.suppressions) {
    auto loaded = spec::load_suppressions_file(file);
    if (!loaded) {
      fmt::print(stderr, "{}\n", loaded.error().message);
      ok = false;
      continue;
    }
    for (auto& s : *loaded) pipeline_options.suppressions.push_back(std::move(s));
  }
  if (options.baseline.empty()) return ok;
  auto baseline = aggregate::load_baseline(options.baseline);
  if (!baseline) {
    fmt::print(stderr, "{}\n", baseline.error().message);
    return false;
  }
  pipeline_options.baseline = std::move(baseline->fingerprints);
  pipeline_options.baseline_jobs = std::move(baseline->jobs);
  pipeline_options.use_baseline = true;
  pipeline_options.baseline_v1 = baseline->recipe == aggregate::k_fingerprint_version_v1;
  if (pipeline_options.baseline_v1)
    fmt::print(stderr,
               "sohound: note: {} holds fingerprints of recipe {}; findings are matched to it by that recipe. "
               "Write it again with --write-baseline to move it to {}.\n",
               options.baseline, aggregate::k_fingerprint_version_v1, aggregate::k_fingerprint_version);
  return ok;
}

// --shard (and the CI variables) and --costs.
bool load_sharding(const RunOptions& options, const std::map<std::string, std::string>& environment, RunInputs& inputs) {
  bool ok = true;
  auto shard = plan::resolve_shard(options.shard, options.shard_total, environment);
  if (!shard) {
    fmt::print(stderr, "{}\n", shard.error().message);
    ok = false;
  } else {
    inputs.shard = *shard;
  }
  if (options.costs.empty()) return ok;
  if (!shard || !*shard)
    fmt::print(stderr, "sohound: note: --costs balances shards; this run is not sharded, so it is not used\n");
  auto loaded = reports::read_job_costs(options.costs);
  if (!loaded) {
    fmt::print(stderr, "{}\n", loaded.error().message);
    return false;
  }
  inputs.known_costs = std::move(*loaded);
  return ok;
}

}  // namespace

std::optional<RunInputs> load_run_inputs(const RunOptions& options, const std::map<std::string, std::string>& environment) {
  RunInputs inputs;
  // Every stage runs, so one run reports every problem of its inputs at once.
  bool ok = load_suites(options, environment, inputs.suites);
  ok = load_tools(options, inputs.plan_options) && ok;
  ok = load_policy(options, inputs.pipeline_options) && ok;
  if (auto renderers = reports::select_renderers(options.reports); !renderers) {
    fmt::print(stderr, "sohound: {}\n", renderers.error().message);
    ok = false;
  } else {
    inputs.renderers = std::move(*renderers);
  }
  ok = load_sharding(options, environment, inputs) && ok;
  if (!ok) return std::nullopt;
  return inputs;
}

std::string specs_digest(const RunOptions& options) {
  std::uint64_t h = util::fnv1a64("sohound.specs/1");
  for (const auto& path : options.specs) h = util::fnv1a64(util::read_file_or_empty(path) + "\n--\n", h);
  for (const auto& suite : options.suites)
    for (const auto& feature : suite.features)
      if (feature.program)
        h = util::fnv1a64(suite.name + "/" + feature.name + ":" + util::join(feature.program->argv, " ") + "\n", h);
  return util::to_hex(h);
}

std::optional<PlannedRun> plan_run(const RunOptions& options, const RunInputs& inputs, model::Tracer& tracer,
                                   model::Tracer::Handle run_span) {
  const auto& suites = inputs.suites;
  const auto plan_jobs = plan::make_jobs(suites, inputs.plan_options);
  if (plan_jobs.empty()) {
    fmt::print(stderr, "sohound: no jobs to run{}\n",
               options.filter.empty() ? "" : fmt::format(" (--filter '{}' matched no feature)", options.filter));
    return std::nullopt;
  }
  PlannedRun planned;
  if (!inputs.shard) {
    planned.jobs = plan_jobs;
    return planned;
  }
  // A shard runs its part of the plan (docs/sharding.md); the split depends only on the plan and
  // the --costs file, so every shard computes the same one.
  const auto& selection = *inputs.shard;
  const auto split_inputs = plan::split_inputs(suites, plan_jobs, [&](const plan::JobPlan& job) -> std::optional<double> {
    const auto& suite = suites[job.suite];
    const auto key = plan::cost_key(suite.name, suite.features[job.feature].name, job.tool);
    if (auto it = inputs.known_costs.find(key); it != inputs.known_costs.end()) return it->second;
    return std::nullopt;
  });
  const auto split = plan::split_inputs_into_shards(split_inputs, selection.total);
  auto& info = planned.shard;
  for (const auto& input : split_inputs) info.split_inputs.push_back(plan::encode_split_input(input));
  info.index = selection.index;
  info.total = selection.total;
  info.source = selection.source;
  info.balance = split.balance;
  info.plan = plan::plan_id(suites, plan_jobs);
  info.split = split.id;
  info.specs_digest = specs_digest(options);
  info.plan_jobs = plan_jobs.size();
  for (std::size_t i = 0; i < plan_jobs.size(); ++i)
    if (split.shard_of[i] == selection.index - 1) {
      planned.jobs.push_back(plan_jobs[i]);
      info.jobs.push_back(i);
    }
  fmt::print(stderr, "sohound: shard {}/{} (from {}): {} of {} jobs, split by {}\n", selection.index, selection.total,
             selection.source, planned.jobs.size(), plan_jobs.size(),
             split.balance == "costs" ? "the job times in " + options.costs : "a stable hash");
  tracer.annotate(run_span, "shard", fmt::format("{}/{}", selection.index, selection.total));
  // Bazel's protocol: touching the status file says the test runner understood the sharding.
  if (!selection.status_file.empty()) std::ofstream(selection.status_file, std::ios::app);
  return planned;
}

}  // namespace harness::cli
