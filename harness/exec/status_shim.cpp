// sohound-status FD -- PROGRAM ARGS...: the first process inside the sandbox (exec/sandbox.hpp).
//
// bubblewrap reports a child killed by signal N as exit status 128+N, the same as a program that
// calls exit(128+N); this shim starts PROGRAM, waits for it, and writes its real wait status to
// descriptor FD for the launcher: "started", then "status N" (or "noexec ERRNO" when PROGRAM
// cannot be started), and "ignored SIG PID" for a stop signal the code under test sent it. A program of its own, with no library
// beyond libc: it runs once per tool process, and starts in about a millisecond (Sohound's own executable takes 18 ms).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

void say(int fd, const char* text) {
  for (std::size_t done = 0, size = std::strlen(text); done < size;) {
    const auto n = ::write(fd, text + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void say_number(int fd, const char* word, int value) {
  char line[64];
  std::snprintf(line, sizeof line, "%s %d\n", word, value);
  say(fd, line);
}

constexpr int k_stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

volatile sig_atomic_t g_child = 0;
pid_t g_stoppers[2] = {0, 0};  // bwrap, and the launcher that started it
int g_fd = -1;

// "ignored SIG PID\n" with async-signal-safe formatting.
void say_ignored(int sig, pid_t from) {
  char line[64] = "ignored ";
  std::size_t n = 8;
  auto number = [&](long value) {
    char digits[24];
    std::size_t k = 0;
    do digits[k++] = static_cast<char>('0' + value % 10);
    while ((value /= 10) > 0 && k < sizeof digits);
    while (k > 0 && n < sizeof line - 2) line[n++] = digits[--k];
  };
  number(sig);
  line[n++] = ' ';
  number(from);
  line[n++] = '\n';
  [[maybe_unused]] auto written = ::write(g_fd, line, n);
}

// A stop for the job (the launcher signals bwrap's process group, which holds the shim) goes on to
// PROGRAM's own group. The same signal from anyone else (the code under test killing its parent,
// as it would kill Sohound outside the sandbox) is not a stop: ignored, and said.
void on_stop(int sig, siginfo_t* info, void*) {
  const bool sent = info && (info->si_code == SI_USER || info->si_code == SI_QUEUE);
  const pid_t from = sent ? info->si_pid : 0;
  if (sent && from != g_stoppers[0] && from != g_stoppers[1]) {
    say_ignored(sig, from);
    return;
  }
  if (g_child > 0) ::kill(-g_child, sig);
}

// The parent of process `pid`, from /proc (0 when it cannot be read).
pid_t parent_of(pid_t pid) {
  char path[64], stat[512];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  const auto got = ::read(fd, stat, sizeof stat - 1);
  ::close(fd);
  if (got <= 0) return 0;
  stat[got] = 0;
  const char* close_paren = std::strrchr(stat, ')');
  int ppid = 0;
  if (!close_paren || std::sscanf(close_paren + 1, " %*c %d", &ppid) != 1) return 0;
  return ppid;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: sohound-status FD -- PROGRAM ARGS...\n");
    return 127;
  }
  const int fd = std::atoi(argv[1]);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // PROGRAM never holds it
  g_fd = fd;
  g_stoppers[0] = ::getppid();
  g_stoppers[1] = parent_of(g_stoppers[0]);
  // PROGRAM leads a process group of its own, as it does outside the sandbox (code that checks
  // getpgid(0) == getpid() behaves the same). The launcher stops a job by signalling bwrap's group:
  // the shim passes the signal on to PROGRAM's group and outlives it to say how it ended.
  struct sigaction action {};
  action.sa_sigaction = on_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_SIGINFO;
  // Stops are held until the child's group is known (then delivered to the handler).
  sigset_t stops, old;
  sigemptyset(&stops);
  for (int sig : k_stop_signals) sigaddset(&stops, sig);
  ::sigprocmask(SIG_BLOCK, &stops, &old);
  for (int sig : k_stop_signals) ::sigaction(sig, &action, nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    say_number(fd, "noexec", errno);
    return 127;
  }
  if (child == 0) {
    ::setpgid(0, 0);
    for (int sig : k_stop_signals) ::signal(sig, SIG_DFL);  // the launcher made them ignored for bwrap
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::execvp(argv[3], argv + 3);
    say_number(fd, "noexec", errno);
    ::_exit(127);
  }
  ::setpgid(child, child);  // (also here: whichever of the two runs first)
  g_child = child;
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  say(fd, "started\n");
  int status = 0;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return 127;
  say_number(fd, "status", status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
