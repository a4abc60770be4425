// The process-launch seam. The scheduler only sees this interface; the real implementation
// (BoostProcessLauncher) is the only code that includes Boost.Process, and tests script a fake.
#pragma once

#include "harness/exec/command.hpp"

#include <boost/asio/awaitable.hpp>

namespace harness::exec {

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Runs the command to completion. If the awaiting coroutine is cancelled, the launcher stops the
  // process and everything it started (its whole process group), waits for it to exit, and then
  // throws boost::system::system_error(operation_aborted). It never leaves a child behind.
  virtual boost::asio::awaitable<ProcessResult> run(const Command& command) = 0;
};

}  // namespace harness::exec
