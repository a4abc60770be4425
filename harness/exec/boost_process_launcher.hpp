// ProcessLauncher on Boost.Process v2: each child leads its own process group so a timeout or
// Ctrl-C can stop it and its descendants together (SIGTERM, a grace period, then SIGKILL).
#pragma once

#include "harness/exec/process_launcher.hpp"

#include <chrono>

namespace harness::exec {

class BoostProcessLauncher final : public ProcessLauncher {
 public:
  // `grace`: how long a stopped child may take to exit after SIGTERM before SIGKILL. Valgrind uses
  // it to finish its leak check and close its XML report.
  // 1.5 s: Valgrind finishes a report in well under that, and a Ctrl-C stops the whole run in 2 s.
  explicit BoostProcessLauncher(std::chrono::milliseconds grace = std::chrono::milliseconds(1500)) : m_grace(grace) {}
  boost::asio::awaitable<ProcessResult> run(const Command& command) override;

 private:
  std::chrono::milliseconds m_grace;
};

}  // namespace harness::exec
