// BUG: a finished task whose handle is released and never destroyed: its frame waits at its final
// suspend point for a destroy() that never comes (memcheck and LeakSanitizer: leak.definite, the
// frame of coroutine count_down(int), created by start_and_forget()).
#include "coro.hpp"

namespace {
int g_sum;

coro::Task count_down(int n) {
  for (int i = n; i > 0; --i) g_sum += i;
  co_return;
}

void start_and_forget() {
  auto handle = count_down(3).release();
  handle.resume();  // runs to its final suspend point; nobody calls handle.destroy()
}
}  // namespace

void frame_never_destroyed() { start_and_forget(); }
