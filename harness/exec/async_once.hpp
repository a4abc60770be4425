// A value computed once by the first coroutine that asks for it; later askers wait for it.
// Used so every job that needs the same library or driver build shares one build.
#pragma once

#include "harness/exec/async_notifier.hpp"

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <optional>

namespace harness::exec {

template <class T>
class AsyncOnce {
 public:
  explicit AsyncOnce(const boost::asio::any_io_executor& executor) : m_done(executor) {}

  // `make` is called at most once; its exception (cancellation included) reaches every asker.
  template <class Make>
  boost::asio::awaitable<T> get(Make make) {
    if (!m_started) {
      m_started = true;
      try {
        m_value = co_await make();
      } catch (...) {
        m_error = std::current_exception();
      }
      m_finished = true;
      m_done.notify_all();
    }
    while (!m_finished) co_await m_done.wait();
    if (m_error) std::rethrow_exception(m_error);
    co_return *m_value;
  }

 private:
  AsyncNotifier m_done;
  bool m_started = false;
  bool m_finished = false;
  std::optional<T> m_value;
  std::exception_ptr m_error;
};

}  // namespace harness::exec
