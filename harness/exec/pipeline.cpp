#include "harness/exec/pipeline.hpp"
#include "harness/exec/pipeline_impl.hpp"
#include "harness/plan/shard.hpp"

#include "harness/codegen/driver_codegen.hpp"
#include "harness/exec/async_notifier.hpp"
#include "harness/exec/build_commands.hpp"
#include "harness/exec/cache_keys.hpp"
#include "harness/exec/cache_prune.hpp"
#include "harness/exec/debug_copies.hpp"
#include "harness/exec/driver_builds.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/job_judging.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/exec/strays.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>
#include <thread>

#include <unistd.h>

namespace harness::exec {
namespace asio = boost::asio;
using model::JobOutcome;

namespace {

std::string tail(const std::string& text, std::size_t max_bytes = 16 * 1024) {
  if (text.size() <= max_bytes) return text;
  return "[... " + std::to_string(text.size() - max_bytes) + " bytes cut ...]\n" + text.substr(text.size() - max_bytes);
}

JudgingOptions judging_options(const PipelineOptions& options) {
  JudgingOptions judging;
  judging.suppressions = options.suppressions;
  judging.default_suppressions = options.default_suppressions;
  judging.baseline = options.use_baseline ? &options.baseline : nullptr;
  judging.baseline_jobs = options.use_baseline ? &options.baseline_jobs : nullptr;
  judging.baseline_v1 = options.baseline_v1;
  if (options.out) judging.own_paths.push_back(options.out->path());
  if (!options.source_root.empty()) judging.own_paths.push_back(options.source_root);
  return judging;
}

}  // namespace

Pipeline::Impl::Impl(Scheduler& s, const std::vector<model::SuiteSpec>& specs, PipelineOptions o)
    : scheduler(s),
      suites(specs),
      options(std::move(o)),
      cache(options.cache_dir, options.out->path()),  // (options.out_dir is set from it below)
      judging(specs, judging_options(options)) {
  if (!options.tracer) {
    own_tracer.disable();
    options.tracer = &own_tracer;
  }
  options.out_dir = options.out->path();
  start_risk = sanitizer_start_risk(options.host);
  builds.emplace(
      suites, BuildOptions{options.out, options.out_dir, options.build_timeout, options.host.compiler_launcher, &cache}, trace());
}

std::string Pipeline::Impl::runtime_supp() const { return runtime_dir(options.out_dir) + "/sohound_valgrind.supp"; }

// Stores what ran in the cache (unjudged) and its time in the cost table, judges it, and hands it on.
void Pipeline::Impl::finish(std::size_t index, model::JobResult job, Span parent) {
  const auto& plan = (*jobs)[index];
  const auto judging_span = tracer().open("judge", parent == model::Tracer::k_none ? root() : parent);
  if (!job.cached) {
    if (!job.cache_key.empty() &&
        (job.outcome == JobOutcome::ok || job.outcome == JobOutcome::crashed || job.outcome == JobOutcome::exited_early)) {
      cache.store(job.cache_key, job);  // unjudged: the findings as parsed
      if (const auto manifest = manifests.find(index); manifest != manifests.end())
        cache.store_manifest(record_bases.at(index), manifest->second);
    }
    if (job.outcome != JobOutcome::build_failed && job.outcome != JobOutcome::cancelled) {
      costs[plan::cost_key(job.suite, job.feature, job.tool)] = job.duration_s;
      costs_changed = true;
    }
  }
  judging.judge(job, plan.suite, plan.feature);
  if (tracer().enabled()) {
    tracer().annotate(judging_span, "suite", job.suite);
    tracer().annotate(judging_span, "feature", job.feature);
    tracer().annotate(judging_span, "tool", std::string(model::name(job.tool)));
    tracer().annotate(judging_span, "outcome", std::string(model::to_string(job.outcome)));
    tracer().annotate(judging_span, "passed", job.passed ? "true" : "false");
    tracer().annotate(judging_span, "cache_hit", job.cached ? "true" : "false");
    tracer().annotate(judging_span, "findings", std::to_string(job.findings.size()));
  }
  tracer().close(judging_span);
  (*results)[index] = std::move(job);
  mark_done(index);
  if (on_finished) on_finished((*results)[index]);
}

model::JobResult Pipeline::Impl::base_result(std::size_t index) const {
  const auto& plan = (*jobs)[index];
  model::JobResult job;
  job.suite = suites[plan.suite].name;
  job.feature = suites[plan.suite].features[plan.feature].name;
  job.tool = plan.tool;
  job.cache_key = (*results)[index].cache_key;
  return job;
}

void Pipeline::Impl::build_failed(std::size_t index, const std::string& error, const std::string& log,
                                  const std::string& commands, const DriverBuild& build) {
  auto job = base_result(index);
  const auto& tool = model::info(job.tool);
  job.outcome = JobOutcome::build_failed;
  job.message = error;
  job.log = tail(log);
  job.build_command = commands;
  job.job_dir = build_dir(options.out_dir, job.suite, tool.flavour);
  job.phases.push_back({"build", build.start_s, build.end_s});
  job.duration_s = build.end_s - build.start_s;
  // A missing sanitizer runtime is the machine's problem, not the feature's.
  const auto runtime = model::info(tool.flavour).runtime;
  if (!runtime.empty())
    for (const auto& missing : {fmt::format("cannot find -l{}", runtime), fmt::format("cannot find lib{}", runtime)})
      if (log.find(missing) != std::string::npos) {
        job.outcome = JobOutcome::tool_failed;
        job.message = "the " + std::string(tool.name) + " runtime is not installed: " + error;
      }
  job.cache_key.clear();
  finish(index, std::move(job));
}

// Whether tool processes run in the sandbox: planned from the options (here), then proven by
// running `true` inside it through the launcher (probe_sandbox: bwrap refuses where namespaces are
// not allowed, as in unprivileged containers: its message becomes the reason).
void Pipeline::Impl::plan_run_sandbox() {
  // This run's cache is made now, so it exists to be hidden; other caches are hidden when they
  // exist (one made later holds nothing yet).
  auto hide = options.sandbox_hide;
  if (!options.cache_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.cache_dir, ec);
    hide.push_back(options.cache_dir);
  }
  std::erase_if(hide, [](const std::string& dir) {
    std::error_code ec;
    return !std::filesystem::is_directory(dir, ec);
  });
  sandbox = plan_sandbox(options.sandbox, options.sandbox_shim, options.out_dir, hide);
  if (!sandbox.on) return;
  auto texts = texts_naming_paths(suites);
  texts.push_back(options.sandbox_shim);
  texts.push_back(options.channel_preload);
  texts.push_back(options.record_preload);
  texts.push_back(options.zygote_preload);
  sandbox.shown = temporary_roots(texts);
}

asio::awaitable<void> Pipeline::Impl::probe_sandbox() {
  Command probe;
  probe.argv = {"true"};
  probe.stderr_path = runtime_dir(options.out_dir) + "/sandbox-probe.txt";
  probe.sandbox = sandbox_argv(sandbox, {}, "");
  probe.may_leave_processes = false;
  const auto run = co_await scheduler.run(probe, std::chrono::seconds(30), -3);
  if (run.process.started && run.process.exit_code == 0 && !run.timed_out) co_return;
  auto said = util::read_file_ends(probe.stderr_path, 0, 2048);
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  sandbox.on = false;
  sandbox.reason = fmt::format("bubblewrap cannot make a sandbox on this machine: {}",
                               !said.empty()         ? util::printable(said)
                               : run.process.started ? fmt::format("exit status {}", run.process.exit_code)
                                                     : run.process.start_error);
}

// A fixture's jobs under one tool run together or come from the cache together (JobOrder): a
// cached set-up would leave its users without the state it makes.
void Pipeline::Impl::run_fixtures_together(Lookup& found) {
  auto grown = order.with_fixture_partners(found.to_run);
  if (grown.size() == found.to_run.size()) return;
  const std::set<std::size_t> run(grown.begin(), grown.end());
  std::erase_if(found.hits, [&](const auto& hit) { return run.count(hit.first) > 0; });
  found.to_run = std::move(grown);
}

// Cached results are final once what keeps a test from running is known: a fixture's users after
// its set-ups (the whole fixture is cached or none of it: run_fixtures_together), each judged as
// a run would be (why_not_run): a cached result never stands for a test that would not run now.
void Pipeline::Impl::finish_hits(Lookup& found) {
  std::vector<bool> left(found.hits.size(), true);
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t h = 0; h < found.hits.size(); ++h) {
      const auto i = found.hits[h].first;
      const auto& setups = order.setups(i);
      if (!left[h] || std::any_of(setups.begin(), setups.end(), [&](const auto& s) { return !done[s.first]; })) continue;
      left[h] = false;
      progress = true;
      const auto& program = suites[(*jobs)[i].suite].features[(*jobs)[i].feature].program;
      if (const auto why = program ? why_not_run(i) : std::nullopt)
        not_run(i, why->first, why->second);
      else
        finish_hit(i, std::move(found.hits[h].second));
    }
  }
  for (std::size_t h = 0; h < found.hits.size(); ++h)
    if (left[h]) finish_hit(found.hits[h].first, std::move(found.hits[h].second));
}

// Features not written yet (`todo:`): skipped, saying so, before anything is built for them.
void Pipeline::Impl::finish_todo(Lookup& found) {
  std::erase_if(found.to_run, [&](std::size_t i) {
    const auto& todo = suites[(*jobs)[i].suite].features[(*jobs)[i].feature].todo;
    if (todo.empty()) return false;
    not_run(i, JobOutcome::skipped, model::k_todo_message + todo);
    return true;
  });
}

void Pipeline::Impl::finish_hit(std::size_t i, model::JobResult job) {
  {
    const auto& slot = (*results)[i];
    job.suite = slot.suite;
    job.feature = slot.feature;
    job.tool = (*jobs)[i].tool;
    job.cached = true;
    job.sandboxed = sandbox.on;  // its key says it ran as this run would
    job.cache_key = slot.cache_key;
    job.job_dir.clear();
    job.notes.push_back("from the result cache: its inputs are unchanged since it ran (--no-cache runs it again)");
  }
  ++stats.cached;
  finish(i, std::move(job));
}

void Pipeline::Impl::spawn_units(const std::vector<std::size_t>& to_run, Pipeline& pipeline) {
  plan::UnitOptions unit_options;
  unit_options.isolation = options.isolation;
  unit_options.parallel = options.parallel;
  unit_options.known_cost = [this](const plan::JobPlan& job) -> std::optional<double> {
    const auto& suite = suites[job.suite];
    if (auto it = costs.find(plan::cost_key(suite.name, suite.features[job.feature].name, job.tool)); it != costs.end())
      return it->second;
    return std::nullopt;
  };
  const auto units = plan::make_units(suites, *jobs, to_run, unit_options);
  auto& needed = builds->needed();
  for (const auto& unit : units)
    for (auto index : unit.jobs) {
      if (suites[unit.suite].features[(*jobs)[index].feature].program) continue;
      auto& features = needed[{unit.suite, model::info(unit.tool).flavour}];
      if (std::find(features.begin(), features.end(), (*jobs)[index].feature) == features.end())
        features.push_back((*jobs)[index].feature);
    }
  for (auto& [key, features] : needed) std::sort(features.begin(), features.end());
  for (std::size_t u = 0; u < units.size(); ++u) {
    scheduler.spawn([this, &pipeline, unit = units[u], u]() -> asio::awaitable<void> {
      try {
        co_await run_unit(unit, static_cast<int>(u));
      } catch (const boost::system::system_error& e) {
        if (e.code() != asio::error::operation_aborted) pipeline.fail_unit(unit, std::string("internal error: ") + e.what());
      } catch (const std::exception& e) {
        pipeline.fail_unit(unit, std::string("internal error: ") + e.what());
      }
    });
  }
}

Pipeline::Pipeline(Scheduler& scheduler, const std::vector<model::SuiteSpec>& suites, PipelineOptions options)
    : m_impl(std::make_unique<Impl>(scheduler, suites, std::move(options))) {
  const auto& out_dir = m_impl->options.out_dir;
  m_impl->options.out->create(runtime_dir(out_dir));
  for (const auto& [name, text] : codegen::runtime_files())
    util::update_file(runtime_dir(out_dir) + "/" + std::string(name), text);
  util::update_file(m_impl->runtime_supp(), codegen::runtime_valgrind_suppressions());
}

Pipeline::~Pipeline() = default;

std::vector<model::SuppressionUse> Pipeline::suppression_uses() const { return m_impl->judging.uses(); }

const Sandbox& Pipeline::sandbox() const { return m_impl->sandbox; }

PipelineStats Pipeline::stats() const {
  auto s = m_impl->stats;
  s.cache_damaged = m_impl->cache.damaged();
  s.cache_write_failures = m_impl->cache.write_failures();
  if (m_impl->builds) s.input_errors = m_impl->builds->input_errors();
  return s;
}

bool Pipeline::note_for_process(pid_t sender, const std::string& note) {
  const auto token = token_of(sender);
  if (token.empty()) return false;
  m_impl->process_notes[token].push_back(note);
  return true;
}

asio::awaitable<void> Pipeline::run_all(const std::vector<plan::JobPlan>& jobs, std::vector<model::JobResult>& results,
                                        std::function<void(const model::JobResult&)> on_finished) {
  auto& impl = *m_impl;
  impl.jobs = &jobs;
  impl.results = &results;
  impl.on_finished = std::move(on_finished);
  results.assign(jobs.size(), {});
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto& slot = results[i];
    slot.suite = impl.suites[jobs[i].suite].name;
    slot.feature = impl.suites[jobs[i].suite].features[jobs[i].feature].name;
    slot.tool = jobs[i].tool;
    slot.outcome = JobOutcome::cancelled;
    slot.passed = false;
    slot.message = "cancelled before it finished";
  }
  // Two processes whose answers the cache keys assume, started early so they run while the run
  // gets ready and its keys are made: `valgrind --version` (unless known from an earlier run: its
  // files unchanged) and the sandbox's probe. Under --sandbox auto a run that only reads the cache
  // confines nothing, so the probe waits while that may be so; the keys assume the sandbox as
  // planned and are made again in the rare run where the probe turns it off.
  impl.plan_run_sandbox();
  Hasher pack;  // the last run of these suites (whichever --out it wrote)
  for (const auto& suite : impl.suites) pack.add(suite.dir).add(suite.file).add(suite.name);
  impl.cache.use_pack(pack.hex());
  const bool planned = impl.sandbox.on;
  PendingTasks probe(co_await asio::this_coro::executor);
  impl.debug_copies_pending.emplace(co_await asio::this_coro::executor);
  bool probing = false;
  const auto start_probe = [&impl, &probe, &probing, planned] {
    if (!planned || probing) return;
    probing = true;
    probe.add();
    impl.scheduler.spawn([&impl, &probe]() -> asio::awaitable<void> {
      const PendingTasks::Guard guard(probe);
      co_await impl.probe_sandbox();
    });
    // Not waited for here: the builds come first. A Valgrind process waits for them before it
    // starts (first_pass): the first run that makes them then reads them too.
    if (impl.any_valgrind_job()) {
      impl.debug_copies_pending->add();
      impl.scheduler.spawn([&impl]() -> asio::awaitable<void> {
        const PendingTasks::Guard guard(*impl.debug_copies_pending);
        co_await impl.make_debug_copies();
      });
    }
  };
  // Started at once unless the run may well run nothing (a last run's pack exists); else as soon
  // as the keys show a job the pack lacks, or the look-up a job to run.
  if (impl.options.sandbox == SandboxMode::on || !impl.cache.enabled() || !impl.cache.has_pack()) start_probe();
  impl.on_keys_made = [&impl, &start_probe](const std::vector<std::string>& keys) {
    if (!impl.cache.pack_holds(keys)) start_probe();
  };
  if (impl.cache.enabled() && impl.any_valgrind_job() && !impl.known_valgrind_version()) {
    probe.add();
    impl.scheduler.spawn([&impl, &probe]() -> asio::awaitable<void> {
      const PendingTasks::Guard guard(probe);
      co_await impl.read_valgrind_version();
    });
  }
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);  // let them start
  impl.order = JobOrder(impl.suites, jobs);
  impl.done.assign(jobs.size(), 0);
  impl.job_done.emplace(co_await asio::this_coro::executor);
  impl.costs = impl.cache.load_costs();
  auto found = co_await impl.look_up_cache();
  impl.on_keys_made = nullptr;
  if (!found.to_run.empty()) start_probe();
  co_await probe.wait_all();
  if (impl.options.sandbox == SandboxMode::on && !impl.sandbox.on) {
    // Required and not to be had: every job fails, loudly, rather than run unconfined.
    for (auto& slot : results) {
      slot.outcome = JobOutcome::tool_failed;
      slot.message = "--sandbox on, and the sandbox cannot run here: " + impl.sandbox.reason;
      if (impl.on_finished) impl.on_finished(slot);
    }
    co_return;
  }
  if (planned && !impl.sandbox.on) found = co_await impl.look_up_cache();
  impl.run_fixtures_together(found);
  impl.finish_hits(found);
  impl.finish_todo(found);
  impl.spawn_units(found.to_run, *this);
  co_await impl.scheduler.join();
  if (impl.costs_changed) impl.cache.save_costs(impl.costs);
  impl.cache.save_pack();
  impl.prune_cache();
}

// After a run that wrote to the cache: the least recently used files go while it is over its
// bound, never one this run or a run beside it made or used (younger than this run's start, less
// a margin for file systems' coarse clocks).
void Pipeline::Impl::prune_cache() {
  if (!cache.enabled() || !cache.wrote() || options.cache_max_bytes == 0) return;
  const auto span = tracer().open("cache prune", root());
  const auto bound =
      keep_cache_bounded(cache.dir(), options.cache_max_bytes, cache.written(), cache.opened_at() - std::chrono::seconds(2));
  const auto& pruned = bound.pruned;
  stats.cache_evicted = pruned.removed;
  if (tracer().enabled()) {
    tracer().annotate(span, "walked", bound.walked ? "true" : "false");
    tracer().annotate(span, "estimate", std::to_string(bound.estimate));
    tracer().annotate(span, "files", std::to_string(pruned.files));
    tracer().annotate(span, "bytes", std::to_string(pruned.bytes));
    tracer().annotate(span, "removed", std::to_string(pruned.removed));
    tracer().annotate(span, "removed_bytes", std::to_string(pruned.removed_bytes));
  }
  tracer().close(span);
}

void Pipeline::fail_unit(const plan::RunUnit& unit, const std::string& message) {
  auto& impl = *m_impl;
  for (auto index : unit.jobs) {
    auto& slot = (*impl.results)[index];
    if (slot.outcome != JobOutcome::cancelled) continue;  // finished before the failure
    slot.outcome = JobOutcome::tool_failed;
    slot.message = message;
    impl.mark_done(index);
    if (impl.on_finished) impl.on_finished(slot);
  }
}

}  // namespace harness::exec
