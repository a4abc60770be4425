// The clock seam: the scheduler awaits timeouts through this, so tests fire them by hand.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace harness::exec {

class Timers {
 public:
  virtual ~Timers() = default;
  // Completes after `duration`; throws operation_aborted if the awaiting coroutine is cancelled.
  virtual boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration) = 0;
};

class SteadyTimers final : public Timers {
 public:
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration) override;
};

}  // namespace harness::exec
