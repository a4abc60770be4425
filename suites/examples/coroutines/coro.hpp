// A small C++20 coroutine runtime for the coroutine examples (coroutines.yaml): a lazy task, a
// generator, and an awaiter that resumes the coroutine on a new thread. Each type owns its frame
// the usual way (destroy() in the destructor), unless an example says otherwise.
#pragma once

#include <coroutine>
#include <exception>
#include <thread>
#include <utility>

namespace coro {

// A lazy task: starts suspended, runs when resumed, waits at its final suspend point until its
// owner destroys it.
struct Task {
  struct promise_type {
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  explicit Task(std::coroutine_handle<promise_type> h) : handle(h) {}
  Task(Task&& other) noexcept : handle(std::exchange(other.handle, {})) {}
  Task(const Task&) = delete;
  ~Task() {
    if (handle) handle.destroy();
  }
  // Gives up ownership: the caller must destroy the frame itself.
  std::coroutine_handle<promise_type> release() { return std::exchange(handle, {}); }
  std::coroutine_handle<promise_type> handle;
};

// A generator of ints: each co_yield suspends until the next next().
struct Generator {
  struct promise_type {
    int value = 0;
    Generator get_return_object() { return Generator{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(int v) noexcept {
      value = v;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  explicit Generator(std::coroutine_handle<promise_type> h) : handle(h) {}
  Generator(Generator&& other) noexcept : handle(std::exchange(other.handle, {})) {}
  Generator(const Generator&) = delete;
  ~Generator() {
    if (handle) handle.destroy();
  }
  // The next value; false at the end.
  bool next(int& out) {
    handle.resume();
    if (handle.done()) return false;
    out = handle.promise().value;
    return true;
  }
  std::coroutine_handle<promise_type> release() { return std::exchange(handle, {}); }
  std::coroutine_handle<promise_type> handle;
};

// co_await on_new_thread{&t}: the coroutine continues on a new thread, t, which the caller joins.
struct on_new_thread {
  std::thread* thread;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { *thread = std::thread([h] { h.resume(); }); }
  void await_resume() const noexcept {}
};

}  // namespace coro
