#include "harness/adopt/gtest.hpp"
#include "harness/aggregate/baseline.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/run_stages.hpp"
#include "harness/exec/boost_process_launcher.hpp"
#include "harness/exec/cache_prune.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/exec/pipeline.hpp"
#include "harness/exec/recorded_inputs.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/exec/scheduler.hpp"
#include "harness/exec/shared_start.hpp"
#include "harness/exec/strays.hpp"
#include "harness/exec/timers.hpp"
#include "harness/exec/tool_commands.hpp"
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

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
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
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
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
      fmt::print(
          stderr,
          "sohound: note: TRACEPARENT='{}' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>); starting a new trace\n",
          header);
  }
  model::Tracer tracer(context);
  if (const char* off = std::getenv("SOHOUND_TRACE"); off && std::string_view(off) == "0") tracer.disable();
  return tracer;
}

namespace {

// --cache-dir (or the default, unless SOHOUND_CACHE=0), the sandbox, isolation: the pipeline's
// options that depend on the output folder. False (said) when the cache lies inside --out.
bool configure_pipeline(const RunOptions& options, const std::string& out_dir, exec::PipelineOptions& pipeline_options) {
  if (!options.isolation.empty()) pipeline_options.isolation = model::isolation_from_name(options.isolation);
  const char* cache_env = std::getenv("SOHOUND_CACHE");
  const bool default_cache_off = cache_env && std::string_view(cache_env) == "0";
  if (options.cache && (!options.cache_dir.empty() || !default_cache_off)) {
    pipeline_options.cache_dir =
        options.cache_dir.empty() ? exec::default_cache_dir() : fs::absolute(options.cache_dir).lexically_normal().string();
    // The cache writes v1/ and v2/ into its folder: never the root (as --out '/' is refused).
    if (fs::path(pipeline_options.cache_dir).lexically_normal() == "/") {
      fmt::print(stderr, "sohound: the result cache '/' ({}) would write into the root folder; name a folder of its own\n",
                 options.cache_dir.empty() ? "SOHOUND_CACHE_DIR" : "--cache-dir");
      return false;
    }
    if (!pipeline_options.cache_dir.empty() && util::is_within(pipeline_options.cache_dir, out_dir)) {
      fmt::print(stderr, "sohound: --cache-dir {} is inside --out {}: the cache must outlive the output folder\n",
                 pipeline_options.cache_dir, out_dir);
      return false;
    }
    const char* size_env = std::getenv("SOHOUND_CACHE_MAX_SIZE");
    const std::string size_text = !options.cache_max_size.empty() ? options.cache_max_size : size_env ? size_env : "";
    if (!size_text.empty()) {
      const auto size = exec::parse_cache_size(size_text);
      if (!size) {
        fmt::print(stderr, "sohound: {} '{}' is not a size (a number of bytes, or with K, M, G or T: 500M, 2G; 0: no bound)\n",
                   options.cache_max_size.empty() ? "SOHOUND_CACHE_MAX_SIZE" : "--cache-max-size", util::printable(size_text));
        return false;
      }
      pipeline_options.cache_max_bytes = *size;
    }
  }
  pipeline_options.sandbox = options.sandbox == "on"    ? exec::SandboxMode::on
                             : options.sandbox == "off" ? exec::SandboxMode::off
                                                        : exec::SandboxMode::automatic;
  std::error_code ec;
  pipeline_options.sandbox_shim = exec::find_status_shim(fs::read_symlink("/proc/self/exe", ec).string());
  pipeline_options.host = exec::read_host_facts();
  pipeline_options.source_root =
      fs::absolute(options.source_root.empty() ? "." : options.source_root).lexically_normal().string();
  if (pipeline_options.source_root.size() > 1 && pipeline_options.source_root.back() == '/')
    pipeline_options.source_root.pop_back();
  pipeline_options.channel_preload =
      exec::find_support_file(fs::read_symlink("/proc/self/exe", ec).string(), exec::k_channel_preload);
  pipeline_options.record_preload =
      exec::find_support_file(fs::read_symlink("/proc/self/exe", ec).string(), exec::k_record_preload);
  pipeline_options.zygote_preload =
      exec::find_support_file(fs::read_symlink("/proc/self/exe", ec).string(), exec::k_zygote_preload);
  // The default cache is hidden from the code under test even when this run does not use it: its
  // key signs the entries later runs trust.
  pipeline_options.sandbox_hide.push_back(exec::default_cache_dir());
  return true;
}

// Which build of Sohound this is, for every cache key: its version and its ELF build ID (or, in a
// build without one, its executable's content), so a rebuilt Sohound, whose parsers may differ,
// never reuses another build's parsed findings.
std::string sohound_identity() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec).string();
  if (auto id = exec::build_id(self); !id.empty()) return fmt::format("{} build-id {}", SOHOUND_VERSION, id);
  exec::Hasher h;
  h.add_file(self);
  return fmt::format("{} content {}", SOHOUND_VERSION, h.hex());
}

double cpu_seconds(int who) {
  rusage usage{};
  ::getrusage(who, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Stage 3: the event loop runs every job. Ctrl-C (or SIGTERM from CI) cancels every job; their
// children are stopped and the results gathered so far are still written. A signal from one of our
// own descendants (a feature that signals its parent) is not the user's: it is ignored, and said.
// Fills the summary's jobs and execution facts; returns what the pipeline threw, if anything.
std::exception_ptr execute_jobs(exec::PipelineOptions pipeline_options, const std::vector<model::SuiteSpec>& suites,
                                const std::vector<plan::JobPlan>& jobs, int parallel, Progress& progress,
                                model::RunSummary& summary, std::vector<std::string>& input_errors) {
  asio::io_context io;
  exec::BoostProcessLauncher launcher;
  exec::SteadyTimers timers;
  exec::Scheduler scheduler(io.get_executor(), launcher, timers, parallel);
  scheduler.on_error = [](const std::string& what) { fmt::print(stderr, "sohound: internal error in a job: {}\n", what); };
  summary.cache_dir = pipeline_options.cache_dir;
  exec::Pipeline pipeline(scheduler, suites, std::move(pipeline_options));
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
          pipeline.note_for_process(
              sender, fmt::format("a process of this job (pid {}) sent {} to Sohound; it was ignored", sender, name));
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
  summary.suppressions = pipeline.suppression_uses();
  const auto stats = pipeline.stats();
  summary.processes = stats.processes;
  summary.batches = stats.batches;
  summary.reruns = stats.reruns;
  summary.cached = stats.cached;
  summary.cache_damaged = stats.cache_damaged;
  summary.cache_evicted = stats.cache_evicted;
  input_errors = stats.input_errors;
  summary.input_errors = stats.input_errors;
  if (stats.cache_write_failures > 0)
    fmt::print(stderr,
               "sohound: {} result{} could not be stored in the result cache {} (unwritable or full?): {} again next run\n",
               stats.cache_write_failures, stats.cache_write_failures == 1 ? "" : "s", summary.cache_dir,
               stats.cache_write_failures == 1 ? "that job runs" : "those jobs run");
  summary.sandbox = pipeline.sandbox().on ? pipeline.sandbox().engine : std::string();
  summary.sandbox_reason = pipeline.sandbox().reason;
  if (pipeline.sandbox().on)
    // Each debug file shown as a copy: decompressed, slim (a first pass's), or both.
    for (const auto* copies : {&pipeline.sandbox().replaced, &pipeline.sandbox().slimmed})
      for (const auto& [copy, original] : *copies)
        if (std::find(summary.sandbox_debug_copies.begin(), summary.sandbox_debug_copies.end(), original) ==
            summary.sandbox_debug_copies.end())
          summary.sandbox_debug_copies.push_back(original);
  return failure;
}

// The spec named what this machine does not have: bad input, as `sohound check` says it.
int say_input_errors(const std::vector<std::string>& errors) {
  std::cout.flush();
  std::fflush(stdout);
  for (const auto& error : errors)
    fmt::print(stderr, "sohound: exit 2 (the spec names what this machine does not have): {}\n", error);
  return k_exit_usage;
}

// Stage 4a: results.json, always first (the contract other tools read). Its spans end where it is
// written (the spans still open end there).
bool write_results(model::RunSummary& summary, const std::vector<aggregate::Bug>& bugs, const std::string& path,
                   model::Tracer& tracer, model::Tracer::Handle reporting) {
  const auto span = tracer.open("report", reporting);
  tracer.annotate(span, "format", "json");
  summary.spans = tracer.spans();
  util::AtomicFile out(path);
  reports::write_json(summary, bugs, out.stream());
  const bool written = out.commit();
  tracer.close(span);
  if (!written) fmt::print(stderr, "sohound: cannot write {}\n", path);
  return written;
}

// Stage 4b: the other reports asked for, with snippets from the source root, each spec's folder,
// and the folders of a built library's sources and includes. Returns the exit code on failure.
std::optional<int> write_other_reports(const RunOptions& options, const RunInputs& inputs, model::RunSummary& summary,
                                       const std::vector<aggregate::Bug>& bugs, const std::string& out_dir, model::Tracer& tracer,
                                       model::Tracer::Handle reporting) {
  std::vector<const reports::Renderer*> others;
  for (const auto* r : inputs.renderers)
    if (r->name != "json") others.push_back(r);
  reports::ReportOptions report_options;
  report_options.source_root = fs::absolute(options.source_root.empty() ? "." : options.source_root).lexically_normal().string();
  if (report_options.source_root.size() > 1 && report_options.source_root.back() == '/') report_options.source_root.pop_back();
  report_options.snippet_roots.push_back(report_options.source_root);
  for (const auto& suite : inputs.suites) {
    report_options.snippet_roots.push_back(fs::absolute(suite.file).parent_path().string());
    for (const auto& source : suite.library.build.sources)
      report_options.snippet_roots.push_back(fs::absolute(source).parent_path().string());
    for (const auto& dir : suite.library.include_dirs) report_options.snippet_roots.push_back(fs::absolute(dir).string());
  }
  report_options.tracer = &tracer;
  report_options.trace_parent = reporting;
  summary.spans = tracer.spans();                    // the HTML timeline: every span up to the reports
  const auto signals_before = util::signal_count();  // a signal while rendering stops it: exit 130
  auto written = reports::write_reports(summary, bugs, others, out_dir, report_options);
  if (!written) {
    fmt::print(stderr, "sohound: {}\n", written.error().message);
    return util::signal_count() != signals_before ? 130 : k_exit_infrastructure;
  }
  for (const auto& path : *written) fmt::print("report: {}\n", path);
  if (!options.write_baseline.empty()) {
    if (!aggregate::write_baseline(summary, options.write_baseline)) {
      fmt::print(stderr, "sohound: cannot write baseline {}\n", options.write_baseline);
      return k_exit_infrastructure;
    }
    fmt::print("baseline: {}\n", options.write_baseline);
  }
  return std::nullopt;
}

Progress::Mode progress_mode(const RunOptions& options) {
  if (!options.progress) return Progress::Mode::none;
  return ::isatty(STDERR_FILENO) != 0 ? Progress::Mode::live : Progress::Mode::lines;
}

}  // namespace

int run_command(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto environment = environment_map();
  auto tracer = make_tracer();
  const auto run_span = tracer.open("run");
  tracer.annotate(run_span, "sohound_version", SOHOUND_VERSION);
  tracer.annotate(run_span, "host", host_name());
  tracer.annotate(run_span, "specs", util::join(options.specs, ","));
  const auto planning = tracer.open("plan", run_span);
  auto inputs = load_run_inputs(options, environment);
  if (!inputs) return k_exit_usage;
  const auto planned = plan_run(options, *inputs, tracer, run_span);
  if (!planned) return k_exit_usage;
  tracer.annotate(planning, "jobs", std::to_string(planned->jobs.size()));
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
  auto pipeline_options = inputs->pipeline_options;
  if (!configure_pipeline(options, out_dir, pipeline_options)) return k_exit_usage;
  const int parallel = options.jobs > 0 ? options.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  pipeline_options.out = &output;
  pipeline_options.tracer = &tracer;
  pipeline_options.trace_parent = run_span;
  pipeline_options.parallel = parallel;
  pipeline_options.sohound_version = sohound_identity();

  model::RunSummary summary;
  summary.sohound_version = SOHOUND_VERSION;
  summary.started_at = now_iso8601();
  summary.specs = options.specs;
  summary.baseline = options.baseline;
  summary.shard = planned->shard;
  Progress progress(planned->jobs.size(), progress_mode(options));
  std::vector<std::string> input_errors;
  const auto failure =
      execute_jobs(std::move(pipeline_options), inputs->suites, planned->jobs, parallel, progress, summary, input_errors);
  if (!failure) output.mark_finished();
  summary.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.self_cpu_s = cpu_seconds(RUSAGE_SELF);
  summary.children_cpu_s = cpu_seconds(RUSAGE_CHILDREN);

  // results.json first; the reports rendered after it are in the --trace files, which are written
  // last, with every span.
  const auto reporting = tracer.open("reports", run_span);
  const auto results_path = out_dir + "/results.json";
  const auto bugs = aggregate::collect_bugs(summary);  // one bug list for every report
  if (!write_results(summary, bugs, results_path, tracer, reporting)) return k_exit_infrastructure;
  reports::TerminalOptions terminal;
  terminal.color = ::isatty(STDOUT_FILENO) != 0;
  terminal.list_passing = progress_mode(options) != Progress::Mode::lines;
  reports::write_terminal_summary(summary, bugs, std::cout, terminal);
  fmt::print("results: {}\n", results_path);
  if (auto code = write_other_reports(options, *inputs, summary, bugs, out_dir, tracer, reporting)) return *code;
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
  if (!input_errors.empty()) return say_input_errors(input_errors);
  return model::exit_code(summary);
}

}  // namespace harness::cli
