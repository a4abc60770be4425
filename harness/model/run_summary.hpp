// The whole run: every job's result plus totals; what results.json and every renderer consume.
#pragma once

#include "harness/model/job_result.hpp"
#include "harness/model/suppression.hpp"
#include "harness/model/trace.hpp"

#include <optional>
#include <string>
#include <vector>

namespace harness::model {

// This run's place in a sharded run (docs/sharding.md); index 0 when the run was not a shard.
struct ShardInfo {
  int index = 0;  // 1-based
  int total = 0;
  std::string source;             // where index and total came from: --shard, bazel, gtest, gitlab, kubernetes
  std::string balance;            // how jobs were split: "costs" (a --costs file) or "hash"
  std::string plan;               // id of the whole plan (every job of every shard, in order)
  std::string split;              // id of the split: the plan, the shard count and the job times it used
  std::string specs_digest;       // the spec files' contents
  std::size_t plan_jobs = 0;      // jobs in the whole plan
  std::vector<std::size_t> jobs;  // this shard's jobs: their positions in the whole plan, in order
  // What the split of each plan job depended on (plan::encode_split_input), in plan order: merge
  // computes the split again from these and checks each shard holds exactly its own jobs.
  std::vector<std::string> split_inputs;
};

// What `sohound merge` of shard results found (results.json "merge").
struct MergeInfo {
  int total = 0;                      // shards the plan was split into
  std::vector<int> shards;            // the shard indices merged, in order
  bool partial = false;               // accepted with --allow-partial: the results are not the whole run
  std::vector<std::string> problems;  // why it is partial: missing, duplicated or mismatched shards
};

struct RunSummary {
  std::string sohound_version;
  std::string started_at;  // ISO 8601 UTC
  double duration_s = 0;
  bool interrupted = false;  // Ctrl-C: the results are partial
  std::vector<std::string> specs;
  double self_cpu_s = 0;      // Sohound's own user+system CPU time
  double children_cpu_s = 0;  // every child's (compilers, tools, drivers)
  std::vector<JobResult> jobs;
  std::vector<SuppressionUse> suppressions;  // every suppression in force, with its match count
  std::string baseline;                      // the --baseline file, if any
  // How the run executed (exec::PipelineStats): tool processes started, of which batches; features
  // re-run alone after a batch stopped in them; jobs answered from the result cache.
  std::size_t processes = 0, batches = 0, reruns = 0, cached = 0, cache_damaged = 0;
  std::size_t cache_evicted = 0;  // files removed from the cache to keep it under --cache-max-size
  std::string cache_dir;          // "" when the cache was off
  // The sandbox tool processes ran in: its engine ("bubblewrap") when on, else why not.
  std::string sandbox;
  std::string sandbox_reason;
  // The files the sandbox showed as decompressed copies (exec/debug_copies.hpp): the C library's
  // debug files, by the path the tools read them at.
  std::vector<std::string> sandbox_debug_copies;
  ShardInfo shard;                 // index 0 unless this run is a shard (or a merge of shards: index 0, total N)
  std::optional<MergeInfo> merge;  // set by `sohound merge` of shard results
  // What the specs name that this machine does not have (a pkg-config package): the run is bad
  // input, exit 2, in the process's status, results.json and every report alike.
  std::vector<std::string> input_errors;
  std::vector<Span> spans;  // the run's trace (docs/tracing.md)
};

// Whether the results are known to be incomplete: an accepted partial merge.
inline bool is_partial(const RunSummary& summary) { return summary.merge && summary.merge->partial; }

// 0: all passed; 1: unexpected findings or failed jobs; 3: only infrastructure failures;
// 130: interrupted. (docs/results.md, "Exit codes")
int exit_code(const RunSummary& summary);

}  // namespace harness::model
