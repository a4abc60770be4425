// A ProcessLauncher that answers at once from a script: the test's handler sees each command and
// returns how it ended (writing whatever files the real program would), or nothing for a process
// that runs until it is stopped (a hang: the launcher's cancellation contract, as the real one).
// With it the pipeline runs end to end in milliseconds, with no compiler or tool installed.
#pragma once

#include "harness/exec/async_notifier.hpp"
#include "harness/exec/process_launcher.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <functional>
#include <optional>
#include <vector>

namespace harness::testing {

class ScriptedLauncher final : public exec::ProcessLauncher {
 public:
  using Handler = std::function<std::optional<exec::ProcessResult>(const exec::Command&)>;

  ScriptedLauncher(const boost::asio::any_io_executor& executor, Handler handler)
      : m_never(executor), m_handler(std::move(handler)) {}

  boost::asio::awaitable<exec::ProcessResult> run(const exec::Command& command) override {
    m_commands.push_back(command);
    if (auto result = m_handler(command)) co_return *result;
    ++m_hung;
    for (;;) co_await m_never.wait();  // until cancelled: the wait throws operation_aborted
  }

  const std::vector<exec::Command>& commands() const { return m_commands; }
  int hung() const { return m_hung; }

 private:
  exec::AsyncNotifier m_never;
  Handler m_handler;
  std::vector<exec::Command> m_commands;
  int m_hung = 0;
};

}  // namespace harness::testing
