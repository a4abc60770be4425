// A scripted ProcessLauncher: each run() is recorded and stays "running" until the test calls
// finish(i, result). Cancellation is recorded too, so tests can check that a timeout or Ctrl-C
// reached the process, all without sleeping.
#pragma once

#include "harness/exec/async_notifier.hpp"
#include "harness/exec/process_launcher.hpp"

#include <boost/asio/this_coro.hpp>

#include <memory>
#include <optional>
#include <vector>

namespace harness::testing {

class FakeProcessLauncher final : public exec::ProcessLauncher {
 public:
  struct Run {
    exec::Command command;
    std::optional<exec::ProcessResult> result;  // set by finish()
    bool cancelled = false;                     // the launcher was asked to stop it
    bool running = true;
  };

  explicit FakeProcessLauncher(const boost::asio::any_io_executor& executor) : m_changed(executor) {}

  boost::asio::awaitable<exec::ProcessResult> run(const exec::Command& command) override {
    const std::size_t index = m_runs.size();
    m_runs.push_back(std::make_unique<Run>(Run{command, std::nullopt, false, true}));
    try {
      while (!m_runs[index]->result) co_await m_changed.wait();
    } catch (...) {
      m_runs[index]->cancelled = true;
      m_runs[index]->running = false;
      throw;
    }
    m_runs[index]->running = false;
    co_return *m_runs[index]->result;
  }

  void finish(std::size_t index, exec::ProcessResult result = {}) {
    if (result.exit_code < 0 && result.signal == 0) result.exit_code = 0;
    m_runs.at(index)->result = result;
    m_changed.notify_all();
  }

  std::size_t started() const { return m_runs.size(); }
  std::size_t running() const {
    std::size_t n = 0;
    for (const auto& r : m_runs) n += r->running ? 1 : 0;
    return n;
  }
  const Run& run_at(std::size_t index) const { return *m_runs.at(index); }

 private:
  exec::AsyncNotifier m_changed;
  std::vector<std::unique_ptr<Run>> m_runs;
};

// Timers that only fire when the test says so.
class ManualTimers final : public exec::Timers {
 public:
  explicit ManualTimers(const boost::asio::any_io_executor& executor) : m_changed(executor) {}

  boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration) override {
    m_requested.push_back(duration);
    const auto generation = m_fired;
    while (m_fired == generation) co_await m_changed.wait();
  }

  // Fires every timer that is waiting now.
  void fire_all() {
    ++m_fired;
    m_changed.notify_all();
  }
  const std::vector<std::chrono::milliseconds>& requested() const { return m_requested; }

 private:
  exec::AsyncNotifier m_changed;
  std::vector<std::chrono::milliseconds> m_requested;
  int m_fired = 0;
};

}  // namespace harness::testing
