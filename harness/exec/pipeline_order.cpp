// Programs that wait their turn (exec/job_order.hpp: CTest's DEPENDS, fixtures, RESOURCE_LOCK,
// RUN_SERIAL) or may not run at all (a fixture's set-up that did not pass, a REQUIRED_FILES entry
// that is missing, a property Sohound cannot honour): CTest's "Not Run", said with the reason.
#include "harness/exec/pipeline_impl.hpp"

#include <fmt/format.h>
#include <boost/asio/this_coro.hpp>

#include <filesystem>

namespace harness::exec {
namespace asio = boost::asio;
using model::JobOutcome;

void Pipeline::Impl::mark_done(std::size_t index) {
  if (index >= done.size()) return;
  done[index] = 1;
  if (job_done) job_done->notify_all();
}

void Pipeline::Impl::not_run(std::size_t index, JobOutcome outcome, const std::string& message) {
  auto job = base_result(index);
  job.outcome = outcome;
  job.message = message;
  job.cache_key.clear();
  finish(index, std::move(job));
}

std::optional<std::pair<JobOutcome, std::string>> Pipeline::Impl::why_not_run(std::size_t index) const {
  const auto& plan = (*jobs)[index];
  const auto& program = *suites[plan.suite].features[plan.feature].program;
  if (!program.verdict.cannot_run.empty()) return std::pair{JobOutcome::not_run, program.verdict.cannot_run};
  for (const auto& [setup, fixture] : order.setups(index)) {
    const auto& s = (*results)[setup];
    if (s.outcome == JobOutcome::ok) continue;
    const auto outcome = s.outcome == JobOutcome::skipped ? JobOutcome::skipped : JobOutcome::not_run;
    return std::pair{outcome, fmt::format("the set-up test '{}' of its fixture '{}' did not pass under {} ({}{}{}), "
                                          "and CTest runs no test whose fixture failed to set up",
                                          s.feature, fixture, model::info(s.tool).name, model::to_string(s.outcome),
                                          s.message.empty() ? "" : ": ", s.message)};
  }
  for (const auto& file : program.verdict.required_files) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
      return std::pair{JobOutcome::not_run, fmt::format("{} is missing, and the test's REQUIRED_FILES names it", file)};
  }
  return std::nullopt;
}

asio::awaitable<void> Pipeline::Impl::execute_in_turn(std::size_t index, int priority) {
  if (auto blocked = order.blocked().find(index); blocked != order.blocked().end()) {
    not_run(index, JobOutcome::not_run, blocked->second);
    co_return;
  }
  const auto& after = order.after(index);
  while (std::any_of(after.begin(), after.end(), [&](std::size_t b) { return !done[b]; })) co_await job_done->wait();
  if (const auto why = why_not_run(index)) {
    not_run(index, why->first, why->second);
    co_return;
  }
  // Resource locks, taken in name order (every job takes them so: no deadlock), before its slot.
  std::vector<AsyncSemaphore*> held;
  struct Release {
    std::vector<AsyncSemaphore*>& held;
    ~Release() {
      for (auto* lock : held) lock->release();
    }
  } release{held};
  const auto executor = co_await asio::this_coro::executor;
  for (const auto& name : order.locks(index)) {
    auto& lock = resource.try_emplace(name, executor, 1).first->second;
    co_await lock.acquire(priority);
    held.push_back(&lock);
  }
  co_await execute_program(index, priority);
}

}  // namespace harness::exec
