/* Sohound's input recorder, its second half (see sohound_record.c): what the program changes,
 * the outside world, and the programs it starts. */
#include "sohound_record.h"

#define MAX_ARGS 4096

#define WRAPPED_HERE(X)                                                                                \
  X(unlink) X(unlinkat) X(remove) X(rmdir) X(mkdir) X(mkdirat) X(truncate) X(truncate64) X(symlink)     \
  X(symlinkat) X(rename) X(renameat) X(renameat2) X(link) X(mkstemp) X(mkstemp64) X(mkostemp)           \
  X(mkostemp64) X(mkstemps) X(mkstemps64) X(mkostemps) X(mkostemps64) X(mkdtemp) X(connect) X(execve)   \
  X(execvpe) X(fexecve) X(posix_spawn) X(posix_spawnp) X(system) X(popen)
WRAPPED_HERE(DECLARE_REAL)

__attribute__((constructor)) static void look_up_exec(void) { WRAPPED_HERE(LOOK_UP) }

/* Whether an environment still loads this library into the processes it starts. */
static void check_environment(char *const envp[], const char *what) {
  int preload = 0, file = 0;
  for (char *const *e = envp; e && *e; ++e) {
    if (strncmp(*e, "LD_PRELOAD=", 11) == 0 && strstr(*e, "libsohound-record")) preload = 1;
    if (strncmp(*e, "SOHOUND_RECORD_FILE=", 20) == 0) file = 1;
  }
  if (!preload || !file) {
    char why[PATH_MAX + 80];
    long n = 0;
    put(why, sizeof why, &n, "started ");
    put(why, sizeof why, &n, what);
    put(why, sizeof why, &n, " without Sohound's recorder in its environment");
    why[n] = 0;
    refuse(why);
  }
}

/* Where execvp would find `file`: itself when it names a folder, else the first executable on PATH. */
static void search_path(const char *file, char *out, long cap) {
  const char *path = getenv("PATH");
  if (strchr(file, '/') || !*file) {
    absolute(AT_FDCWD, file, out, cap);
    return;
  }
  if (!path) path = "/bin:/usr/bin";
  for (const char *at = path;; ++at) {
    const char *end = strchr(at, ':');
    long n = 0, len = end ? end - at : raw_length(at);
    char candidate[PATH_MAX];
    if (len == 0) put(candidate, sizeof candidate, &n, ".");
    for (long k = 0; k < len && n < (long)sizeof candidate - 1; ++k) candidate[n++] = at[k];
    put(candidate, sizeof candidate, &n, "/");
    put(candidate, sizeof candidate, &n, file);
    candidate[n] = 0;
    if (syscall(SYS_faccessat, AT_FDCWD, candidate, X_OK, 0) == 0) {
      absolute(AT_FDCWD, candidate, out, cap);
      return;
    }
    if (!end) break;
    at = end;
  }
  absolute(AT_FDCWD, file, out, cap);
}

/* ---- changing paths: what the program makes is its output, not its input ---- */

#define CHANGE(name, params, args, path)          \
  EXPORT int name params {                        \
    emit_at('W', self(), 0, AT_FDCWD, path);      \
    return REAL(name) args;                       \
  }
#define CHANGE_AT(name, params, args, dirfd, path) \
  EXPORT int name params {                         \
    emit_at('W', self(), 0, dirfd, path);          \
    return REAL(name) args;                        \
  }
CHANGE(unlink, (const char *p), (p), p)
CHANGE_AT(unlinkat, (int d, const char *p, int f), (d, p, f), d, p)
CHANGE(remove, (const char *p), (p), p)
CHANGE(rmdir, (const char *p), (p), p)
CHANGE(mkdir, (const char *p, mode_t m), (p, m), p)
CHANGE_AT(mkdirat, (int d, const char *p, mode_t m), (d, p, m), d, p)
CHANGE(truncate, (const char *p, off_t l), (p, l), p)
CHANGE(truncate64, (const char *p, off64_t l), (p, l), p)
CHANGE(symlink, (const char *t, const char *p), (t, p), p)
CHANGE_AT(symlinkat, (const char *t, int d, const char *p), (t, d, p), d, p)
EXPORT int rename(const char *from, const char *to) {
  emit('W', 0, from);
  emit('W', 0, to);
  return REAL(rename)(from, to);
}
EXPORT int renameat(int fd1, const char *from, int fd2, const char *to) {
  emit_at('W', self(), 0, fd1, from);
  emit_at('W', self(), 0, fd2, to);
  return REAL(renameat)(fd1, from, fd2, to);
}
EXPORT int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags) {
  emit_at('W', self(), 0, fd1, from);
  emit_at('W', self(), 0, fd2, to);
  return REAL(renameat2)(fd1, from, fd2, to, flags);
}
EXPORT int link(const char *from, const char *to) {
  emit('P', 0, from);
  emit('W', 0, to);
  return REAL(link)(from, to);
}

#define MAKE_TEMP(name, params, args, t)          \
  EXPORT int name params {                        \
    int fd = REAL(name) args;                     \
    if (fd >= 0) emit('M', 0, t);                 \
    return fd;                                    \
  }
MAKE_TEMP(mkstemp, (char *t), (t), t)
MAKE_TEMP(mkstemp64, (char *t), (t), t)
MAKE_TEMP(mkostemp, (char *t, int f), (t, f), t)
MAKE_TEMP(mkostemp64, (char *t, int f), (t, f), t)
MAKE_TEMP(mkstemps, (char *t, int s), (t, s), t)
MAKE_TEMP(mkstemps64, (char *t, int s), (t, s), t)
MAKE_TEMP(mkostemps, (char *t, int s, int f), (t, s, f), t)
MAKE_TEMP(mkostemps64, (char *t, int s, int f), (t, s, f), t)
EXPORT char *mkdtemp(char *t) {
  char *made = REAL(mkdtemp)(t);
  if (made) emit('M', 0, made);
  return made;
}

/* ---- the outside world: nothing a file's content can stand for ---- */

EXPORT int connect(int fd, const struct sockaddr *address, socklen_t length) {
  refuse("connected a socket (a server's answers are not a file Sohound can hash)");
  return REAL(connect)(fd, address, length);
}

/* ---- other programs ---- */

static void note_exec(const char *resolved, char *const envp[]) {
  check_environment(envp, resolved);
  emit('X', 0, resolved);
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
  char full[PATH_MAX];
  absolute(AT_FDCWD, path, full, sizeof full);
  note_exec(full, envp);
  int result = REAL(execve)(path, argv, envp);
  emit('F', 0, full);
  return result;
}
EXPORT int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }
EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
  char full[PATH_MAX];
  search_path(file, full, sizeof full);
  note_exec(full, envp);
  int result = REAL(execvpe)(file, argv, envp);
  emit('F', 0, full);
  return result;
}
EXPORT int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

/* The execl family, gathered into an argument vector. */
#define GATHER(first, argv, ap)                                        \
  char *argv[MAX_ARGS];                                                \
  int argc = 0;                                                        \
  argv[argc++] = (char *)(first);                                      \
  while (argc < MAX_ARGS && (argv[argc] = va_arg(ap, char *)) != NULL) \
    ++argc;                                                            \
  argv[MAX_ARGS - 1] = NULL;
EXPORT int execl(const char *path, const char *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  GATHER(arg, argv, ap)
  va_end(ap);
  return execve(path, argv, environ);
}
EXPORT int execlp(const char *file, const char *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  GATHER(arg, argv, ap)
  va_end(ap);
  return execvpe(file, argv, environ);
}
EXPORT int execle(const char *path, const char *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  GATHER(arg, argv, ap)
  char *const *envp = va_arg(ap, char *const *);
  va_end(ap);
  return execve(path, argv, envp);
}
EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
  refuse("ran a program from a descriptor (fexecve)");
  return REAL(fexecve)(fd, argv, envp);
}

static int spawn_common(pid_t *pid, const char *full, char *const envp[], int result, pid_t child) {
  if (result == 0) {
    check_environment(envp, full);
    emit_at('X', child, 0, AT_FDCWD, full);
  }
  if (pid) *pid = child;
  return result;
}
EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
  char full[PATH_MAX];
  pid_t child = 0;
  absolute(AT_FDCWD, path, full, sizeof full);
  int result = REAL(posix_spawn)(&child, path, actions, attr, argv, envp);
  return spawn_common(pid, full, envp, result, child);
}
EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
  char full[PATH_MAX];
  pid_t child = 0;
  search_path(file, full, sizeof full);
  int result = REAL(posix_spawnp)(&child, file, actions, attr, argv, envp);
  return spawn_common(pid, full, envp, result, child);
}
EXPORT int system(const char *command) {
  if (command) {
    check_environment(environ, "/bin/sh");
    emit_at('X', -1, 0, AT_FDCWD, "/bin/sh");
  }
  return REAL(system)(command);
}
EXPORT FILE *popen(const char *command, const char *type) {
  check_environment(environ, "/bin/sh");
  emit_at('X', -1, 0, AT_FDCWD, "/bin/sh");
  return REAL(popen)(command, type);
}

