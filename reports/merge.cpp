#include "reports/merge.hpp"

#include "harness/plan/shard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

namespace reports {
namespace model = harness::model;

namespace {

// The items of `from` that `to` lacks, appended in their order.
void append_new(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& item : from)
    if (std::find(to.begin(), to.end(), item) == to.end()) to.push_back(item);
}

// Totals every input contributes, whichever way the jobs are combined.
void add_totals(model::RunSummary& merged, const model::RunSummary& run,
                std::map<std::pair<std::string, std::string>, std::size_t>& suppression_index, bool first_input) {
  if (merged.sohound_version.empty()) merged.sohound_version = run.sohound_version;
  if (merged.started_at.empty() || (!run.started_at.empty() && run.started_at < merged.started_at))
    merged.started_at = run.started_at;
  merged.duration_s = std::max(merged.duration_s, run.duration_s);  // shards run side by side
  merged.interrupted = merged.interrupted || run.interrupted;
  merged.input_errors.insert(merged.input_errors.end(), run.input_errors.begin(), run.input_errors.end());
  merged.self_cpu_s += run.self_cpu_s;
  merged.children_cpu_s += run.children_cpu_s;
  merged.processes += run.processes;
  merged.batches += run.batches;
  merged.reruns += run.reruns;
  merged.cached += run.cached;
  merged.cache_damaged += run.cache_damaged;
  merged.cache_evicted += run.cache_evicted;
  if (merged.cache_dir.empty()) merged.cache_dir = run.cache_dir;
  // Sandboxed only when every input was; the first reason why not is kept.
  if (first_input)
    merged.sandbox = run.sandbox;
  else if (merged.sandbox != run.sandbox)
    merged.sandbox.clear();
  if (merged.sandbox_reason.empty()) merged.sandbox_reason = run.sandbox_reason;
  append_new(merged.sandbox_debug_copies, run.sandbox_debug_copies);
  append_new(merged.specs, run.specs);
  if (merged.baseline.empty()) merged.baseline = run.baseline;
  for (const auto& use : run.suppressions) {
    auto [it, inserted] = suppression_index.try_emplace({use.name, use.source}, merged.suppressions.size());
    if (inserted)
      merged.suppressions.push_back(use);
    else
      merged.suppressions[it->second].matched += use.matched;
  }
  merged.spans.insert(merged.spans.end(), run.spans.begin(), run.spans.end());
}

harness::util::Result<model::RunSummary> merge_separate_runs(std::vector<model::RunSummary>& runs,
                                                             const std::vector<std::string>& names, bool allow_duplicate_jobs) {
  model::RunSummary merged;
  std::map<std::tuple<std::string, std::string, model::Tool>, std::pair<std::size_t, std::string>> seen;
  std::map<std::pair<std::string, std::string>, std::size_t> suppression_index;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    auto& run = runs[r];
    add_totals(merged, run, suppression_index, r == 0);
    for (auto& job : run.jobs) {
      const auto key = std::make_tuple(job.suite, job.feature, job.tool);
      auto it = seen.find(key);
      if (it != seen.end()) {
        if (!allow_duplicate_jobs)
          return harness::util::make_error(
              fmt::format("job {}/{} [{}] is in both {} and {}; shards must not overlap (--allow-duplicates keeps the later one)",
                          job.suite, job.feature, model::name(job.tool), it->second.second, names[r]));
        merged.jobs[it->second.first] = std::move(job);
        it->second.second = names[r];
        continue;
      }
      seen.emplace(key, std::make_pair(merged.jobs.size(), names[r]));
      merged.jobs.push_back(std::move(job));
    }
  }
  return merged;
}

std::string shard_name(int index, int total) { return fmt::format("shard {}/{}", index, total); }

// A shard's results say which shard they are; that is not taken on trust. The split is computed
// again from the plan's split inputs the results carry (the same function the shards ran), checked
// against the plan and split ids they claim, and the shard must hold exactly the plan positions
// the split gives its index, each the job the plan has there. "" when it does.
std::string membership_problem(const model::RunSummary& run, const std::string& name) {
  const auto& sh = run.shard;
  const auto label = fmt::format("{} ({})", name, shard_name(sh.index, sh.total));
  if (sh.split_inputs.size() != sh.plan_jobs)
    return fmt::format(
        "{} does not carry its plan's split inputs ({} of {}), so which jobs are its own cannot be checked: "
        "left out",
        label, sh.split_inputs.size(), sh.plan_jobs);
  std::vector<harness::plan::SplitInput> inputs;
  inputs.reserve(sh.split_inputs.size());
  for (const auto& text : sh.split_inputs) {
    auto input = harness::plan::decode_split_input(text);
    if (!input) return fmt::format("{} is damaged: a split input reads '{}': left out", label, text.substr(0, 120));
    inputs.push_back(std::move(*input));
  }
  if (harness::plan::plan_id(inputs) != sh.plan)
    return fmt::format("{} is damaged: its split inputs are not the plan it names: left out", label);
  const auto split = harness::plan::split_inputs_into_shards(inputs, sh.total);
  if (split.id != sh.split) return fmt::format("{} is damaged: its split inputs are not the split it names: left out", label);
  std::vector<std::size_t> own;
  for (std::size_t p = 0; p < split.shard_of.size(); ++p)
    if (split.shard_of[p] == sh.index - 1) own.push_back(p);
  if (own != sh.jobs) {
    std::size_t foreign = 0;
    for (auto p : sh.jobs) foreign += p < split.shard_of.size() && split.shard_of[p] != sh.index - 1;
    return fmt::format(
        "{} does not hold the jobs the split gives {}: {} of its {} jobs are other shards' and it has {} of "
        "its own {}; these are not {}'s results (relabelled?): left out",
        label, shard_name(sh.index, sh.total), foreign, sh.jobs.size(), sh.jobs.size() - foreign, own.size(),
        shard_name(sh.index, sh.total));
  }
  for (std::size_t j = 0; j < run.jobs.size(); ++j) {
    const auto& job = run.jobs[j];
    const auto& input = inputs[sh.jobs[j]];
    if (job.suite != input.suite || job.feature != input.feature || job.tool != input.tool)
      return fmt::format("{} is damaged: its job {}/{} [{}] stands where the plan has {}/{} [{}]: left out", label, job.suite,
                         job.feature, model::name(job.tool), input.suite, input.feature, model::name(input.tool));
  }
  return {};
}

}  // namespace

harness::util::Result<model::RunSummary> merge_runs(std::vector<model::RunSummary> runs, const std::vector<std::string>& names,
                                                    MergeSettings settings) {
  const auto sharded = std::count_if(runs.begin(), runs.end(), [](const model::RunSummary& r) { return r.shard.index > 0; });
  if (sharded == 0) return merge_separate_runs(runs, names, settings.allow_duplicate_jobs);

  // Shard results: check they add up to one run.
  std::vector<std::string> problems;
  const auto reference = static_cast<std::size_t>(
      std::find_if(runs.begin(), runs.end(), [](const model::RunSummary& r) { return r.shard.index > 0; }) - runs.begin());
  const auto& ref = runs[reference];
  const int total = ref.shard.total;
  std::map<int, std::size_t> by_index;  // shard index -> input (the later one when given twice)
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const auto& run = runs[r];
    const auto& sh = run.shard;
    if (sh.index <= 0) {
      problems.push_back(
          fmt::format("{} is not a shard's results (it has no \"shard\"; it was run without --shard or a "
                      "sharding variable, or is a merge): left out",
                      names[r]));
      continue;
    }
    if (run.sohound_version != ref.sohound_version) {
      problems.push_back(fmt::format("{} ({}) was written by Sohound {}, {} by Sohound {}: left out", names[r],
                                     shard_name(sh.index, sh.total), run.sohound_version, names[reference], ref.sohound_version));
      continue;
    }
    if (sh.specs_digest != ref.shard.specs_digest) {
      problems.push_back(fmt::format("{} ({}) ran other spec files, or other versions of them, than {}: left out", names[r],
                                     shard_name(sh.index, sh.total), names[reference]));
      continue;
    }
    if (sh.total != total || sh.plan != ref.shard.plan || sh.plan_jobs != ref.shard.plan_jobs) {
      problems.push_back(
          fmt::format("{} ({}, {} jobs in its plan) is from another split than {} ({}, {} jobs): run every "
                      "shard with the same --tools, --filter, --costs file and shard count; left out",
                      names[r], shard_name(sh.index, sh.total), sh.plan_jobs, names[reference],
                      shard_name(ref.shard.index, total), ref.shard.plan_jobs));
      continue;
    }
    if (sh.split != ref.shard.split) {
      problems.push_back(
          fmt::format("{} ({}) was split by other job times (--costs) than {}: its jobs and theirs may overlap or "
                      "leave gaps; give every shard the same --costs file; left out",
                      names[r], shard_name(sh.index, sh.total), names[reference]));
      continue;
    }
    if (sh.jobs.size() != run.jobs.size() ||
        std::any_of(sh.jobs.begin(), sh.jobs.end(), [&](std::size_t j) { return j >= sh.plan_jobs; })) {
      problems.push_back(fmt::format("{} ({}) is damaged: it lists {} jobs of the plan but holds {}: left out", names[r],
                                     shard_name(sh.index, total), sh.jobs.size(), run.jobs.size()));
      continue;
    }
    if (auto problem = membership_problem(run, names[r]); !problem.empty()) {
      problems.push_back(std::move(problem));
      continue;
    }
    if (auto [it, fresh] = by_index.try_emplace(sh.index, r); !fresh) {
      problems.push_back(fmt::format("{} is given twice: {} and {} (the later one is kept)", shard_name(sh.index, total),
                                     names[it->second], names[r]));
      it->second = r;
    }
  }
  for (int k = 1; k <= total; ++k)
    if (!by_index.count(k)) problems.push_back(fmt::format("{} is missing: its jobs are not in the merge", shard_name(k, total)));
  if (!problems.empty() && !settings.allow_partial) {
    std::string text = "the shard results do not add up to one run:";
    for (const auto& p : problems) text += "\n  - " + p;
    text += "\n(--allow-partial merges what is there and marks every report partial)";
    return harness::util::make_error(text);
  }

  model::RunSummary merged;
  std::map<std::pair<std::string, std::string>, std::size_t> suppression_index;
  std::vector<std::pair<std::size_t, model::JobResult*>> jobs;  // plan position -> job
  std::set<std::size_t> positions;
  model::MergeInfo info;
  info.total = total;
  for (const auto& [index, r] : by_index) {
    auto& run = runs[r];
    add_totals(merged, run, suppression_index, info.shards.empty());
    info.shards.push_back(index);
    for (std::size_t j = 0; j < run.jobs.size(); ++j)
      if (positions.insert(run.shard.jobs[j]).second) {
        jobs.emplace_back(run.shard.jobs[j], &run.jobs[j]);
      } else {
        problems.push_back(fmt::format("job {}/{} [{}] is in two shards (kept once)", run.jobs[j].suite, run.jobs[j].feature,
                                       model::name(run.jobs[j].tool)));
        if (!settings.allow_partial)
          return harness::util::make_error("the shard results do not add up to one run:\n  - " + problems.back());
      }
  }
  std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  merged.jobs.reserve(jobs.size());
  for (const auto& [position, job] : jobs) {
    merged.jobs.push_back(std::move(*job));
    merged.shard.jobs.push_back(position);
  }
  // The plan's identity from the first shard; index 0 and every job merged: a merge, not a shard.
  auto jobs_merged = std::move(merged.shard.jobs);
  merged.shard = ref.shard;
  merged.shard.index = 0;
  merged.shard.jobs = std::move(jobs_merged);
  if (merged.jobs.size() != ref.shard.plan_jobs && problems.empty()) {
    problems.push_back(fmt::format("{} of the plan's {} jobs are in the merge", merged.jobs.size(), ref.shard.plan_jobs));
    if (!settings.allow_partial)
      return harness::util::make_error("the shard results do not add up to one run:\n  - " + problems.back());
  }
  info.partial = !problems.empty();
  info.problems = std::move(problems);
  merged.merge = std::move(info);
  return merged;
}

}  // namespace reports
