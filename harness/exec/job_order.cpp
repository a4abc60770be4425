#include "harness/exec/job_order.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

namespace harness::exec {
namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void add_once(std::vector<std::size_t>& list, std::size_t item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

JobOrder::JobOrder(const std::vector<model::SuiteSpec>& suites, const std::vector<plan::JobPlan>& jobs)
    : m_jobs(jobs.size()), m_parent(jobs.size()) {
  // (suite, feature name, tool) -> job; fixture name -> its jobs by tool, and the set-up jobs.
  std::map<std::tuple<std::size_t, std::string, model::Tool>, std::size_t> by_name;
  std::map<std::pair<std::size_t, std::string>, std::map<model::Tool, std::vector<std::size_t>>> fixture_jobs;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    m_parent[i] = i;
    const auto& feature = suites[jobs[i].suite].features[jobs[i].feature];
    by_name[{jobs[i].suite, feature.name, jobs[i].tool}] = i;
    const auto& order = feature.order;
    auto& job = m_jobs[i];
    job.constrained = !order.empty();
    job.locks = order.resource_locks;
    std::sort(job.locks.begin(), job.locks.end());
    job.locks.erase(std::unique(job.locks.begin(), job.locks.end()), job.locks.end());
    job.serial = order.run_serial;
    job.processors = std::max(1, order.processors);
    std::set<std::string> fixtures(order.fixtures_setup.begin(), order.fixtures_setup.end());
    fixtures.insert(order.fixtures_cleanup.begin(), order.fixtures_cleanup.end());
    fixtures.insert(order.fixtures_required.begin(), order.fixtures_required.end());
    for (const auto& f : fixtures) fixture_jobs[{jobs[i].suite, f}][jobs[i].tool].push_back(i);
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& feature = suites[jobs[i].suite].features[jobs[i].feature];
    for (const auto& name : feature.order.depends)
      if (auto it = by_name.find({jobs[i].suite, name, jobs[i].tool}); it != by_name.end() && it->second != i)
        add_once(m_jobs[i].after, it->second);
    for (const auto& fixture : feature.order.fixtures_required) {
      const auto& members = fixture_jobs[{jobs[i].suite, fixture}][jobs[i].tool];
      for (auto m : members) {
        const auto& other = suites[jobs[m].suite].features[jobs[m].feature].order;
        if (m != i && has(other.fixtures_setup, fixture)) {
          add_once(m_jobs[i].after, m);
          m_jobs[i].setups.emplace_back(m, fixture);
        }
      }
    }
  }
  // One tool at a time per fixture (tools in their order): every job of the fixture under the next
  // tool waits for all of them under the one before. And partners for the cache.
  for (const auto& [fixture, by_tool] : fixture_jobs) {
    const std::vector<std::size_t>* before = nullptr;
    for (const auto& [tool, members] : by_tool) {
      for (auto m : members) {
        join(members.front(), m);
        if (before)
          for (auto b : *before) add_once(m_jobs[m].after, b);
      }
      before = &members;
    }
  }
  find_cycles();
}

std::size_t JobOrder::root(std::size_t job) const {
  while (m_parent[job] != job) job = m_parent[job] = m_parent[m_parent[job]];
  return job;
}

void JobOrder::join(std::size_t a, std::size_t b) { m_parent[root(a)] = root(b); }

// Kahn's algorithm: what is never freed is in (or behind) a cycle.
void JobOrder::find_cycles() {
  std::vector<std::size_t> waiting(m_jobs.size());
  std::vector<std::vector<std::size_t>> frees(m_jobs.size());
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < m_jobs.size(); ++i) {
    waiting[i] = m_jobs[i].after.size();
    for (auto b : m_jobs[i].after) frees[b].push_back(i);
    if (waiting[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    const auto i = ready.front();
    ready.pop_front();
    for (auto j : frees[i])
      if (--waiting[j] == 0) ready.push_back(j);
  }
  for (std::size_t i = 0; i < m_jobs.size(); ++i)
    if (waiting[i] > 0)
      m_blocked[i] = "its DEPENDS and fixtures form a cycle (it waits, directly or not, for itself): it cannot start";
}

int JobOrder::slots(std::size_t job, int max_parallel) const {
  if (job >= m_jobs.size()) return 1;
  const auto& j = m_jobs[job];
  return j.serial ? std::max(1, max_parallel) : std::clamp(j.processors, 1, std::max(1, max_parallel));
}

std::vector<std::size_t> JobOrder::with_fixture_partners(const std::vector<std::size_t>& to_run) const {
  std::set<std::size_t> roots;
  for (auto i : to_run)
    if (i < m_jobs.size()) roots.insert(root(i));
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < m_jobs.size(); ++i)
    if (roots.count(root(i))) out.push_back(i);
  return out;
}

}  // namespace harness::exec
