// Runs commands through the launcher seam with a concurrency limit and per-command timeouts, and
// owns every job coroutine: jobs are spawned into a group that is always joined (never detached),
// and one cancel_all() reaches every running child (Ctrl-C).
#pragma once

#include "harness/exec/async_notifier.hpp"
#include "harness/exec/command.hpp"
#include "harness/exec/process_launcher.hpp"
#include "harness/exec/timers.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <functional>
#include <list>
#include <string>

namespace harness::exec {

struct RunResult {
  ProcessResult process;
  bool timed_out = false;
  double start_s = 0;  // since the scheduler was created
  double end_s = 0;
};

class Scheduler {
 public:
  Scheduler(const boost::asio::any_io_executor& executor, ProcessLauncher& launcher, Timers& timers, int max_parallel);

  // Waits for a free slot, runs the command, and stops it after `timeout` (zero: no limit).
  // Cancellation of the caller stops the process too (the launcher's contract) and rethrows.
  // Slots go to lower `priority` first (the pipeline passes the job's index, so one job's build
  // steps and run are not queued behind every other job's).
  // `slots`: how many of the limit it takes (CTest's PROCESSORS; all of them for RUN_SERIAL).
  boost::asio::awaitable<RunResult> run(const Command& command, std::chrono::milliseconds timeout, int priority = 0,
                                        int slots = 1);
  int max_parallel() const { return m_slots.count(); }

  // Starts a job coroutine owned by the scheduler. Exceptions escaping it are reported to
  // `on_error` (jobs are expected to turn failures into outcomes themselves).
  void spawn(std::function<boost::asio::awaitable<void>()> job);

  // Completes when every spawned job has finished.
  boost::asio::awaitable<void> join();

  // Cancels every running job (terminal cancellation): their children are stopped.
  void cancel_all();
  bool cancelled() const { return m_cancelled; }

  int running() const { return m_running; }
  int peak_running() const { return m_peak; }
  double now_s() const;
  // The steady-clock instant `s` seconds after the scheduler started (now_s()'s time base).
  std::chrono::steady_clock::time_point at(double s) const {
    return m_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
  }

  std::function<void(const std::string&)> on_error;

 private:
  boost::asio::any_io_executor m_executor;
  ProcessLauncher& m_launcher;
  Timers& m_timers;
  AsyncSemaphore m_slots;
  AsyncNotifier m_job_done;
  std::list<boost::asio::cancellation_signal> m_signals;
  int m_outstanding = 0;
  int m_running = 0;
  int m_peak = 0;
  bool m_cancelled = false;
  std::chrono::steady_clock::time_point m_start;
};

}  // namespace harness::exec
