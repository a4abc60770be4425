// BUG: a libuv timer handle still open when the loop is closed: uv_loop_close() fails with UV_EBUSY
// and the loop never releases what it holds. memcheck: the handle's block (leak.definite, from
// open_timer_loop), the loop's own blocks and its descriptors (fd.leak, from uv_loop_init) are
// reported; LeakSanitizer reports the blocks.
#include <uv.h>

#include <cstdlib>

namespace {
void on_tick(uv_timer_t* timer) { uv_timer_stop(timer); }

int open_timer_loop() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  auto* timer = static_cast<uv_timer_t*>(std::malloc(sizeof(uv_timer_t)));
  uv_timer_init(&loop, timer);
  uv_timer_start(timer, on_tick, 1, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  return uv_loop_close(&loop);  // BUG: the timer was never uv_close()d: UV_EBUSY
}
}  // namespace

void uv_handle_open_at_close() {
  if (open_timer_loop() != UV_EBUSY) std::abort();
}
