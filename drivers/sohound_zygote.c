/* Sohound's shared start for the runs of one program under a Valgrind tool (issue 22, "speed at the
 * floor"): loaded with LD_PRELOAD into a program that Sohound runs several times with different
 * arguments (a CTest suite that runs one parser on 200 input files), it lets one Valgrind start
 * serve them all. Valgrind's start (its own, reading the C library's debug information, running the
 * dynamic loader under the tool) is most of such a run's cost: 0.5-0.7 CPU-s, against ~0.1 for the
 * run itself.
 *
 * It defines __libc_start_main, which the program's _start calls once the dynamic loader has loaded
 * every library and run their constructors. When this process is the one Sohound meant
 * (SOHOUND_ZYGOTE_EXE is argv[0], and it runs under Valgrind), it reads the runs from
 * SOHOUND_ZYGOTE (NUL-separated fields:
 *
 *     sohound-zygote 1, COUNT, then per run: CWD, STDOUT, STDERR, TIMEOUT_MS, ARGC, ARGV[1..ARGC-1]
 *
 * ) and, for each run, forks a child that moves to the run's folder, sends its output to the run's
 * files and goes on into the C library's own __libc_start_main with the run's arguments: the
 * program's own constructors, main and exit, exactly as after a fresh exec. Valgrind 3.19 reopens a
 * forked child's text log (--log-file=...%p) but not its XML file: each child's XML document is
 * written whole into the parent's file (SOHOUND_ZYGOTE_XML_DIR/vg.PID.xml), one after another (the
 * children run one at a time and the parent writes nothing between them), and the harness cuts
 * them apart at the offsets the parent gives. Each child leads a process group of its own, as a run
 * alone does. The parent waits for each child (at most TIMEOUT_MS, then SIGTERM to its group and,
 * 5 s later, SIGKILL; what it started in its group goes with it, as alone), appends "INDEX PID END
 * N MS FROM TO" (END: exit, signal or timeout, N its status or signal; MS: how long it ran; FROM
 * and TO: its document's bytes in the XML file) to SOHOUND_ZYGOTE_STATUS (whose first line is
 * "parent PID"), empties the folders SOHOUND_ZYGOTE_CLEAN names (the sandbox's private /tmp, so
 * each run starts with an empty one, as alone), and starts the next. The harness
 * (exec/pipeline_programs.cpp) keeps a run's result only when its status line and its whole
 * report are there and the parent reported nothing of its own; every other run runs again alone.
 *
 * What a child shares with a fresh start, and what not: the libraries' constructors ran once, in
 * the parent, with the first run's arguments, in the start's folder (runs share a program, an
 * environment and, when they name one, a working folder); the child's parent is this process;
 * Valgrind's preamble names the first run's command. The children's own children are followed as
 * alone (--child-silent-after-fork=yes is restored in each child; the parent turns it off only for
 * its own children). The parent turns its own leak check off (its heap is each child's; tools
 * without the option ignore the change).
 *
 * Plain C and libc only, built once with Sohound; no allocation (the children's heaps are the
 * program's alone), raw file handling. In any other process it only forwards to the C library. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#define SOHOUND_EXPORT __attribute__((visibility("default")))

typedef int (*main_fn)(int, char**, char**);
typedef int (*start_fn)(main_fn, int, char**, main_fn, void (*)(void), void (*)(void), void*);

static void put_text(int fd, const char* text) {
  long n = (long)strlen(text);
  while (n > 0) {
    long w = write(fd, text, (size_t)n);
    if (w <= 0) return;
    text += w;
    n -= w;
  }
}

static long read_number(const char* text) {
  long v = 0;
  if (!*text) return -1;
  for (; *text; ++text) {
    if (*text < '0' || *text > '9') return -1;
    v = v * 10 + (*text - '0');
  }
  return v;
}

/* open(2) as a raw system call: not seen by an input recorder preloaded beside this library. */
static int raw_open(const char* path, int flags, int mode) { return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode); }

/* Empties the folder open at `dirfd` (not the folder itself), depth-first, without allocation,
 * staying on its file system: what the sandbox binds into its private /tmp (a suite kept under
 * /tmp, read-only) is another mount, and is left alone. */
static void empty_folder_at(int dirfd, int depth) {
  char buffer[4096];
  struct stat here;
  if (depth > 32 || fstat(dirfd, &here) != 0) return;
  for (;;) {
    int removed = 0;
    lseek(dirfd, 0, SEEK_SET);
    long got;
    while ((got = syscall(SYS_getdents64, dirfd, buffer, sizeof buffer)) > 0) {
      for (long at = 0; at < got;) {
        struct linux_dirent64 {
          unsigned long long d_ino;
          long long d_off;
          unsigned short d_reclen;
          unsigned char d_type;
          char d_name[];
        }* entry = (void*)(buffer + at);
        at += entry->d_reclen;
        const char* name = entry->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
        if (syscall(SYS_unlinkat, dirfd, name, 0) == 0) {
          ++removed;
          continue;
        }
        int sub = (int)syscall(SYS_openat, dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        struct stat there;
        if (sub < 0) continue;
        if (fstat(sub, &there) != 0 || there.st_dev != here.st_dev) {
          close(sub);
          continue;
        }
        empty_folder_at(sub, depth + 1);
        close(sub);
        if (syscall(SYS_unlinkat, dirfd, name, AT_REMOVEDIR) == 0) ++removed;
      }
    }
    if (!removed) return;
  }
}

static void empty_folders(const char* list) {
  char path[PATH_MAX];
  while (*list) {
    long n = 0;
    while (list[n] && list[n] != ':') ++n;
    if (n > 0 && n < PATH_MAX) {
      memcpy(path, list, (size_t)n);
      path[n] = 0;
      int fd = raw_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
      if (fd >= 0) {
        empty_folder_at(fd, 0);
        close(fd);
      }
    }
    list += n;
    if (*list == ':') ++list;
  }
}

/* Takes this library out of LD_PRELOAD, in place (no allocation): the runs' own children see the
 * environment an alone run's would. */
static void drop_from_preload(void) {
  for (char** e = environ; *e; ++e) {
    if (strncmp(*e, "LD_PRELOAD=", 11) != 0) continue;
    char *value = *e + 11, *out = value;
    const char* in = value;
    while (*in) {
      const char* start = in;
      while (*in && *in != ':' && *in != ' ') ++in;
      long n = in - start;
      const char* base = start + n;
      while (base > start && base[-1] != '/') --base;
      const int ours = (start + n - base) == (long)strlen("libsohound-zygote.so") &&
                       !strncmp(base, "libsohound-zygote.so", strlen("libsohound-zygote.so"));
      if (!ours && n > 0) {
        if (out != value) *out++ = ':';
        memmove(out, start, (size_t)n);
        out += n;
      }
      while (*in == ':' || *in == ' ') ++in;
    }
    *out = 0;
    if (!*value) unsetenv("LD_PRELOAD");
    return;
  }
}

/* Sends `sig` to run `pid`'s process group (the run leads its own, as a run alone does), or to the
 * run alone when it has none. */
static void signal_run(pid_t pid, int sig) {
  if (kill(-pid, sig) != 0) kill(pid, sig);
}

/* Waits for child `pid` at most `timeout_ms` (SIGCHLD is blocked). Returns its wait status, or -1
 * when the time ran out (the child and its process group are then stopped: SIGTERM, and SIGKILL
 * 5 s later, as the harness stops a run alone). */
static int wait_for(pid_t pid, long timeout_ms) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int status = 0, stopped = 0;
  for (;;) {
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) {
      if (stopped) signal_run(pid, SIGKILL); /* what it started in its group goes with it */
      return stopped ? -1 : status;
    }
    if (got < 0 && errno != EINTR) return stopped ? -1 : 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    long left = (stopped ? timeout_ms + 5000 : timeout_ms) - spent;
    if (left <= 0) {
      if (stopped) {
        signal_run(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
      }
      signal_run(pid, SIGTERM);
      stopped = 1;
      continue;
    }
    struct timespec wait = {left / 1000, (left % 1000) * 1000000};
    sigtimedwait(&chld, NULL, &wait);
  }
}

/* The NUL-terminated field at *at, moving *at past it; NULL at the end. */
static const char* next_field(const char** at, const char* end) {
  if (*at >= end) return NULL;
  const char* field = *at;
  *at += strlen(field) + 1;
  return field;
}

static int redirect(int target, const char* path) {
  int fd = raw_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (fd == target) return fcntl(fd, F_SETFD, 0); /* it was closed: the new one is it, kept over exec */
  if (dup2(fd, target) < 0) return -1;
  close(fd);
  return 0;
}

SOHOUND_EXPORT int __libc_start_main(main_fn main, int argc, char** argv, main_fn init, void (*fini)(void),
                                     void (*rtld_fini)(void), void* stack_end) {
  start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
  const char* runs_path = getenv("SOHOUND_ZYGOTE");
  const char* exe = getenv("SOHOUND_ZYGOTE_EXE");
  const char* status_path = getenv("SOHOUND_ZYGOTE_STATUS");
  const char* xml_dir = getenv("SOHOUND_ZYGOTE_XML_DIR");
  if (!real) _exit(127);
  if (!runs_path || !exe || !status_path || !xml_dir || argc < 1 || strcmp(argv[0], exe) != 0 || !RUNNING_ON_VALGRIND)
    return real(main, argc, argv, init, fini, rtld_fini, stack_end);

  int status_fd = raw_open(status_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int runs_fd = raw_open(runs_path, O_RDONLY | O_CLOEXEC, 0);
  struct stat st;
  if (status_fd < 0 || runs_fd < 0 || fstat(runs_fd, &st) != 0 || st.st_size <= 0) _exit(126);
  char* runs = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, runs_fd, 0);
  close(runs_fd);
  if (runs == MAP_FAILED || runs[st.st_size - 1] != 0) _exit(126);
  char xml[PATH_MAX], line[200];
  if (snprintf(xml, sizeof xml, "%s/vg.%ld.xml", xml_dir, (long)getpid()) >= (int)sizeof xml) _exit(126);
  snprintf(line, sizeof line, "parent %ld\n", (long)getpid());
  put_text(status_fd, line);
  char clean[PATH_MAX] = "";
  const char* clean_env = getenv("SOHOUND_ZYGOTE_CLEAN");
  if (clean_env && strlen(clean_env) < sizeof clean) strcpy(clean, clean_env);
  unsetenv("SOHOUND_ZYGOTE");
  unsetenv("SOHOUND_ZYGOTE_EXE");
  unsetenv("SOHOUND_ZYGOTE_STATUS");
  unsetenv("SOHOUND_ZYGOTE_CLEAN");
  unsetenv("SOHOUND_ZYGOTE_XML_DIR");
  drop_from_preload();

  const char *at = runs, *end = runs + st.st_size;
  const char* magic = next_field(&at, end);
  const char* count_text = next_field(&at, end);
  if (!magic || strcmp(magic, "sohound-zygote 1") != 0 || !count_text) _exit(126);
  const long count = read_number(count_text);

  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  VALGRIND_CLO_CHANGE("--child-silent-after-fork=no");
  for (long index = 0; index < count; ++index) {
    const char *cwd = next_field(&at, end), *out = next_field(&at, end), *err = next_field(&at, end),
               *timeout = next_field(&at, end), *args = next_field(&at, end);
    const long timeout_ms = timeout ? read_number(timeout) : -1, n = args ? read_number(args) : -1;
    if (!err || timeout_ms < 0 || n < 1 || n > 100000) _exit(126);
    const char* first = at;
    for (long k = 1; k < n; ++k)
      if (!next_field(&at, end)) _exit(126);
    struct timespec started, ended;
    struct stat before, after;
    if (syscall(SYS_newfstatat, AT_FDCWD, xml, &before, 0) != 0) _exit(126);
    clock_gettime(CLOCK_MONOTONIC, &started);
    pid_t pid = fork();
    if (pid < 0) _exit(125);
    if (pid == 0) {
      setpgid(0, 0); /* its own process group, as a run alone: kill(0, ...) reaches only its own */
      VALGRIND_CLO_CHANGE("--child-silent-after-fork=yes");
      sigprocmask(SIG_SETMASK, &old, NULL);
      close(status_fd);
      if ((cwd[0] && chdir(cwd) != 0) || redirect(1, out) != 0 || redirect(2, err) != 0) _exit(124);
      char* child_argv[n + 1];
      child_argv[0] = argv[0];
      for (long k = 1; k < n; ++k) {
        child_argv[k] = (char*)first;
        first += strlen(first) + 1;
      }
      child_argv[n] = NULL;
      return real(main, (int)n, child_argv, init, fini, rtld_fini, stack_end);
    }
    setpgid(pid, pid); /* either side may be first */
    const int status = wait_for(pid, timeout_ms);
    clock_gettime(CLOCK_MONOTONIC, &ended);
    if (syscall(SYS_newfstatat, AT_FDCWD, xml, &after, 0) != 0) _exit(126);
    snprintf(line, sizeof line, "%ld %ld %s %d %ld %ld %ld\n", index, (long)pid,
             status < 0 ? "timeout" : WIFSIGNALED(status) ? "signal" : "exit",
             status < 0 ? 0 : WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
             (long)((ended.tv_sec - started.tv_sec) * 1000 + (ended.tv_nsec - started.tv_nsec) / 1000000),
             (long)before.st_size, (long)after.st_size);
    put_text(status_fd, line);
    if (clean[0]) empty_folders(clean);
  }
  put_text(status_fd, "done\n");
  VALGRIND_CLO_CHANGE("--leak-check=no");
  _exit(0);
}
