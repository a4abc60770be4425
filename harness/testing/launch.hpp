// Running a real command through a launcher in a test: to its end, or until the test's condition
// holds and it is cancelled (the launcher's stop path: SIGTERM, grace period, SIGKILL).
#pragma once

#include "harness/exec/process_launcher.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace harness::testing {

// Runs `command` to its end.
inline exec::ProcessResult launch(boost::asio::io_context& io, exec::ProcessLauncher& launcher, const exec::Command& command) {
  exec::ProcessResult result;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { result = co_await launcher.run(command); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  io.restart();
  return result;
}

// Runs `command`, cancels it once `ready()` holds (checked every 10 ms), and says whether the
// launcher then ended with operation_aborted, as its contract says.
inline bool launch_and_cancel_when(boost::asio::io_context& io, exec::ProcessLauncher& launcher, const exec::Command& command,
                                   const std::function<bool()>& ready) {
  namespace asio = boost::asio;
  asio::cancellation_signal cancel;
  bool aborted = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await launcher.run(command);
        } catch (const boost::system::system_error& e) {
          aborted = e.code() == asio::error::operation_aborted;
        }
      },
      asio::bind_cancellation_slot(cancel.slot(), [](std::exception_ptr) {}));
  asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    if (ready()) {
      cancel.emit(asio::cancellation_type::terminal);
      return;
    }
    poll.expires_after(std::chrono::milliseconds(10));
    poll.async_wait([&](auto) { check(); });
  };
  check();
  io.run();
  io.restart();
  return aborted;
}

}  // namespace harness::testing
