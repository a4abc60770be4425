#include "harness/cli/commands.hpp"
#include "harness/adopt/gtest.hpp"
#include "harness/aggregate/baseline.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/exec/boost_process_launcher.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/exec/strays.hpp"
#include "harness/exec/pipeline.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/exec/scheduler.hpp"
#include "harness/exec/timers.hpp"
#include "harness/model/run_summary.hpp"
#include "harness/plan/planner.hpp"
#include "harness/plan/shard.hpp"
#include "harness/spec/spec_loader.hpp"
#include "harness/util/files.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/text.hpp"
#include "reports/json_report.hpp"
#include "reports/registry.hpp"
#include "reports/results_reader.hpp"
#include "reports/terminal_summary.hpp"
#include "reports/trace_export.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

extern char** environ;

#ifndef SOHOUND_VERSION
#define SOHOUND_VERSION "0.0.0"
#endif

namespace harness::cli {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

std::string now_iso8601() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

// Live progress on a terminal (one rewritten line), plain lines in CI, nothing with --no-progress.
class Progress {
 public:
  enum class Mode { live, lines, none };
  Progress(std::size_t total, Mode mode) : m_total(total), m_live(mode == Mode::live), m_off(mode == Mode::none) {}
  void finished(const model::JobResult& job) {
    ++m_done;
    if (m_off) return;
    if (m_live) {
      fmt::print(stderr, "\r\033[K[{}/{}] {}", m_done, m_total, reports::job_line(job, true));
      if (!job.passed) fmt::print(stderr, "\n");
    } else {
      fmt::print(stderr, "[{}/{}] {}\n", m_done, m_total, reports::job_line(job, false));
    }
  }
  void close() {
    if (m_live) fmt::print(stderr, "\r\033[K");
  }

 private:
  std::size_t m_total, m_done = 0;
  bool m_live, m_off;
};

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> environment;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (const auto eq = entry.find('='); eq != std::string::npos) environment[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return environment;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

// The spec files' contents (and the suites built by exec/ctest, by what they run): whether two
// shards ran the same specs.
std::string specs_digest(const RunOptions& options) {
  std::uint64_t h = util::fnv1a64("sohound.specs/1");
  for (const auto& path : options.specs) h = util::fnv1a64(util::read_file_or_empty(path) + "\n--\n", h);
  for (const auto& suite : options.suites)
    for (const auto& feature : suite.features)
      if (feature.program) h = util::fnv1a64(suite.name + "/" + feature.name + ":" + util::join(feature.program->argv, " ") + "\n", h);
  return util::to_hex(h);
}

}  // namespace

// --trace / --trace-otlp: the spans in the formats trace tools read.
bool write_trace_files(const std::vector<model::Span>& spans, const std::string& chrome, const std::string& otlp,
                       const std::string& version) {
  bool ok = true;
  if (!chrome.empty()) {
    util::AtomicFile out(chrome);
    reports::write_chrome_trace(spans, out.stream());
    if (out.commit())
      fmt::print("trace: {}\n", chrome);
    else
      ok = false, fmt::print(stderr, "sohound: cannot write {}\n", chrome);
  }
  if (!otlp.empty()) {
    util::AtomicFile out(otlp);
    reports::write_otlp_json(spans, version, out.stream());
    if (out.commit())
      fmt::print("trace: {}\n", otlp);
    else
      ok = false, fmt::print(stderr, "sohound: cannot write {}\n", otlp);
  }
  return ok;
}

// A tracer that joins the trace of a W3C TRACEPARENT in the environment (a CI pipeline's, or the
// one a parent job hands every shard), else starts one. SOHOUND_TRACE=0 records nothing.
model::Tracer make_tracer() {
  std::optional<model::TraceContext> context;
  if (const char* header = std::getenv("TRACEPARENT")) {
    context = model::parse_traceparent(header);
    if (!context)
      fmt::print(stderr, "sohound: note: TRACEPARENT='{}' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>); starting a new trace\n",
                 header);
  }
  model::Tracer tracer(context);
  if (const char* off = std::getenv("SOHOUND_TRACE"); off && std::string_view(off) == "0") tracer.disable();
  return tracer;
}

int run_command(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto environment = environment_map();
  auto tracer = make_tracer();
  const auto run_span = tracer.open("run");
  tracer.annotate(run_span, "sohound_version", SOHOUND_VERSION);
  tracer.annotate(run_span, "host", host_name());
  tracer.annotate(run_span, "specs", util::join(options.specs, ","));
  const auto planning = tracer.open("plan", run_span);
  std::vector<model::SuiteSpec> suites;
  bool bad = false;
  for (const auto& path : options.specs) {
    auto spec = spec::load_file(path);
    if (!spec) {
      fmt::print(stderr, "{}\n", spec.error().message);
      bad = true;
      continue;
    }
    suites.push_back(std::move(*spec));
  }
  for (const auto& suite : options.suites) suites.push_back(suite);
  auto shard = plan::resolve_shard(options.shard, options.shard_total, environment);
  if (!shard) {
    fmt::print(stderr, "{}\n", shard.error().message);
    bad = true;
  }
  {
    // GoogleTest programs become one program per case (listing runs each binary once). The
    // GoogleTest sharding variables in Sohound's own environment shard the whole run (above), not
    // the cases of each program; set them in a spec's env to shard one program's cases.
    auto gtest_environment = environment;
    gtest_environment.erase("GTEST_TOTAL_SHARDS");
    gtest_environment.erase("GTEST_SHARD_INDEX");
    for (auto& suite : suites)
      if (auto expanded = adopt::expand_gtest(suite, gtest_environment); !expanded) {
        fmt::print(stderr, "{}\n", expanded.error().message);
        bad = true;
      }
  }
  if (!options.compiler.empty())
    for (auto& suite : suites) suite.compiler = options.compiler == "clang" ? model::Compiler::clang : model::Compiler::gcc;
  plan::PlanOptions plan_options;
  plan_options.filter = options.filter;
  for (const auto& name : options.tools) {
    auto tool = model::tool_from_name(name);
    if (!tool) {
      const auto suggestion = util::closest_match(name, model::tool_names());
      fmt::print(stderr, "sohound: unknown tool '{}'{}; known tools: {}\n", name,
                 suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                 fmt::join(model::tool_names(), ", "));
      bad = true;
      continue;
    }
    plan_options.tools.push_back(*tool);
  }
  {
    std::set<std::string> names;
    for (const auto& s : suites)
      if (!names.insert(s.name).second) {
        fmt::print(stderr, "{}: suite name '{}' is used by two specs; suite names must be unique in a run\n", s.file, s.name);
        bad = true;
      }
  }
  exec::PipelineOptions pipeline_options;
  pipeline_options.default_suppressions = options.default_suppressions;
  for (const auto& file : options.suppressions) {
    auto loaded = spec::load_suppressions_file(file);
    if (!loaded) {
      fmt::print(stderr, "{}\n", loaded.error().message);
      bad = true;
      continue;
    }
    for (auto& s : *loaded) pipeline_options.suppressions.push_back(std::move(s));
  }
  if (!options.baseline.empty()) {
    auto baseline = aggregate::load_baseline(options.baseline);
    if (!baseline) {
      fmt::print(stderr, "{}\n", baseline.error().message);
      bad = true;
    } else {
      pipeline_options.baseline = std::move(baseline->fingerprints);
      pipeline_options.use_baseline = true;
      pipeline_options.baseline_v1 = baseline->recipe == aggregate::k_fingerprint_version_v1;
      if (pipeline_options.baseline_v1)
        fmt::print(stderr,
                   "sohound: note: {} holds fingerprints of recipe {}; findings are matched to it by that recipe. "
                   "Write it again with --write-baseline to move it to {}.\n",
                   options.baseline, aggregate::k_fingerprint_version_v1, aggregate::k_fingerprint_version);
    }
  }
  auto renderers = reports::select_renderers(options.reports);
  if (!renderers) {
    fmt::print(stderr, "sohound: {}\n", renderers.error().message);
    bad = true;
  }
  std::map<std::string, double> known_costs;
  if (!options.costs.empty()) {
    if (!shard || !*shard)
      fmt::print(stderr, "sohound: note: --costs balances shards; this run is not sharded, so it is not used\n");
    auto loaded = reports::read_job_costs(options.costs);
    if (!loaded) {
      fmt::print(stderr, "{}\n", loaded.error().message);
      bad = true;
    } else {
      known_costs = std::move(*loaded);
    }
  }
  if (bad) return k_exit_usage;
  const auto plan_jobs = plan::make_jobs(suites, plan_options);
  if (plan_jobs.empty()) {
    fmt::print(stderr, "sohound: no jobs to run{}\n",
               options.filter.empty() ? "" : fmt::format(" (--filter '{}' matched no feature)", options.filter));
    return k_exit_usage;
  }
  // A shard runs its part of the plan (docs/sharding.md); the split depends only on the plan and
  // the --costs file, so every shard computes the same one.
  std::vector<plan::JobPlan> jobs;
  model::ShardInfo shard_info;
  if (*shard) {
    const auto& selection = **shard;
    const auto inputs = plan::split_inputs(suites, plan_jobs, [&](const plan::JobPlan& job) -> std::optional<double> {
      const auto& suite = suites[job.suite];
      if (auto it = known_costs.find(plan::cost_key(suite.name, suite.features[job.feature].name, job.tool)); it != known_costs.end())
        return it->second;
      return std::nullopt;
    });
    const auto split = plan::split_inputs_into_shards(inputs, selection.total);
    for (const auto& input : inputs) shard_info.split_inputs.push_back(plan::encode_split_input(input));
    shard_info.index = selection.index;
    shard_info.total = selection.total;
    shard_info.source = selection.source;
    shard_info.balance = split.balance;
    shard_info.plan = plan::plan_id(suites, plan_jobs);
    shard_info.split = split.id;
    shard_info.specs_digest = specs_digest(options);
    shard_info.plan_jobs = plan_jobs.size();
    for (std::size_t i = 0; i < plan_jobs.size(); ++i)
      if (split.shard_of[i] == selection.index - 1) {
        jobs.push_back(plan_jobs[i]);
        shard_info.jobs.push_back(i);
      }
    fmt::print(stderr, "sohound: shard {}/{} (from {}): {} of {} jobs, split by {}\n", selection.index, selection.total, selection.source,
               jobs.size(), plan_jobs.size(), split.balance == "costs" ? "the job times in " + options.costs : "a stable hash");
    tracer.annotate(run_span, "shard", fmt::format("{}/{}", selection.index, selection.total));
    // Bazel's protocol: touching the status file says the test runner understood the sharding.
    if (!selection.status_file.empty()) std::ofstream(selection.status_file, std::ios::app);
  } else {
    jobs = plan_jobs;
  }
  tracer.annotate(planning, "jobs", std::to_string(jobs.size()));
  tracer.close(planning);

  bool busy = false;
  auto claimed = exec::OutputDir::claim(options.out_dir, &busy);
  if (!claimed) {
    fmt::print(stderr, "{}\n", claimed.error().message);
    return busy ? k_exit_infrastructure : k_exit_usage;
  }
  const exec::OutputDir& output = *claimed;
  const auto out_dir = output.path();
  std::vector<std::string> verdict_files;
  for (const auto& renderer : reports::renderers()) verdict_files.emplace_back(renderer.file_name);
  for (const auto& left : output.take_over(verdict_files))
    fmt::print(stderr, "sohound: stopped process {} ({}), left running by an earlier run into --out that was killed\n", left.pid,
               util::printable(left.command));
  const int parallel = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());

  model::RunSummary summary;
  summary.sohound_version = SOHOUND_VERSION;
  summary.started_at = now_iso8601();
  summary.specs = options.specs;
  summary.baseline = options.baseline;
  summary.shard = shard_info;

  asio::io_context io;
  exec::BoostProcessLauncher launcher;
  exec::SteadyTimers timers;
  exec::Scheduler scheduler(io.get_executor(), launcher, timers, parallel);
  scheduler.on_error = [](const std::string& what) { fmt::print(stderr, "sohound: internal error in a job: {}\n", what); };
  pipeline_options.out = &output;
  pipeline_options.tracer = &tracer;
  pipeline_options.trace_parent = run_span;
  pipeline_options.parallel = parallel;
  pipeline_options.sohound_version = SOHOUND_VERSION;
  if (!options.isolation.empty()) pipeline_options.isolation = model::isolation_from_name(options.isolation);
  // SOHOUND_CACHE=0 turns the default cache off (an explicit --cache-dir still applies).
  const char* cache_env = std::getenv("SOHOUND_CACHE");
  const bool default_cache_off = cache_env && std::string_view(cache_env) == "0";
  if (options.cache && (!options.cache_dir.empty() || !default_cache_off)) {
    pipeline_options.cache_dir = options.cache_dir.empty() ? exec::default_cache_dir()
                                                           : fs::absolute(options.cache_dir).lexically_normal().string();
    if (!pipeline_options.cache_dir.empty() && util::is_within(pipeline_options.cache_dir, out_dir)) {
      fmt::print(stderr, "sohound: --cache-dir {} is inside --out {}: the cache must outlive the output folder\n",
                 pipeline_options.cache_dir, out_dir);
      return k_exit_usage;
    }
  }
  pipeline_options.sandbox = options.sandbox == "on"    ? exec::SandboxMode::on
                             : options.sandbox == "off" ? exec::SandboxMode::off
                                                        : exec::SandboxMode::automatic;
  {
    std::error_code ec;
    pipeline_options.sandbox_shim = exec::find_status_shim(fs::read_symlink("/proc/self/exe", ec).string());
  }
  // The default cache is hidden from the code under test even when this run does not use it: its
  // key signs the entries later runs trust.
  pipeline_options.sandbox_hide.push_back(exec::default_cache_dir());
  const auto pipeline_options_cache_dir = pipeline_options.cache_dir;
  exec::Pipeline pipeline(scheduler, suites, std::move(pipeline_options));
  const auto progress_mode = !options.progress             ? Progress::Mode::none
                             : ::isatty(STDERR_FILENO) != 0 ? Progress::Mode::live
                                                            : Progress::Mode::lines;
  Progress progress(jobs.size(), progress_mode);

  // Ctrl-C (or SIGTERM from CI) cancels every job; their children are stopped and the results
  // gathered so far are still written. A signal from one of our own descendants (a feature that
  // signals its parent) is not the user's: it is ignored, and said.
  asio::posix::stream_descriptor signals(io, ::dup(util::interrupt_fd()));
  std::function<void()> watch_signals = [&] {
    signals.async_wait(asio::posix::descriptor_base::wait_read, [&](const boost::system::error_code& ec) {
      if (ec) return;
      int sig = 0;
      pid_t sender = 0;
      while (util::take_signal(sig, sender)) {
        const auto name = sig == SIGINT ? "SIGINT" : "SIGTERM";
        if (sender > 0 && util::is_descendant(sender)) {
          fmt::print(stderr, "\nsohound: {} from process {} (started by a job) ignored\n", name, sender);
          pipeline.note_for_process(sender, fmt::format("a process of this job (pid {}) sent {} to Sohound; it was ignored",
                                                        sender, name));
          continue;
        }
        if (util::interrupted()) continue;
        fmt::print(stderr, "\nsohound: {} received, stopping every job and writing results...\n", name);
        util::set_interrupted();
        summary.interrupted = true;
        scheduler.cancel_all();
      }
      watch_signals();
    });
  };
  watch_signals();

  std::exception_ptr failure;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await pipeline.run_all(jobs, summary.jobs, [&](const model::JobResult& job) { progress.finished(job); });
      },
      [&](std::exception_ptr e) {
        // Also when the pipeline threw: the signal watch is the loop's last work, and left waiting
        // it kept io.run() (and the run) going for ever, deaf to SIGTERM.
        failure = e;
        boost::system::error_code ignored;
        signals.cancel(ignored);
        signals.close(ignored);
      });
  io.run();
  progress.close();
  // Orphans whose job token was cleared (they changed their environment) were reparented to us as
  // the subreaper: none outlives the run.
  for (const auto& orphan : exec::kill_orphans())
    fmt::print(stderr, "sohound: killed process {} ({}), left running by a job without its job token\n", orphan.pid,
               util::printable(orphan.command));
  summary.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto cpu_s = [](int who) {
    rusage usage{};
    ::getrusage(who, &usage);
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
  };
  summary.self_cpu_s = cpu_s(RUSAGE_SELF);
  summary.children_cpu_s = cpu_s(RUSAGE_CHILDREN);

  summary.suppressions = pipeline.suppression_uses();
  {
    const auto stats = pipeline.stats();
    summary.processes = stats.processes;
    summary.batches = stats.batches;
    summary.reruns = stats.reruns;
    summary.cached = stats.cached;
    summary.cache_damaged = stats.cache_damaged;
    summary.cache_dir = pipeline_options_cache_dir;
    summary.sandbox = pipeline.sandbox().on ? pipeline.sandbox().engine : std::string();
    summary.sandbox_reason = pipeline.sandbox().reason;
  }
  // results.json is always written first (the contract other tools read); the rest as asked. Its
  // spans end where it is written (the spans still open end there); the reports rendered after it
  // are in the --trace files, which are written last, with every span.
  const auto reporting = tracer.open("reports", run_span);
  const auto results_path = out_dir + "/results.json";
  {
    const auto span = tracer.open("report", reporting);
    tracer.annotate(span, "format", "json");
    summary.spans = tracer.spans();
    util::AtomicFile out(results_path);
    reports::write_json(summary, out.stream());
    const bool written = out.commit();
    tracer.close(span);
    if (!written) {
      fmt::print(stderr, "sohound: cannot write {}\n", results_path);
      return k_exit_infrastructure;
    }
  }
  reports::TerminalOptions terminal;
  terminal.color = ::isatty(STDOUT_FILENO) != 0;
  terminal.list_passing = progress_mode != Progress::Mode::lines;
  reports::write_terminal_summary(summary, std::cout, terminal);
  fmt::print("results: {}\n", results_path);
  std::vector<const reports::Renderer*> others;
  for (const auto* r : *renderers)
    if (r->name != "json") others.push_back(r);
  reports::ReportOptions report_options;
  report_options.source_root = fs::absolute(options.source_root.empty() ? "." : options.source_root).lexically_normal().string();
  if (report_options.source_root.size() > 1 && report_options.source_root.back() == '/') report_options.source_root.pop_back();
  // Snippets: the source root, each spec's folder, and the folders of a built library's sources.
  report_options.snippet_roots.push_back(report_options.source_root);
  for (const auto& suite : suites) {
    report_options.snippet_roots.push_back(fs::absolute(suite.file).parent_path().string());
    for (const auto& source : suite.library.build.sources)
      report_options.snippet_roots.push_back(fs::absolute(source).parent_path().string());
    for (const auto& dir : suite.library.include_dirs) report_options.snippet_roots.push_back(fs::absolute(dir).string());
  }
  report_options.tracer = &tracer;
  report_options.trace_parent = reporting;
  summary.spans = tracer.spans();  // the HTML timeline: every span up to the reports
  const auto signals_before = util::signal_count();  // a signal while rendering stops it: exit 130
  if (auto written = reports::write_reports(summary, others, out_dir, report_options); !written) {
    fmt::print(stderr, "sohound: {}\n", written.error().message);
    return util::signal_count() != signals_before ? 130 : k_exit_infrastructure;
  } else {
    for (const auto& path : *written) fmt::print("report: {}\n", path);
  }
  if (!options.write_baseline.empty()) {
    if (!aggregate::write_baseline(summary, options.write_baseline)) {
      fmt::print(stderr, "sohound: cannot write baseline {}\n", options.write_baseline);
      return k_exit_infrastructure;
    }
    fmt::print("baseline: {}\n", options.write_baseline);
  }
  tracer.close(reporting);
  tracer.close(run_span);
  if (!write_trace_files(tracer.spans(), options.trace, options.trace_otlp, SOHOUND_VERSION)) return k_exit_infrastructure;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      fmt::print(stderr, "sohound: internal error: {}\n", e.what());
    }
    return k_exit_infrastructure;
  }
  return model::exit_code(summary);
}

}  // namespace harness::cli
