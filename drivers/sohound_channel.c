/* Sohound's report channel for the user's own programs (spec `programs:`, `sohound exec`,
 * `sohound ctest`) run under a sanitizer: loaded with LD_PRELOAD, it gives the program what the
 * driver runtime (drivers/sohound_rt.h) gives a generated driver, so a clean verdict has the same
 * proof (issue 19, "no false PASS"):
 *
 * - The sanitizer reports on a channel opened here at a high descriptor (SOHOUND_REPORT_FILE,
 *   handed to the runtime with __sanitizer_set_report_fd), not on stderr or a log_path file the
 *   program can close or redirect.
 * - The program cannot close or replace it: close, close_range, closefrom, dup2 and dup3 on the
 *   channel's descriptor are refused (EBADF, as Valgrind refuses its own) or step around it. Where a
 *   runtime's text still finds the channel gone (a raw syscall), __sanitizer_on_print reopens it and
 *   says so, as in a driver; that hook reaches a runtime that is a shared library (GCC's), not one
 *   linked into the program (Clang's default), whose reports the interposed calls protect instead.
 * - After the program's own exit handlers, LeakSanitizer's exit-time check runs here (ASan; Sohound
 *   sets leak_check_at_exit=0, so it runs once and before the record, in every sanitized process
 *   of the job), and then the owner writes the completion record "sohound:complete pid=N
 *   reports=N channel_restored=N nonce=SECRET", also when the check ends the process (the
 *   sanitizer's death callback). The harness (exec/report_proof.cpp) calls the job clean only when
 *   every "sohound:open pid=N" on the channel has its record: a program that skipped its exit
 *   handlers (_exit, a signal, exec of an unsanitized program) has no proof.
 *
 * The first sanitized process of a line of descent (the one Sohound started, or each one a wrapper
 * script starts) owns the channel; it marks the environment (SOHOUND_CHANNEL_OWNER=PID) so that its
 * descendants' runtimes keep their own log_path.PID files. A program that execs itself keeps
 * ownership (same PID). In processes without a sanitizer (a shell, setarch, Python) nothing is done
 * but forwarding the interposed calls.
 *
 * Plain C and libc only, built once with Sohound (no sanitizer instrumentation); the hooks that run
 * inside the runtime's report code use raw syscalls and no allocation. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sohound_ubsan.h"

#define SOHOUND_EXPORT __attribute__((visibility("default")))

static int channel_fd = -1;
static const char *channel_path;
static long channel_pid; /* the owner's PID: forked children do nothing */
static dev_t channel_dev;
static ino_t channel_ino;
static unsigned long reports;  /* "SUMMARY: " lines the runtime printed (hook reached) */
static unsigned long restores; /* times the channel was found closed or replaced */
static int hook_reached;       /* __sanitizer_on_print has been called at least once */
static int completed;
static char nonce[80];

typedef void (*set_report_fd_fn)(void *);
static set_report_fd_fn set_report_fd;

static void raw_write(int fd, const char *text, unsigned long length) {
  while (length > 0) {
    long wrote = syscall(SYS_write, fd, text, length);
    if (wrote <= 0) return;
    text += wrote;
    length -= (unsigned long)wrote;
  }
}

static unsigned long raw_length(const char *text) {
  unsigned long n = 0;
  while (text[n]) ++n;
  return n;
}

static int owner(void) { return channel_fd >= 0 && syscall(SYS_getpid) == channel_pid; }

static int channel_intact(void) {
  struct stat st;
  if (channel_fd < 0 || syscall(SYS_fstat, channel_fd, &st) != 0) return 0;
  return st.st_dev == channel_dev && st.st_ino == channel_ino;
}

/* Opens the channel by path at a descriptor out of the way of the low numbers programs use. */
static int channel_open(void) {
  struct stat st;
  long fd = syscall(SYS_openat, AT_FDCWD, channel_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  long high;
  if (fd < 0) return -1;
  high = syscall(SYS_fcntl, (int)fd, F_DUPFD_CLOEXEC, 900);
  if (high >= 0) {
    syscall(SYS_close, (int)fd);
    fd = high;
  }
  if (syscall(SYS_fstat, (int)fd, &st) != 0) return -1;
  channel_fd = (int)fd;
  channel_dev = st.st_dev;
  channel_ino = st.st_ino;
  channel_pid = syscall(SYS_getpid);
  set_report_fd((void *)(intptr_t)channel_fd);
  return 0;
}

/* 1 when the channel was intact; 0 when it was restored now (or could not be). */
static int channel_ensure(void) {
  char line[128];
  int lost = channel_fd, n;
  if (channel_intact()) return 1;
  if (channel_open() != 0) return 0;
  ++restores;
  n = snprintf(line, sizeof line, "sohound:channel fd=%d feature=-\n", lost);
  if (n > 0) raw_write(channel_fd, line, (unsigned long)n < sizeof line ? (unsigned long)n : sizeof line - 1);
  return 0;
}

/* Called by a sanitizer runtime that is a shared library after each piece of text it prints. */
SOHOUND_EXPORT void __sanitizer_on_print(const char *text);
SOHOUND_EXPORT void __sanitizer_on_print(const char *text) {
  const char *at;
  if (!owner()) return;
  hook_reached = 1;
  for (at = text; *at; ++at)
    if ((at == text || at[-1] == '\n') && strncmp(at, "SUMMARY:", 8) == 0) ++reports;
  if (channel_ensure()) return;
  if (channel_intact()) raw_write(channel_fd, text, raw_length(text));
}

static void write_record(void) {
  char line[200];
  int n;
  if (!owner() || completed) return;
  completed = 1;
  channel_ensure();
  /* reports= counts only what the hook saw: "-" when the runtime is linked into the program and
   * the hook never runs (the harness then counts what arrived, and relies on the interposed calls). */
  if (hook_reached)
    n = snprintf(line, sizeof line, "sohound:complete pid=%ld reports=%lu channel_restored=%lu nonce=%s\n", channel_pid,
                 reports, restores, nonce[0] ? nonce : "-");
  else
    n = snprintf(line, sizeof line, "sohound:complete pid=%ld reports=- channel_restored=%lu nonce=%s\n", channel_pid,
                 restores, nonce[0] ? nonce : "-");
  if (n > 0 && channel_intact()) raw_write(channel_fd, line, (unsigned long)n < sizeof line ? (unsigned long)n : sizeof line - 1);
}

/* LeakSanitizer found leaks at exit and is ending the process with its exit code. */
static void on_death(void) { write_record(); }

/* After the program's own exit handlers (registered before them, so run after them): ASan's
 * exit-time leak check now, so that its report precedes the record; then the record. */
static void at_exit(void) {
  void (*leak_check)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__lsan_do_leak_check");
  if (leak_check) leak_check(); /* ends the process through on_death when it finds leaks */
  write_record();
}

static void take_nonce(void) {
  const char *path = getenv("SOHOUND_NONCE_FILE");
  ssize_t n;
  int fd;
  if (!path || !*path) return;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  n = read(fd, nonce, sizeof nonce - 1);
  close(fd);
  unlink(path);
  nonce[n > 0 ? n : 0] = 0;
  while (n > 0 && (nonce[n - 1] == '\n' || nonce[n - 1] == ' ')) nonce[--n] = 0;
}

/* GCC 12's libubsan starts at its first report and then points its report file at log_path,
 * replacing a descriptor handed to it earlier: start it now with one handler call whose report goes
 * to /dev/null (and remove the log_path.PID file it opened), as the driver runtime does. Clang's
 * runtime starts with the program and needs none of this. */
static void start_gcc_ubsan(void) {
  sohound_ubsan_handler handler = (sohound_ubsan_handler)dlsym(RTLD_DEFAULT, "__ubsan_handle_add_overflow");
  const char *(*report_path)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "__sanitizer_get_report_path");
  Dl_info where;
  if (!handler || !dladdr((void *)handler, &where) || !where.dli_fname || !strstr(where.dli_fname, "libubsan.so")) return;
  sohound_ubsan_start(handler, report_path);
}

__attribute__((constructor)) static void sohound_channel_start(void) {
  const char *path = getenv("SOHOUND_REPORT_FILE");
  const char *owner_env = getenv("SOHOUND_CHANNEL_OWNER");
  const char *tool = getenv("SOHOUND_TOOL");
  void (*set_death_callback)(void (*)(void));
  char text[64];
  int n;
  if (!path || !*path) return;
  set_report_fd = (set_report_fd_fn)dlsym(RTLD_DEFAULT, "__sanitizer_set_report_fd");
  if (!set_report_fd) return; /* no sanitizer in this process */
  /* Every sanitized process: the exit-time leak check (Sohound turns the runtime's own off). */
  set_death_callback = (void (*)(void (*)(void)))dlsym(RTLD_DEFAULT, "__sanitizer_set_death_callback");
  if (set_death_callback) set_death_callback(on_death);
  atexit(at_exit);
  /* A descendant of the owner keeps its runtime's own log_path.PID file; the owner after exec
   * (same PID) carries on. */
  if (owner_env && *owner_env && atol(owner_env) != (long)getpid()) return;
  snprintf(text, sizeof text, "%ld", (long)getpid());
  setenv("SOHOUND_CHANNEL_OWNER", text, 1);
  if (!owner_env) take_nonce();
  if (tool && strcmp(tool, "ubsan") == 0) start_gcc_ubsan();
  channel_path = path;
  if (channel_open() != 0) return; /* the harness sees no completion record */
  n = snprintf(text, sizeof text, "sohound:open pid=%ld\n", channel_pid);
  if (n > 0) raw_write(channel_fd, text, (unsigned long)n);
}

/* The interposed calls: the channel's descriptor is not the program's to close or replace. */
typedef int (*close_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*close_range_fn)(unsigned, unsigned, int);
typedef void (*closefrom_fn)(int);
#define SOHOUND_NEXT(name) \
  static name##_fn real_##name; \
  if (!real_##name) real_##name = (name##_fn)dlsym(RTLD_NEXT, #name)

SOHOUND_EXPORT int close(int fd) {
  SOHOUND_NEXT(close);
  if (fd >= 0 && fd == channel_fd && owner()) {
    errno = EBADF;
    return -1;
  }
  return real_close(fd);
}

SOHOUND_EXPORT int dup2(int from, int to) {
  SOHOUND_NEXT(dup2);
  if (to >= 0 && to == channel_fd && owner()) {
    errno = EBADF;
    return -1;
  }
  return real_dup2(from, to);
}

SOHOUND_EXPORT int dup3(int from, int to, int flags) {
  SOHOUND_NEXT(dup3);
  if (to >= 0 && to == channel_fd && owner()) {
    errno = EBADF;
    return -1;
  }
  return real_dup3(from, to, flags);
}

/* Both step around the channel: [first, channel) and (channel, last]. */
SOHOUND_EXPORT int close_range(unsigned first, unsigned last, int flags) {
  SOHOUND_NEXT(close_range);
  if (channel_fd >= 0 && owner() && first <= (unsigned)channel_fd && (unsigned)channel_fd <= last) {
    int result = 0;
    if (first < (unsigned)channel_fd) result = real_close_range(first, (unsigned)channel_fd - 1, flags);
    if (result == 0 && (unsigned)channel_fd < last) result = real_close_range((unsigned)channel_fd + 1, last, flags);
    return result;
  }
  return real_close_range(first, last, flags);
}

SOHOUND_EXPORT void closefrom(int first) {
  SOHOUND_NEXT(closefrom);
  if (channel_fd >= 0 && owner() && first <= channel_fd) {
    close_range((unsigned)first, ~0u, 0);
    return;
  }
  real_closefrom(first);
}
