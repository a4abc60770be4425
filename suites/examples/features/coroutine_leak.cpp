// A C++20 coroutine whose handle is dropped: its frame (allocated by operator new) is never
// destroyed. The classic leak that a conservative stack scan misses when a stale copy of the
// handle is still lying in a dead stack slot; Sohound's driver runs features on a joined thread so
// LeakSanitizer sees it, as memcheck does.
#include <coroutine>
#include <cstdio>

struct Task {
  struct promise_type {
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {}
  };
  std::coroutine_handle<promise_type> handle;
};

Task count_to(int n) {
  for (int i = 0; i < n; ++i) std::printf("%d\n", i);
  co_return;
}

void start_and_forget() {
  Task task = count_to(3);
  task.handle.resume();
  // BUG: task.handle.destroy() is never called; the frame leaks.
}

void feature() { start_and_forget(); }
