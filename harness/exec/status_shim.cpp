// sohound-status FD -- PROGRAM ARGS...: the first process inside the sandbox (exec/sandbox.hpp).
//
// bubblewrap reports a child killed by signal N as exit status 128+N, the same as a program that
// calls exit(128+N); this shim starts PROGRAM, waits for it, and writes its real wait status to
// descriptor FD for the launcher: "started", then "status N" (or "noexec ERRNO" when PROGRAM
// cannot be started). A program of its own, with no library beyond libc: it runs once per tool
// process, and starts in about a millisecond (Sohound's own executable takes 18 ms).
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: sohound-status FD -- PROGRAM ARGS...\n");
    return 127;
  }
  const int fd = std::atoi(argv[1]);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // PROGRAM never holds it
  // The launcher stops a job by signalling its process group: PROGRAM ends of it, and the shim
  // outlives it to say how.
  for (int sig : k_stop_signals) ::signal(sig, SIG_IGN);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    say_number(fd, "noexec", errno);
    return 127;
  }
  if (child == 0) {
    for (int sig : k_stop_signals) ::signal(sig, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::execvp(argv[3], argv + 3);
    say_number(fd, "noexec", errno);
    ::_exit(127);
  }
  say(fd, "started\n");
  int status = 0;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return 127;
  say_number(fd, "status", status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
