// BUG: two Asio coroutines (awaitables) on an io_context run by two threads, without a strand:
// each resumes on whichever thread is free, and both update one tally unsynchronised. Helgrind,
// DRD and ThreadSanitizer report race.data between coroutines add_orders() and add_refunds(); the
// scheduler's frames (io_context::run and below) fold into one line. (Both coroutines wait for
// each other before writing, so they are surely on the two threads at once: a pool's scheduler
// would otherwise be free to run both on one thread, and then there is no race to see. Then the
// refunds wait 5 ms, which orders nothing: ThreadSanitizer checks and updates its shadow memory
// without a lock, so two writes at the same instant can each miss the other, and it said nothing
// in about one run in a hundred here; apart in time, it sees them every time.)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <pthread.h>
#include <chrono>
#include <thread>

namespace asio = boost::asio;

namespace {
long g_tally;
pthread_barrier_t g_both_running;  // two: one per coroutine

asio::awaitable<void> add_orders() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  pthread_barrier_wait(&g_both_running);
  g_tally += 2;  // BUG: no strand, no lock
}

asio::awaitable<void> add_refunds() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  pthread_barrier_wait(&g_both_running);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // not a synchronisation: see above
  g_tally -= 1;  // BUG: no strand, no lock
}
}  // namespace

void asio_pool_race() {
  pthread_barrier_init(&g_both_running, nullptr, 2);
  asio::io_context ctx;
  asio::co_spawn(ctx, add_orders(), asio::detached);
  asio::co_spawn(ctx, add_refunds(), asio::detached);
  std::thread second([&] { ctx.run(); });
  ctx.run();
  second.join();
  pthread_barrier_destroy(&g_both_running);
}
