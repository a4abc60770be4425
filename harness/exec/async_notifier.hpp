// A wake-all condition for coroutines on one single-threaded io_context: wait() suspends until the
// next notify_all(). Callers re-check their own condition in a loop. If the waiting coroutine is
// cancelled, wait() throws operation_aborted (so a cancelled job never hangs on a condition).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <set>
#include <utility>

namespace harness::exec {

class AsyncNotifier {
 public:
  explicit AsyncNotifier(const boost::asio::any_io_executor& executor);
  boost::asio::awaitable<void> wait();
  void notify_all() { m_timer.cancel(); }

 private:
  boost::asio::steady_timer m_timer;  // never expires; cancel() is the notification
};

// Side tasks one coroutine waits for (spawned into the scheduler): each is add()ed, holds a Guard
// for its whole body (released also when it throws or is cancelled), and wait_all() returns once
// every guard is gone.
class PendingTasks {
 public:
  explicit PendingTasks(const boost::asio::any_io_executor& executor) : m_done(executor) {}
  class Guard {
   public:
    explicit Guard(PendingTasks& tasks) : m_tasks(tasks) {}
    ~Guard() {
      --m_tasks.m_left;
      m_tasks.m_done.notify_all();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    PendingTasks& m_tasks;
  };
  void add() { ++m_left; }
  boost::asio::awaitable<void> wait_all();

 private:
  std::size_t m_left = 0;
  AsyncNotifier m_done;
};

// A counting semaphore: the one place the concurrency limit lives. Waiters are served by
// priority (lower first), then in arrival order; one asking for `units` (at most the count: a
// test that needs every slot) waits, first in line, until that many are free.
class AsyncSemaphore {
 public:
  AsyncSemaphore(const boost::asio::any_io_executor& executor, int count) : m_count(count), m_free(count), m_changed(executor) {}
  boost::asio::awaitable<void> acquire(int priority = 0, int units = 1);
  void release(int units = 1);
  int count() const { return m_count; }

 private:
  int m_count;
  int m_free;
  std::uint64_t m_sequence = 0;
  std::set<std::pair<int, std::uint64_t>> m_waiting;
  AsyncNotifier m_changed;
};

}  // namespace harness::exec
