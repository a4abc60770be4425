// The pipeline's state and its rooms (internal to harness/exec): pipeline.cpp starts a run
// (sandbox, cache look-ups, units) and finishes jobs; pipeline_units.cpp runs units (a batch, a
// feature alone, a program) and shares out what they reported. Builds are driver_builds, keys
// cache_keys, judging job_judging; what a stopped batch means is attribution's split_unit.
#pragma once

#include "harness/exec/async_notifier.hpp"
#include "harness/exec/async_once.hpp"
#include "harness/exec/attribution.hpp"
#include "harness/exec/cache_keys.hpp"
#include "harness/exec/driver_builds.hpp"
#include "harness/exec/job_judging.hpp"
#include "harness/exec/job_order.hpp"
#include "harness/exec/pipeline.hpp"
#include "harness/exec/pipeline_trace.hpp"
#include "harness/exec/recorded_inputs.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/exec/sandbox.hpp"
#include "harness/exec/shared_start.hpp"

#include <functional>
#include "harness/exec/coroutine_symbols.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace harness::exec {

struct Pipeline::Impl {
  using Span = model::Tracer::Handle;
  Scheduler& scheduler;
  const std::vector<model::SuiteSpec>& suites;
  PipelineOptions options;
  model::Tracer own_tracer;  // disabled: used when the caller records no trace
  ResultCache cache;
  PipelineStats stats;
  JobJudging judging;
  CoroutineIndex coroutines;  // which functions of the run's programs are coroutines
  // The sanitizer start-up risk on this kernel (sanitizer_start_risk): one note, said to every
  // ASan and TSan job, formatted once.
  std::string start_risk;
  std::optional<DriverBuilds> builds;
  std::optional<CacheKeys> keys;                                  // made once the run's facts are known (look_up_cache)
  std::set<std::string> listed;                                   // programs whose loaded libraries `keys` has been given
  std::map<std::string, std::vector<std::string>> process_notes;  // by job token
  std::map<std::string, double> costs;  // "suite/feature/tool" -> seconds, from earlier runs and this one
  bool costs_changed = false;           // a job ran: the table is written back
  std::map<std::pair<std::size_t, model::Tool>, int> batch_numbers;
  // Programs keyed on what they open (CacheKeys::records_inputs): job -> the key of how it runs, and
  // the manifest of what this run opened, stored beside its result (finish).
  std::map<std::size_t, std::string> record_bases;
  std::map<std::size_t, std::string> manifests;
  Sandbox sandbox;  // decided at the start of run_all
  // Per run_all call.
  JobOrder order;                                    // who waits for whom (CTest's DEPENDS, fixtures, locks)
  std::vector<char> done;                            // jobs finished, by index
  std::optional<AsyncNotifier> job_done;             // notified as each job finishes
  std::optional<PendingTasks> debug_copies_pending;  // the debug copies being made (make_debug_copies)
  std::map<std::string, AsyncSemaphore> resource;    // RESOURCE_LOCK name -> its lock
  const std::vector<plan::JobPlan>* jobs = nullptr;
  std::vector<model::JobResult>* results = nullptr;
  std::function<void(const model::JobResult&)> on_finished;

  Impl(Scheduler& s, const std::vector<model::SuiteSpec>& specs, PipelineOptions o);

  // Tracing (docs/tracing.md).
  model::Tracer& tracer() { return *options.tracer; }
  Span root() const { return options.trace_parent; }
  PipelineTrace trace() { return {scheduler, tracer(), root()}; }
  Span process_span(std::string name, Span parent, double start_s, double end_s) {
    return trace().process_span(std::move(name), parent, start_s, end_s);
  }
  std::string runtime_supp() const;
  // The recorder into `command` when job `index` is keyed on what it opens (pipeline_units.cpp).
  void record_program_inputs(std::size_t index, Command& command, const std::string& dir) const;
  // The job's cache key from the record its run left in `dir`, or why it is not cached (a note).
  // `read` keeps the record once read, for the cases of one GoogleTest batch.
  void key_on_record(std::size_t index, model::JobResult& job, const std::string& dir,
                     std::optional<RecordedInputs>* read = nullptr);

  // pipeline.cpp: before the jobs, and finishing each.
  void plan_run_sandbox();
  boost::asio::awaitable<void> probe_sandbox();
  // Decompressed copies of the C library's debug files for the sandbox (exec/debug_copies.hpp):
  // kept in the result cache (signed by the copy's identity); none without a cache.
  boost::asio::awaitable<void> make_debug_copies();
  // After the run: keeps the result cache under its bound (exec/cache_prune.hpp).
  void prune_cache();
  CacheKeyFacts cache_key_facts() const;
  // `valgrind --version` (a key fact), asked for once per run as the run starts, beside the
  // sandbox's probe: three processes in a row (~15 ms) that the cache lookup would otherwise wait for.
  std::optional<AsyncOnce<std::string>> valgrind_version;
  boost::asio::awaitable<std::string> read_valgrind_version();
  const std::optional<std::string>& known_valgrind_version();
  std::function<void(const std::vector<std::string>&)> on_keys_made;  // every job's key, before the entries are read
  bool valgrind_files_read = false;
  std::string valgrind_files;  // valgrind_identity: "" when unknown
  std::optional<std::string> valgrind_known;
  bool any_valgrind_job() const;
  boost::asio::awaitable<void> list_loaded_libraries(const std::vector<std::string>& programs);
  boost::asio::awaitable<void> list_loaded_libraries_of(const std::string& program, std::size_t number);
  struct Lookup {
    std::vector<std::size_t> to_run;
    std::vector<std::pair<std::size_t, model::JobResult>> hits;
  };
  boost::asio::awaitable<Lookup> look_up_cache();
  void run_fixtures_together(Lookup& found);
  void finish_hits(Lookup& found);
  void finish_hit(std::size_t index, model::JobResult job);
  void finish_todo(Lookup& found);
  void spawn_units(const std::vector<std::size_t>& to_run, Pipeline& pipeline);
  model::JobResult base_result(std::size_t index) const;
  void finish(std::size_t index, model::JobResult job, Span parent = model::Tracer::k_none);
  void build_failed(std::size_t index, const std::string& error, const std::string& log, const std::string& commands,
                    const DriverBuild& build);

  // How a Valgrind process reads. `slim`: over the runtimes' symbols only, a first pass whose result
  // stands unless why_read_again says otherwise (exec/slim_debug); `origins`: memcheck with
  // --track-origins (tool_commands: needs_origins). A second pass is never slim.
  struct Pass {
    bool slim = false;
    bool origins = false;
    bool again = false;  // a second pass: the first's result did not stand
  };
  // The first pass of a process of `tool` running `count` jobs: slim for one job of a Valgrind tool
  // in the sandbox (in a batch a rerun would cost more than the start saves). Waits for the debug
  // copies first (a Valgrind process reads them from its start).
  boost::asio::awaitable<Pass> first_pass(model::Tool tool, std::size_t count);
  // Why a job's pass must be run again (over the full debug files, with origins when memcheck
  // reported uninitialised values), or "" when its result stands; `origins` is set for the next pass.
  // A job that timed out over the symbols is not run again (it would wait as long again, and it
  // fails either way): a note says its frames in the C library are named from its symbols only.
  std::string why_again(model::JobResult& job, const Pass& pass, const Command& command, bool& origins);
  // What a job run in `pass` is told: why it ran again, and how.
  static std::vector<std::string> pass_notes(const Pass& pass);
  // Each suppressions file a pass read (suppressions_matching_alike), read once per run: Valgrind's
  // own (its path found once: "" when not found), the runtime's and the suites' native ones.
  const std::map<std::string, bool>& suppressions_alike_in(const std::string& file);
  std::map<std::string, std::map<std::string, bool>> suppressions_alike;
  std::optional<std::string> default_suppressions;

  // pipeline_units.cpp: running units.
  // What one tool process of a unit did: how it ended, its reports shared out per feature.
  struct UnitRun {
    std::vector<std::string> names;          // the unit's features, in run order
    std::string dir;                         // its folder (a batch's, or the feature's own)
    std::string script;                      // run.sh's command lines
    Command command;                         // as run.sh shows it, before the launcher's own fields
    std::map<std::string, std::string> env;  // the lead feature's, shared by the batch
    double feature_timeout = 0;              // seconds, tool-scaled, per feature
    Pass pass;                               // how its Valgrind process read
    RunResult run;
    model::JobResult process;  // the process's outcome, message, notes, log, reports
    std::map<std::string, FeatureShare> shares;
    double parse_start = 0, parse_end = 0;
    Span span = model::Tracer::k_none;
  };
  boost::asio::awaitable<void> run_unit(plan::RunUnit unit, int priority);
  std::vector<std::string> process_notes_for(model::Tool tool, const std::string& token);
  Span unit_span(const RunResult& run, model::Tool tool, const std::string& suite, const std::vector<std::string>& features);
  // `pass`: a second pass (else the first, first_pass()).
  boost::asio::awaitable<void> execute_program(std::size_t index, int priority, std::optional<Pass> pass = {});
  // read_job_reports for one of the user's programs, its coroutines named (exec/coroutine_symbols).
  void read_program_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message,
                            const model::ProgramSpec& program, model::Flavour flavour, const std::string& nonce);
  // pipeline_order.cpp: a program that waits for others (JobOrder) or may not run at all.
  boost::asio::awaitable<void> execute_in_turn(std::size_t index, int priority);
  std::optional<std::pair<model::JobOutcome, std::string>> why_not_run(std::size_t index) const;
  void not_run(std::size_t index, model::JobOutcome outcome, const std::string& message);
  void mark_done(std::size_t index);
  boost::asio::awaitable<void> execute_gtest_cases(std::vector<std::size_t> indices, int priority);
  boost::asio::awaitable<void> run_each_alone(const std::vector<std::size_t>& indices, int priority, Span span,
                                              const std::string& why);
  // pipeline_programs.cpp: runs of one program in one Valgrind start (model::can_share_program_process).
  struct SharedStartPlan {
    std::string dir;                                    // the start's folder (a batch's)
    Command command, shown;                             // as run, and as batch.sh shows it
    std::string binary;                                 // the program every run is
    std::vector<std::string> names, job_dirs, scripts;  // each run's feature, folder and run.sh command lines
    double native_timeout = 0;
    long run_timeout_ms = 0;  // each run's limit, tool-scaled
  };
  std::optional<SharedStartPlan> plan_shared_start(const std::vector<std::size_t>& indices);
  model::JobResult shared_run_result(std::size_t index, std::size_t k, const SharedStartPlan& plan, const SharedRunEnd& end,
                                     const std::vector<std::string>& notes);
  boost::asio::awaitable<void> execute_program_runs(std::vector<std::size_t> indices, int priority);
  boost::asio::awaitable<void> execute(std::vector<std::size_t> indices, const std::string& binary, const DriverBuild& build,
                                       int priority, std::optional<Pass> pass = {});
  boost::asio::awaitable<UnitRun> run_process(const std::vector<std::size_t>& indices, const std::string& binary, int priority,
                                              Pass pass);
  model::JobResult feature_result(std::size_t index, const UnitRun& unit, bool whole, const FeatureShare& share,
                                  const DriverBuild& build, const std::string& binary);
};

// What a job stopped at its limit `timeout` (`native_s` scaled for the tool) is told, `extra` inside
// the parentheses (pipeline_units.cpp).
std::string timeout_text(std::chrono::milliseconds timeout, double native_s, const model::ToolInfo& info,
                         const std::string& extra);

// The most any file a driver (or its tool) writes may grow to while it runs.
inline constexpr unsigned long long k_max_job_file_bytes = 2ULL << 30;

}  // namespace harness::exec
