#include "harness/exec/scheduler.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/multiple_exceptions.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <variant>

namespace harness::exec {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

Scheduler::Scheduler(const asio::any_io_executor& executor, ProcessLauncher& launcher, Timers& timers, int max_parallel)
    : m_executor(executor),
      m_launcher(launcher),
      m_timers(timers),
      m_slots(executor, max_parallel < 1 ? 1 : max_parallel),
      m_job_done(executor),
      m_start(std::chrono::steady_clock::now()) {}

double Scheduler::now_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }

asio::awaitable<RunResult> Scheduler::run(const Command& command, std::chrono::milliseconds timeout, int priority, int slots) {
  // After Ctrl-C nothing new starts, whether the job was queued or spawned late.
  if (m_cancelled) throw boost::system::system_error(asio::error::operation_aborted);
  co_await m_slots.acquire(priority, slots);
  if (m_cancelled) {
    m_slots.release(slots);
    throw boost::system::system_error(asio::error::operation_aborted);
  }
  struct SlotGuard {
    Scheduler& s;
    int slots;
    ~SlotGuard() {
      --s.m_running;
      s.m_slots.release(slots);
    }
  } guard{*this, slots};
  ++m_running;
  if (m_running > m_peak) m_peak = m_running;

  RunResult result;
  result.start_s = now_s();
  if (timeout.count() <= 0) {
    result.process = co_await m_launcher.run(command);
  } else {
    // Whichever finishes first cancels the other: a timeout cancels the launcher, which stops the
    // process group and waits for it before returning.
    std::variant<ProcessResult, std::monostate> first;
    try {
      first = co_await (m_launcher.run(command) || m_timers.sleep(timeout));
    } catch (const asio::multiple_exceptions& e) {
      // Both sides were cancelled (Ctrl-C): report the cancellation itself.
      std::rethrow_exception(e.first_exception());
    }
    if (first.index() == 0) {
      result.process = std::get<0>(first);
    } else {
      result.timed_out = true;
      result.process.started = true;
    }
  }
  result.end_s = now_s();
  co_return result;
}

void Scheduler::spawn(std::function<asio::awaitable<void>()> job) {
  ++m_outstanding;
  auto& signal = m_signals.emplace_back();
  asio::co_spawn(m_executor, std::move(job), asio::bind_cancellation_slot(signal.slot(), [this](std::exception_ptr error) {
                   if (error && on_error) {
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       on_error(e.what());
                     } catch (...) {
                       on_error("unknown exception");
                     }
                   }
                   --m_outstanding;
                   m_job_done.notify_all();
                 }));
}

asio::awaitable<void> Scheduler::join() {
  while (m_outstanding > 0) co_await m_job_done.wait();
}

void Scheduler::cancel_all() {
  m_cancelled = true;
  for (auto& signal : m_signals) signal.emit(asio::cancellation_type::terminal);
}

}  // namespace harness::exec
