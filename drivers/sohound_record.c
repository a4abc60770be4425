/* Sohound's input recorder for the user's own programs (spec `programs:` without `inputs:`,
 * `sohound exec`, `sohound ctest`): loaded with LD_PRELOAD, it writes down what the program opened,
 * looked at, ran and changed, so that its result can be cached and found stale when one of those
 * changes (docs/programs.md, "Cache"; harness/exec/recorded_inputs.cpp reads the record).
 *
 * One line per event, appended to SOHOUND_RECORD_FILE (opened, written and closed for every line
 * with raw system calls, so the program cannot close or move it):
 *
 *     OP <tab> PID <tab> NUMBER <tab> PATH
 *
 * H hello (PATH: the process's executable) · O open (NUMBER: the open flags, plus 1<<30 when the
 * file existed before a write) · P probe (stat, access, readlink) · D a folder listed · T a folder
 * tree walked · G a glob pattern · X exec or spawn of PATH by/as process PID (-1: a shell started by
 * system or popen, whose PID is not known) · F that exec failed · L a library loaded (listed at
 * exit: what dlopen brought in; a process that ends without its exit handlers lists none) · W a
 * path changed (unlink, rename, mkdir...) · M a file made (mkstemp) · N not cacheable (PATH says why).
 *
 * Only processes below the program record: the tools' and the sandbox's own processes, which load
 * this library too, stay silent. A process records when SOHOUND_RECORD_ARMED is 1, or when its
 * executable is SOHOUND_RECORD_PROGRAM (and its first argument SOHOUND_RECORD_ARG1 when that is
 * set: the program may be a shell, like Valgrind's launcher); it then arms its descendants.
 *
 * Plain C and libc only, built once with Sohound; no allocation of its own; errno is kept. What it
 * cannot see (raw system calls, glibc's calls inside itself, static programs) is said in the docs,
 * and a process that never says hello after an exec makes the job uncacheable. */
#include "sohound_record.h"

char record_path[PATH_MAX];
int armed;

long raw_length(const char *s) {
  long n = 0;
  while (s[n]) ++n;
  return n;
}

/* Appends `text` to `line` (capacity `cap`, length *n), truncating quietly. */
void put(char *line, long cap, long *n, const char *text) {
  while (*text && *n < cap - 1) line[(*n)++] = *text++;
}

void put_number(char *line, long cap, long *n, long value) {
  char digits[24];
  int k = 0;
  unsigned long v = value < 0 ? (unsigned long)(-value) : (unsigned long)value;
  if (value < 0) put(line, cap, n, "-");
  do digits[k++] = (char)('0' + v % 10);
  while ((v /= 10) && k < 23);
  while (k > 0 && *n < cap - 1) line[(*n)++] = digits[--k];
}

/* `path` made absolute against `dirfd` (AT_FDCWD: the working folder) into `out`. */
void absolute(int dirfd, const char *path, char *out, long cap) {
  long n = 0;
  if (path[0] != '/') {
    if (dirfd == AT_FDCWD) {
      if (syscall(SYS_getcwd, out, cap - 2) > 0) n = raw_length(out);
    } else {
      char link[40];
      long k = 0, got;
      put(link, sizeof link, &k, "/proc/self/fd/");
      put_number(link, sizeof link, &k, dirfd);
      link[k] = 0;
      got = syscall(SYS_readlink, link, out, cap - 2);
      n = got > 0 ? got : 0;
    }
    if (n > 0 && out[n - 1] != '/') out[n++] = '/';
  }
  out[n] = 0;
  put(out, cap, &n, path);
  out[n] = 0;
}

void emit_at(char op, long pid, long number, int dirfd, const char *path) {
  char line[PATH_MAX + 64], full[PATH_MAX];
  long n = 0;
  int saved = errno;
  if (!armed || !path) return;
  absolute(dirfd, path, full, sizeof full);
  line[n++] = op;
  put(line, sizeof line, &n, "\t");
  put_number(line, sizeof line, &n, pid);
  put(line, sizeof line, &n, "\t");
  put_number(line, sizeof line, &n, number);
  put(line, sizeof line, &n, "\t");
  put(line, sizeof line, &n, full);
  line[n++] = '\n';
  long fd = syscall(SYS_openat, AT_FDCWD, record_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    syscall(SYS_write, (int)fd, line, n);
    syscall(SYS_close, (int)fd);
  }
  errno = saved;
}

long self(void) { return syscall(SYS_getpid); }
void emit(char op, long number, const char *path) { emit_at(op, self(), number, AT_FDCWD, path); }
void refuse(const char *why) { emit('N', 0, why); }

/* The functions wrapped, looked up once at start (before any thread: the tools see no race on
 * the table), or on the spot when a library's constructor calls one before ours has run. */
#define WRAPPED(X)                                                                                  \
  X(open) X(openat) X(fopen) X(freopen) X(stat) X(lstat) X(stat64) X(lstat64) X(fstatat) X(fstatat64) \
  X(statx) X(access) X(faccessat) X(euidaccess) X(eaccess) X(readlink) X(readlinkat) X(realpath)      \
  X(opendir) X(scandir) X(scandir64) X(nftw) X(nftw64) X(ftw) X(glob) X(glob64)
WRAPPED(DECLARE_REAL)

/* ---- opening files ---- */

static void note_open(int dirfd, const char *path, int flags, int existed) {
  long number = flags;
  if ((flags & O_ACCMODE) != O_RDONLY && existed) number |= 1L << 30;
  emit_at('O', self(), number, dirfd, path);
}

static int existed_at(int dirfd, const char *path, int flags) {
  struct stat st;
  if ((flags & O_ACCMODE) == O_RDONLY) return 1;
  return syscall(SYS_newfstatat, dirfd, path, &st, 0) == 0;
}

static mode_t mode_of(int flags, va_list ap) { return (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(ap, mode_t) : 0; }

EXPORT int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_of(flags, ap);
  va_end(ap);
  int existed = armed ? existed_at(AT_FDCWD, path, flags) : 1;
  int fd = REAL(open)(path, flags, mode);
  note_open(AT_FDCWD, path, flags, existed);
  return fd;
}
EXPORT int open64(const char *path, int flags, ...) __attribute__((alias("open")));
EXPORT int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_of(flags, ap);
  va_end(ap);
  int existed = armed ? existed_at(dirfd, path, flags) : 1;
  int fd = REAL(openat)(dirfd, path, flags, mode);
  note_open(dirfd, path, flags, existed);
  return fd;
}
EXPORT int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));
EXPORT int __open_2(const char *path, int flags) { return open(path, flags); }
EXPORT int __open64_2(const char *path, int flags) { return open(path, flags); }
EXPORT int __openat_2(int dirfd, const char *path, int flags) { return openat(dirfd, path, flags); }
EXPORT int __openat64_2(int dirfd, const char *path, int flags) { return openat(dirfd, path, flags); }
EXPORT int creat(const char *path, mode_t mode) { return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }
EXPORT int creat64(const char *path, mode_t mode) __attribute__((alias("creat")));

static int fopen_flags(const char *mode) {
  int plus = strchr(mode, '+') != NULL;
  switch (mode[0]) {
    case 'r': return plus ? O_RDWR : O_RDONLY;
    case 'w': return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
    case 'a': return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
    default: return O_RDONLY;
  }
}

EXPORT FILE *fopen(const char *path, const char *mode) {
  int flags = fopen_flags(mode), existed = armed ? existed_at(AT_FDCWD, path, flags) : 1;
  FILE *f = REAL(fopen)(path, mode);
  note_open(AT_FDCWD, path, flags, existed);
  return f;
}
EXPORT FILE *fopen64(const char *path, const char *mode) { return fopen(path, mode); }
EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream) {
  int flags = fopen_flags(mode), existed = armed && path ? existed_at(AT_FDCWD, path, flags) : 1;
  FILE *f = REAL(freopen)(path, mode, stream);
  if (path) note_open(AT_FDCWD, path, flags, existed);
  return f;
}
EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream) { return freopen(path, mode, stream); }

/* ---- looking at paths and folders ---- */

#define PROBE(ret, name, params, args, path)     \
  EXPORT ret name params {                       \
    ret result = REAL(name) args;                \
    emit_at('P', self(), 0, AT_FDCWD, path);     \
    return result;                               \
  }
#define PROBE_AT(ret, name, params, args, dirfd, path) \
  EXPORT ret name params {                             \
    ret result = REAL(name) args;                      \
    emit_at('P', self(), 0, dirfd, path);              \
    return result;                                     \
  }

PROBE(int, stat, (const char *p, struct stat *s), (p, s), p)
PROBE(int, lstat, (const char *p, struct stat *s), (p, s), p)
PROBE(int, stat64, (const char *p, struct stat64 *s), (p, s), p)
PROBE(int, lstat64, (const char *p, struct stat64 *s), (p, s), p)
PROBE_AT(int, fstatat, (int d, const char *p, struct stat *s, int f), (d, p, s, f), d, p)
PROBE_AT(int, fstatat64, (int d, const char *p, struct stat64 *s, int f), (d, p, s, f), d, p)
PROBE_AT(int, statx, (int d, const char *p, int f, unsigned m, struct statx *s), (d, p, f, m, s), d, p)
PROBE(int, access, (const char *p, int m), (p, m), p)
PROBE_AT(int, faccessat, (int d, const char *p, int m, int f), (d, p, m, f), d, p)
PROBE(int, euidaccess, (const char *p, int m), (p, m), p)
PROBE(int, eaccess, (const char *p, int m), (p, m), p)
PROBE(ssize_t, readlink, (const char *p, char *b, size_t n), (p, b, n), p)
PROBE_AT(ssize_t, readlinkat, (int d, const char *p, char *b, size_t n), (d, p, b, n), d, p)
PROBE(char *, realpath, (const char *p, char *r), (p, r), p)
/* Programs built against glibc before 2.33 call these (compat symbols: found by version). */
#define OLD_PROBE(name, type)                                                              \
  EXPORT int name(int v, const char *p, type *s) {                                         \
    int (*real)(int, const char *, type *) =                                               \
        (int (*)(int, const char *, type *))dlvsym(RTLD_NEXT, #name, "GLIBC_2.2.5");       \
    int result = real ? real(v, p, s) : (errno = ENOSYS, -1);                              \
    emit('P', 0, p);                                                                       \
    return result;                                                                         \
  }
OLD_PROBE(__xstat, struct stat)
OLD_PROBE(__lxstat, struct stat)
OLD_PROBE(__xstat64, struct stat64)
OLD_PROBE(__lxstat64, struct stat64)

EXPORT DIR *opendir(const char *path) {
  DIR *d = REAL(opendir)(path);
  emit('D', 0, path);
  return d;
}
typedef int (*dirent_filter)(const struct dirent *);
typedef int (*dirent_compare)(const struct dirent **, const struct dirent **);
EXPORT int scandir(const char *path, struct dirent ***list, dirent_filter filter, dirent_compare compare) {
  int n = REAL(scandir)(path, list, filter, compare);
  emit('D', 0, path);
  return n;
}
typedef int (*dirent64_filter)(const struct dirent64 *);
typedef int (*dirent64_compare)(const struct dirent64 **, const struct dirent64 **);
EXPORT int scandir64(const char *path, struct dirent64 ***list, dirent64_filter filter, dirent64_compare compare) {
  int n = REAL(scandir64)(path, list, filter, compare);
  emit('D', 0, path);
  return n;
}
typedef int (*nftw_fn)(const char *, const struct stat *, int, struct FTW *);
EXPORT int nftw(const char *path, nftw_fn fn, int fds, int flags) {
  emit('T', 0, path);
  return REAL(nftw)(path, fn, fds, flags);
}
typedef int (*nftw64_fn)(const char *, const struct stat64 *, int, struct FTW *);
EXPORT int nftw64(const char *path, nftw64_fn fn, int fds, int flags) {
  emit('T', 0, path);
  return REAL(nftw64)(path, fn, fds, flags);
}
typedef int (*ftw_fn)(const char *, const struct stat *, int);
EXPORT int ftw(const char *path, ftw_fn fn, int fds) {
  emit('T', 0, path);
  return REAL(ftw)(path, fn, fds);
}
typedef int (*glob_errfn)(const char *, int);
EXPORT int glob(const char *pattern, int flags, glob_errfn errfunc, glob_t *out) {
  emit('G', 0, pattern);
  return REAL(glob)(pattern, flags, errfunc, out);
}
EXPORT int glob64(const char *pattern, int flags, glob_errfn errfunc, glob64_t *out) {
  emit('G', 0, pattern);
  return REAL(glob64)(pattern, flags, errfunc, out);
}

/* ---- start: arm when this process is the program (or below it) and say hello ---- */

static int same_text(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* The process's first argument, from /proc/self/cmdline (Valgrind gives its client's own). */
static void first_argument(char *out, long cap) {
  char buffer[PATH_MAX * 2];
  long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC), n = 0;
  out[0] = 0;
  if (fd < 0) return;
  n = syscall(SYS_read, (int)fd, buffer, sizeof buffer - 1);
  syscall(SYS_close, (int)fd);
  if (n <= 0) return;
  buffer[n] = 0;
  long first = raw_length(buffer) + 1, k = 0;
  if (first >= n) return;
  put(out, cap, &k, buffer + first);
  out[k] = 0;
}

/* At exit: every object loaded (dlopen's included; the loader's own list, which the program's
 * start-up already fixed, is in the key anyway). dlopen is not wrapped: the caller's RUNPATH
 * decides where it looks, and a wrapper would be the caller. */
static int list_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  (void)data;
  if (info->dlpi_name && info->dlpi_name[0] == '/') emit('L', 0, info->dlpi_name);
  return 0;
}

__attribute__((destructor)) static void record_end(void) {
  if (armed) dl_iterate_phdr(list_object, NULL);
}

__attribute__((constructor)) static void record_start(void) {
  WRAPPED(LOOK_UP)
  const char *file = getenv("SOHOUND_RECORD_FILE");
  char exe[PATH_MAX];
  long n;
  if (!file || raw_length(file) >= (long)sizeof record_path) return;
  memcpy(record_path, file, (size_t)raw_length(file) + 1);
  n = syscall(SYS_readlink, "/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  char *flag = getenv("SOHOUND_RECORD_ARMED");
  if (flag && flag[0] == '1') {
    armed = 1;
  } else if (same_text(exe, getenv("SOHOUND_RECORD_PROGRAM"))) {
    const char *arg1 = getenv("SOHOUND_RECORD_ARG1");
    char first[PATH_MAX];
    first_argument(first, sizeof first);
    if (!arg1 || same_text(arg1, first)) {
      armed = 1;
      /* Its descendants inherit the environment: the harness's "0" becomes "1" in place (no
       * allocation, which the tools would report as the program's). */
      if (flag && flag[0] == '0') flag[0] = '1';
    }
  }
  if (armed) emit('H', 0, exe);
}
