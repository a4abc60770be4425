// Control for frame_never_destroyed: the task owns its frame and destroys it.
#include "coro.hpp"

#include <cstdlib>

namespace {
int g_sum;

coro::Task count_down(int n) {
  for (int i = n; i > 0; --i) g_sum += i;
  co_return;
}
}  // namespace

void frame_destroyed() {
  auto task = count_down(3);
  task.handle.resume();
  if (!task.handle.done() || g_sum != 6) std::abort();
}
