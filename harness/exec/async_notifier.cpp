#include "harness/exec/async_notifier.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace harness::exec {
namespace asio = boost::asio;

AsyncNotifier::AsyncNotifier(const asio::any_io_executor& executor) : m_timer(executor) {
  m_timer.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<void> AsyncNotifier::wait() {
  co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  // Woken either by notify_all (not our cancellation) or because we were cancelled.
  const auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none)
    throw boost::system::system_error(asio::error::operation_aborted);
}

asio::awaitable<void> AsyncSemaphore::acquire() {
  while (m_free == 0) co_await m_changed.wait();
  --m_free;
}

void AsyncSemaphore::release() {
  ++m_free;
  m_changed.notify_all();
}

}  // namespace harness::exec
