/* Sohound driver runtime, part: the report channel and the markers written into it. Included by
 * sohound_rt.h in the driver's main object (SOHOUND_RT_MAIN); not a header of its own. */
#ifndef SOHOUND_RT_CHANNEL_H
#define SOHOUND_RT_CHANNEL_H

/* The report channel. Under Valgrind, markers are client messages in Valgrind's own XML, whose
 * descriptors the client cannot close or replace. Under a sanitizer, reports and markers share one
 * file (SOHOUND_REPORT_FILE), opened here at a high descriptor and handed to the runtime with
 * __sanitizer_set_report_fd, and the harness may call a job clean only when that file ends with the
 * runtime's own completion record ("sohound:complete reports=N") and holds all N reports.
 *
 * Code under test often closes or replaces descriptors it does not own: daemon-style start-up
 * closes everything from 3 up (closefrom), redirects stderr to /dev/null (freopen, dup2). The
 * runtimes write reports with plain write(2) on whatever the descriptor now is, so such a report
 * would vanish (EBADF) or land in the program's own file. Every piece of text a runtime prints
 * passes through __sanitizer_on_print (a weak hook of the sanitizer runtimes, called after each
 * write, whatever became of the descriptor): there the runtime checks that its descriptor still is
 * the channel (same device and inode), and if not, reopens the channel by path, hands the runtime
 * the new descriptor, records "sohound:channel fd=N feature=NAME", and writes the text again. The
 * same check runs before every marker. Each "SUMMARY: " line the hook sees is one report; the count
 * travels in the end markers and the completion record, so a report that still went missing (the
 * file truncated behind the runtime's back) is seen by the harness as a count that does not add up.
 *
 * The hooks run inside the runtime's report code, with its locks held: raw syscalls only, no
 * allocation, no sanitizer instrumentation, and nothing at all in a forked child (whose runtime
 * opens its own log_path.PID file). */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#define SOHOUND_RAW __attribute__((no_sanitize("address", "thread", "undefined"))) __attribute__((noinline))

/* The driver's exit status when its report channel was lost and could not be reopened (every
 * descriptor taken, the file gone): the one channel code under test cannot close. */
#define SOHOUND_EXIT_CHANNEL_LOST 123

static int sohound_report_fd = -1;
static const char *sohound_report_path;  /* SOHOUND_REPORT_FILE; NULL under Valgrind and natively */
static long sohound_channel_pid;          /* the process that owns the channel */
static dev_t sohound_channel_dev;
static ino_t sohound_channel_ino;
static unsigned long sohound_reports;     /* "SUMMARY: " lines the runtime printed */
static unsigned long sohound_restores;    /* times the channel was found closed or replaced */
static const char *volatile sohound_running; /* the feature running now, for the channel record */
static int sohound_memcheck = 0; /* SOHOUND_TOOL=memcheck: leak checks between features */

SOHOUND_RAW static void sohound_raw_write(int fd, const char *text, unsigned long length) {
  while (length > 0) {
    long wrote = syscall(SYS_write, fd, text, length);
    if (wrote <= 0) return;
    text += wrote;
    length -= (unsigned long)wrote;
  }
}

SOHOUND_RAW static unsigned long sohound_raw_length(const char *text) {
  unsigned long n = 0;
  while (text[n]) ++n;
  return n;
}

SOHOUND_RAW static int sohound_channel_intact(void) {
  struct stat st;
  if (sohound_report_fd < 0 || syscall(SYS_fstat, sohound_report_fd, &st) != 0) return 0;
  return st.st_dev == sohound_channel_dev && st.st_ino == sohound_channel_ino;
}

/* Opens the channel by path, out of the way of the low numbers code under test uses. */
SOHOUND_RAW static int sohound_channel_open(void) {
  struct stat st;
  long fd = syscall(SYS_openat, AT_FDCWD, sohound_report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  long high;
  if (fd < 0) return -1;
  high = syscall(SYS_fcntl, (int)fd, F_DUPFD_CLOEXEC, 900);
  if (high >= 0) {
    syscall(SYS_close, (int)fd);
    fd = high;
  }
  if (syscall(SYS_fstat, (int)fd, &st) != 0) return -1;
  sohound_report_fd = (int)fd;
  sohound_channel_dev = st.st_dev;
  sohound_channel_ino = st.st_ino;
  sohound_channel_pid = syscall(SYS_getpid);
  if (__sanitizer_set_report_fd) __sanitizer_set_report_fd((void *)(intptr_t)sohound_report_fd);
  return 0;
}

/* 1 when the channel was intact; 0 when it was restored now (or could not be). */
SOHOUND_RAW static int sohound_channel_ensure(void) {
  char line[1200];
  const char *running = sohound_running;
  int lost = sohound_report_fd, n;
  if (!sohound_report_path || syscall(SYS_getpid) != sohound_channel_pid) return 1;
  if (sohound_channel_intact()) return 1;
  if (sohound_channel_open() != 0) return 0;
  ++sohound_restores;
  n = snprintf(line, sizeof line, "sohound:channel fd=%d feature=%s\n", lost, running ? running : "-");
  if (n > 0) sohound_raw_write(sohound_report_fd, line, (unsigned long)n < sizeof line ? (unsigned long)n : sizeof line - 1);
  return 0;
}

SOHOUND_RAW void __sanitizer_on_print(const char *text);
SOHOUND_RAW void __sanitizer_on_print(const char *text) {
  const char *at;
  if (!sohound_report_path || syscall(SYS_getpid) != sohound_channel_pid) return;
  for (at = text; *at; ++at)
    if ((at == text || at[-1] == '\n') && at[0] == 'S' && at[1] == 'U' && at[2] == 'M' && at[3] == 'M' && at[4] == 'A' &&
        at[5] == 'R' && at[6] == 'Y' && at[7] == ':')
      ++sohound_reports;
  if (sohound_channel_ensure()) return;
  if (!sohound_channel_intact()) syscall(SYS_exit_group, SOHOUND_EXIT_CHANNEL_LOST); /* see sohound_marker */
  sohound_raw_write(sohound_report_fd, text, sohound_raw_length(text));
}

static void sohound_marker(const char *text) {
#ifdef SOHOUND_HAVE_VALGRIND
  if (RUNNING_ON_VALGRIND) {
    VALGRIND_PRINTF("%s\n", text);
    return;
  }
#endif
  if (sohound_report_fd >= 0) {
    struct iovec parts[2];
    if (!sohound_channel_ensure() && !sohound_channel_intact()) {
      /* Nothing more this process reports can reach the harness: stop here, before this feature's
       * end marker, so the harness runs the feature again alone and calls its job report_lost. */
      fflush(NULL);
      _exit(SOHOUND_EXIT_CHANNEL_LOST);
    }
    /* One write (so it lands whole in the O_APPEND channel), always ending the line: a marker
     * never runs into the next line. No large buffer on the stack: memcheck's leak check scans
     * the stack, and a stale pointer left in it turns a definite leak into a possible one. */
    parts[0].iov_base = (void *)text;
    parts[0].iov_len = sohound_raw_length(text);
    parts[1].iov_base = (void *)"\n";
    parts[1].iov_len = 1;
    if (syscall(SYS_writev, sohound_report_fd, parts, 2) < 0) { /* the harness sees no end marker */ }
  }
}

#endif /* SOHOUND_RT_CHANNEL_H */
