// BUG: two coroutines resumed on different threads (each co_awaits on_new_thread) update one
// balance without a lock: Helgrind, DRD and ThreadSanitizer report race.data between coroutines
// balance_deposit(int) and balance_withdraw(int).
#include "coro.hpp"

#include <thread>

namespace {
long g_balance = 100;

coro::Task balance_deposit(int amount, std::thread* t) {
  co_await coro::on_new_thread{t};
  g_balance += amount;  // BUG: unsynchronised
}

coro::Task balance_withdraw(int amount, std::thread* t) {
  co_await coro::on_new_thread{t};
  g_balance -= amount;  // BUG: unsynchronised
}
}  // namespace

void resume_race() {
  std::thread a, b;
  auto in = balance_deposit(10, &a);
  auto out = balance_withdraw(5, &b);
  in.handle.resume();
  out.handle.resume();
  a.join();
  b.join();
}
