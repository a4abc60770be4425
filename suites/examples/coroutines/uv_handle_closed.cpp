// Control for uv_handle_open_at_close: the timer is closed (its memory freed in the close
// callback) before the loop, and uv_loop_close() succeeds.
#include <uv.h>

#include <cstdlib>

namespace {
void on_closed(uv_handle_t* handle) { std::free(handle); }
void on_tick(uv_timer_t* timer) { uv_close(reinterpret_cast<uv_handle_t*>(timer), on_closed); }
}  // namespace

void uv_handle_closed() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  auto* timer = static_cast<uv_timer_t*>(std::malloc(sizeof(uv_timer_t)));
  uv_timer_init(&loop, timer);
  uv_timer_start(timer, on_tick, 1, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) std::abort();
}
