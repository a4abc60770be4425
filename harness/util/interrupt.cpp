#include "harness/util/interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>

namespace harness::util {
namespace {

std::atomic<bool> g_interrupted{false};
int g_pipe[2] = {-1, -1};
// A small ring of (signal, sender) the handler fills and take_signal empties; one writer (the
// handler, which does not nest with itself for the same signal) per slot index.
constexpr int k_slots = 16;
std::atomic<int> g_signal[k_slots];
std::atomic<pid_t> g_sender[k_slots];
std::atomic<unsigned> g_written{0};
std::atomic<unsigned> g_phase_start{0};
bool g_accept_every_signal = false;
unsigned g_read = 0;

void on_signal(int sig, siginfo_t* info, void*) {
  const int saved = errno;
  // A second signal from outside after an accepted interrupt: the user means it.
  if (g_interrupted.load() && (info == nullptr || info->si_pid == 0 || !is_descendant(info->si_pid))) _exit(130);
  if (g_accept_every_signal) g_interrupted.store(true);
  const unsigned slot = g_written.fetch_add(1) % k_slots;
  g_signal[slot].store(sig);
  g_sender[slot].store(info ? info->si_pid : 0);
  const char byte = 1;
  [[maybe_unused]] auto n = ::write(g_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

void install_interrupt_handlers(bool accept_every_signal) {
  static bool installed = false;
  if (installed) return;
  installed = true;
  g_accept_every_signal = accept_every_signal;
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
  struct sigaction action {};
  action.sa_sigaction = on_signal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

unsigned signal_count() { return g_written.load(); }
void start_phase() { g_phase_start.store(g_written.load()); }
void throw_if_interrupted() {
  if (g_written.load(std::memory_order_relaxed) != g_phase_start.load(std::memory_order_relaxed)) throw Interrupted{};
}

bool interrupted() { return g_interrupted.load(std::memory_order_relaxed); }
void set_interrupted() { g_interrupted.store(true); }
int interrupt_fd() { return g_pipe[0]; }

bool take_signal(int& signal, pid_t& sender) {
  char buffer[64];
  while (::read(g_pipe[0], buffer, sizeof buffer) > 0) {
  }
  if (g_read == g_written.load()) return false;
  const unsigned slot = g_read++ % k_slots;
  signal = g_signal[slot].load();
  sender = g_sender[slot].load();
  return true;
}

// Async-signal-safe: open/read/close on /proc/PID/stat only, no allocation.
bool is_descendant(pid_t pid) {
  const pid_t self = ::getpid();
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    if (pid == self) return depth > 0;
    char path[40] = "/proc/";
    int n = 6;
    char digits[16];
    int d = 0;
    for (pid_t v = pid; v > 0 && d < 16; v /= 10) digits[d++] = static_cast<char>('0' + v % 10);
    while (d > 0) path[n++] = digits[--d];
    const char tail[] = "/stat";
    for (char c : tail) path[n++] = c;
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char stat[512];
    const auto got = ::read(fd, stat, sizeof stat - 1);
    ::close(fd);
    if (got <= 0) return false;
    stat[got] = '\0';
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
    int close_paren = -1;
    for (int i = 0; i < got; ++i)
      if (stat[i] == ')') close_paren = i;
    if (close_paren < 0 || close_paren + 4 >= got) return false;
    pid_t parent = 0;
    for (int i = close_paren + 4; i < got && stat[i] >= '0' && stat[i] <= '9'; ++i) parent = parent * 10 + (stat[i] - '0');
    pid = parent;
  }
  return false;
}

}  // namespace harness::util
