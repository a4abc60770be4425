// Splitting one run over N CI machines (docs/sharding.md). Pure: the shard comes from the command
// line and the environment given; the split from the plan and an optional cost file, never from
// anything local to one machine (its cache), so every shard computes the same split.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/plan/planner.hpp"
#include "harness/util/result.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace harness::plan {

struct ShardSelection {
  int index = 1;  // 1-based
  int total = 1;
  std::string source;       // "--shard", "bazel", "gtest", "gitlab", "kubernetes"
  std::string status_file;  // Bazel's TEST_SHARD_STATUS_FILE: touched to say sharding is supported
};

// The shard this process runs, or nullopt for the whole run. Precedence (first that applies):
//   1. --shard K/N (1-based)
//   2. Bazel: TEST_TOTAL_SHARDS + TEST_SHARD_INDEX (0-based)
//   3. GoogleTest: GTEST_TOTAL_SHARDS + GTEST_SHARD_INDEX (0-based)
//   4. GitLab: CI_NODE_TOTAL + CI_NODE_INDEX (1-based; `parallel:`)
//   5. Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) with --shard-total N
// A convention whose variables are malformed, out of range or half there is an error naming them;
// --shard-total without JOB_COMPLETION_INDEX (or with --shard) is an error too.
util::Result<std::optional<ShardSelection>> resolve_shard(const std::string& cli_shard, int cli_total,
                                                          const std::map<std::string, std::string>& environment);

// A job's recorded cost in seconds, when known (from a --costs file).
using CostLookup = std::function<std::optional<double>(const JobPlan&)>;

struct ShardPlan {
  std::vector<int> shard_of;  // per job: its shard, 0-based
  std::string balance;        // "costs" or "hash"
  std::vector<double> load;   // per shard: estimated seconds (costs, else the default estimates)
  std::string id;             // the split's identity: shards of one split agree on it (docs/sharding.md)
};

// What the split of one plan job depends on, and nothing else: results.json carries these for the
// whole plan (shard.split_inputs, encoded), so `sohound merge` can compute the split again and
// check every shard holds exactly its own jobs.
struct SplitInput {
  std::string suite, feature;
  model::Tool tool = model::Tool::memcheck;
  bool compiled = true;        // a feature's object is compiled for it (not a program)
  std::optional<double> cost;  // its recorded seconds (--costs), when known
};

std::vector<SplitInput> split_inputs(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs,
                                     const CostLookup& known_cost);
// "suite/feature/tool<TAB>cost|-<TAB>1|0", and back (nullopt when malformed).
std::string encode_split_input(const SplitInput& input);
std::optional<SplitInput> decode_split_input(std::string_view text);

// The split of a plan given as its inputs (split_into_shards is this on split_inputs()).
struct ShardPlan;
ShardPlan split_inputs_into_shards(const std::vector<SplitInput>& inputs, int total);
std::string plan_id(const std::vector<SplitInput>& inputs);

// Splits `jobs` over `total` shards. The unit of the split is a feature's jobs that share a build
// flavour (memcheck, helgrind and drd run one plain driver object; asan, tsan, ubsan one each), so
// a shard compiles a feature once per flavour it runs. With costs for any job: longest first onto
// the least-loaded shard (the unknown jobs at the default estimate), so no shard's load exceeds
// another's by more than the largest unit. Without: each unit to fnv1a64("suite/feature/flavour")
// mod N, so adding or removing a feature moves no other (each shard's cache stays warm).
ShardPlan split_into_shards(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs, int total,
                            const CostLookup& known_cost);

// The identity of a plan (every job, in order), to check that shards belong together.
std::string plan_id(const std::vector<model::SuiteSpec>& suites, const std::vector<JobPlan>& jobs);

std::string cost_key(const std::string& suite, const std::string& feature, model::Tool tool);

}  // namespace harness::plan
