// Judging a finished job against its spec: the suppressions in force for its suite (the suite's,
// then --suppressions, then the shipped defaults, each with a match counter), its expectations,
// policy and the baseline; TSan's feature frames restored first. Pure: no process, no file.
#pragma once

#include "harness/aggregate/judge.hpp"
#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/model/suppression.hpp"

#include <set>
#include <string>
#include <vector>

namespace harness::exec {

struct JudgingOptions {
  std::vector<model::Suppression> suppressions;  // --suppressions, for every suite
  bool default_suppressions = true;
  const std::set<std::string>* baseline = nullptr;       // fingerprints of --baseline, when given
  const std::set<std::string>* baseline_jobs = nullptr;  // its known job failures (aggregate::job_signature)
  bool baseline_v1 = false;
  // Where the user's own code lives (the output folder, the source root): races are classified by
  // owner (aggregate/ownership) when it is given. A program under test is added per job.
  std::vector<std::string> own_paths;
};

class JobJudging {
 public:
  // `suites` (and the baseline) must outlive this object: it keeps pointers into them.
  JobJudging(const std::vector<model::SuiteSpec>& suites, JudgingOptions options);
  JobJudging(const JobJudging&) = delete;
  JobJudging& operator=(const JobJudging&) = delete;

  // What judge() is given for a feature of a suite.
  aggregate::JudgeContext context(std::size_t suite, std::size_t feature) const;

  // Restores TSan's feature frames (a generated driver's job), then judges `job`.
  void judge(model::JobResult& job, std::size_t suite, std::size_t feature) const;

  // Every suppression in force, with how many findings each matched so far.
  const std::vector<model::SuppressionUse>& uses() const { return m_uses; }

 private:
  const std::vector<model::SuiteSpec>& m_suites;
  const JudgingOptions m_options;
  std::vector<model::SuppressionUse> m_uses;  // sized once: the counters' addresses stay valid
  std::vector<std::vector<std::pair<const model::Suppression*, std::size_t*>>> m_per_suite;
};

// What a prebuilt library hides from a sanitizer: notes for its jobs ("" for the others).
std::vector<std::string> blind_spots(const model::SuiteSpec& suite, model::Tool tool);

}  // namespace harness::exec
