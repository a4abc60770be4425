// Control for asio_pool_race: the same two coroutines, spawned on one strand of the io_context
// that two threads run: never resumed at once, the tally is ordered.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <thread>

namespace asio = boost::asio;

namespace {
long g_tally;

asio::awaitable<void> add_orders() {
  for (int i = 0; i < 50; ++i) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    g_tally += 2;
  }
}

asio::awaitable<void> add_refunds() {
  for (int i = 0; i < 50; ++i) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    g_tally -= 1;
  }
}
}  // namespace

void asio_strand() {
  asio::io_context ctx;
  auto strand = asio::make_strand(ctx);
  asio::co_spawn(strand, add_orders(), asio::detached);
  asio::co_spawn(strand, add_refunds(), asio::detached);
  std::thread second([&] { ctx.run(); });
  ctx.run();
  second.join();
  if (g_tally != 50) std::abort();
}
