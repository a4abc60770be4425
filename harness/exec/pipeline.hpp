// The run's coroutines. Jobs whose inputs are unchanged come from the result cache (judged again);
// the rest are grouped into run units (plan::make_units): each unit awaits its suite's driver for
// the flavour (library, per-feature objects and one link, each built once and shared), runs its
// features in one tool process, and splits the reports into one result per feature
// (exec/attribution). A batch the process left unfinished is completed by running the feature it
// stopped in alone and the rest in a new batch. Every failure becomes a JobOutcome; nothing here
// throws past a unit.
#pragma once

#include "harness/exec/cache_prune.hpp"
#include "harness/exec/host_facts.hpp"
#include "harness/exec/sandbox.hpp"
#include "harness/exec/scheduler.hpp"
#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/model/trace.hpp"
#include "harness/plan/planner.hpp"

#include <boost/asio/awaitable.hpp>

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace harness::exec {

class OutputDir;

struct PipelineOptions {
  const OutputDir* out = nullptr;  // claimed and locked by the caller; every path lies inside it
  std::string out_dir;             // out->path(), set by the pipeline
  std::string source_root;         // --source-root, absolute: the user's own code lives under it (aggregate/ownership)
  std::chrono::seconds build_timeout{300};
  std::vector<model::Suppression> suppressions;  // from --suppressions, for every suite
  bool default_suppressions = true;              // the shipped ones (aggregate/default_suppressions.yaml)
  std::set<std::string> baseline;                // fingerprints from --baseline
  std::set<std::string> baseline_jobs;           // its known job failures (aggregate::job_signature)
  bool baseline_v1 = false;                      // ...written with fingerprint recipe sohound.fp/1
  bool use_baseline = false;
  std::optional<model::Isolation> isolation;                  // --isolation
  std::string cache_dir;                                      // the result cache; "" = --no-cache
  std::uint64_t cache_max_bytes = k_default_cache_max_bytes;  // --cache-max-size (exec/cache_prune.hpp); 0: no bound
  std::string sohound_version;             // version and build ID (cli sohound_identity): part of every cache key
  int parallel = 2;                        // -j, for sizing batches
  SandboxMode sandbox = SandboxMode::off;  // --sandbox (the CLI's default is automatic)
  std::string sandbox_shim;                // sohound-status (exec/sandbox.hpp find_status_shim)
  HostFacts host;                          // the machine's facts (exec/host_facts.hpp), read once by the CLI
  std::string channel_preload;             // libsohound-channel.so (drivers/sohound_channel.c): programs' report channel
  std::string record_preload;              // libsohound-record.so (drivers/sohound_record.c): what programs open
  std::string zygote_preload;              // libsohound-zygote.so (drivers/sohound_zygote.c): runs sharing a start
  std::vector<std::string> sandbox_hide;   // result caches to hide besides cache_dir (the default one with --no-cache)
  model::Tracer* tracer = nullptr;         // spans of builds, tool processes, parsing, judging
  model::Tracer::Handle trace_parent = model::Tracer::k_none;  // the run's span
};

// What the run did, for the summary and results.json.
struct PipelineStats {
  std::size_t processes = 0;              // tool processes started (batches, single features, re-runs)
  std::size_t batches = 0;                // of those, processes that ran more than one feature
  std::size_t reruns = 0;                 // features re-run alone after a batch stopped in them
  std::size_t cached = 0;                 // jobs answered from the result cache
  std::size_t cache_damaged = 0;          // cache entries ignored as damaged
  std::size_t cache_evicted = 0;          // files removed from the cache to keep it under its bound
  std::size_t cache_write_failures = 0;   // results that could not be stored (each runs again next time)
  std::vector<std::string> input_errors;  // the spec's mistakes found while building (DriverBuilds)
};

class Pipeline {
 public:
  Pipeline(Scheduler& scheduler, const std::vector<model::SuiteSpec>& suites, PipelineOptions options);
  ~Pipeline();

  // Runs every job (spawned into the scheduler, joined before returning). `results` is indexed
  // like `jobs`; a job cancelled before it finished is left with outcome cancelled.
  boost::asio::awaitable<void> run_all(const std::vector<plan::JobPlan>& jobs, std::vector<model::JobResult>& results,
                                       std::function<void(const model::JobResult&)> on_finished);

  // A note for the job whose process `sender` is (by its job token), shown on that job when it
  // ends; false when `sender` is no job's process.
  bool note_for_process(pid_t sender, const std::string& note);

  // Every suppression in force, with how many findings each matched (after run_all).
  std::vector<model::SuppressionUse> suppression_uses() const;

  PipelineStats stats() const;

  // The sandbox tool processes ran in, or why they ran without one (after run_all).
  const Sandbox& sandbox() const;

 private:
  void fail_unit(const plan::RunUnit& unit, const std::string& message);
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace harness::exec
