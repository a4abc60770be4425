// Control for resume_race: the same two coroutines on two threads, the balance under a mutex.
#include "coro.hpp"

#include <cstdlib>
#include <mutex>
#include <thread>

namespace {
long g_balance = 100;
std::mutex g_lock;

coro::Task balance_deposit(int amount, std::thread* t) {
  co_await coro::on_new_thread{t};
  std::lock_guard lock(g_lock);
  g_balance += amount;
}

coro::Task balance_withdraw(int amount, std::thread* t) {
  co_await coro::on_new_thread{t};
  std::lock_guard lock(g_lock);
  g_balance -= amount;
}
}  // namespace

void resume_locked() {
  std::thread a, b;
  auto in = balance_deposit(10, &a);
  auto out = balance_withdraw(5, &b);
  in.handle.resume();
  out.handle.resume();
  a.join();
  b.join();
  if (g_balance != 105) std::abort();
}
