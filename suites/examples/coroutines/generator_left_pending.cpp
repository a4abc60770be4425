// BUG: a generator abandoned mid-iteration by an owner that released its handle: the coroutine
// waits forever at its co_yield (asyncio's "Task was destroyed but it is pending", leaked here
// instead). memcheck and LeakSanitizer: leak.definite, the frame of coroutine squares(int).
#include "coro.hpp"

#include <cstdlib>

namespace {
coro::Generator squares(int limit) {
  for (int i = 1; i <= limit; ++i) co_yield i * i;
}

int first_square_over(int threshold) {
  auto gen = squares(100);
  int v = 0;
  while (gen.next(v) && v <= threshold) {
  }
  gen.release();  // BUG: the frame, suspended at co_yield, is never destroyed
  return v;
}
}  // namespace

void generator_left_pending() {
  if (first_square_over(50) != 64) std::abort();
}
