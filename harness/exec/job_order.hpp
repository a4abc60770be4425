// Which jobs of a run wait for which, and what they must not share: CTest's DEPENDS (the job of the
// named test under the same tool ends first), fixtures (a set-up's jobs before its users', the
// clean-up's after them, and one tool at a time, so that two tools never share the fixture's
// state), RESOURCE_LOCK, RUN_SERIAL and PROCESSORS (model::RunOrder). Pure: the pipeline waits on
// it (Pipeline::Impl::wait_for_turn), and grows its cache misses by it.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/plan/planner.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace harness::exec {

class JobOrder {
 public:
  JobOrder() = default;
  JobOrder(const std::vector<model::SuiteSpec>& suites, const std::vector<plan::JobPlan>& jobs);

  bool constrained(std::size_t job) const { return job < m_jobs.size() && m_jobs[job].constrained; }
  // The jobs that end before `job` starts.
  const std::vector<std::size_t>& after(std::size_t job) const { return m_jobs.at(job).after; }
  // The jobs of the set-up tests of the fixtures `job` requires (same tool): one that does not
  // pass keeps it from running, as CTest does. With the fixture's name each.
  const std::vector<std::pair<std::size_t, std::string>>& setups(std::size_t job) const { return m_jobs.at(job).setups; }
  // Resource locks it holds while it runs, sorted (taken in this order: no deadlock).
  const std::vector<std::string>& locks(std::size_t job) const { return m_jobs.at(job).locks; }
  // Slots of the concurrency limit it takes: all of them for RUN_SERIAL, else PROCESSORS (capped).
  int slots(std::size_t job, int max_parallel) const;
  // Jobs that can never start (a cycle of DEPENDS), each with why.
  const std::map<std::size_t, std::string>& blocked() const { return m_blocked; }
  // `to_run` and every job that shares a fixture with one of them under the same tool: a fixture's
  // state is made and removed by its tests, so they run together or are all taken from the cache.
  std::vector<std::size_t> with_fixture_partners(const std::vector<std::size_t>& to_run) const;

 private:
  struct Job {
    bool constrained = false;
    std::vector<std::size_t> after;
    std::vector<std::pair<std::size_t, std::string>> setups;
    std::vector<std::string> locks;
    bool serial = false;
    int processors = 1;
  };
  std::size_t root(std::size_t job) const;
  void join(std::size_t a, std::size_t b);
  void find_cycles();
  std::vector<Job> m_jobs;
  mutable std::vector<std::size_t> m_parent;  // union-find over fixture partners (same tool)
  std::map<std::size_t, std::string> m_blocked;
};

}  // namespace harness::exec
