#include "harness/exec/async_notifier.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace harness::exec {
namespace asio = boost::asio;

AsyncNotifier::AsyncNotifier(const asio::any_io_executor& executor) : m_timer(executor) {
  m_timer.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<void> AsyncNotifier::wait() {
  co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  // Woken either by notify_all (not our cancellation) or because we were cancelled.
  const auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) throw boost::system::system_error(asio::error::operation_aborted);
}

asio::awaitable<void> PendingTasks::wait_all() {
  while (m_left > 0) co_await m_done.wait();
}

asio::awaitable<void> AsyncSemaphore::acquire(int priority, int units) {
  units = std::clamp(units, 1, m_count);
  const std::pair<int, std::uint64_t> me{priority, m_sequence++};
  m_waiting.insert(me);
  try {
    while (m_free < units || *m_waiting.begin() != me) co_await m_changed.wait();
  } catch (...) {
    m_waiting.erase(me);
    m_changed.notify_all();  // the next in line may be able to go now
    throw;
  }
  m_waiting.erase(me);
  m_free -= units;
  if (m_free > 0 && !m_waiting.empty()) m_changed.notify_all();
}

void AsyncSemaphore::release(int units) {
  m_free += std::clamp(units, 1, m_count);
  m_changed.notify_all();
}

}  // namespace harness::exec
