/* Sohound driver runtime, part: what a feature left behind (descriptors, processes) and the batch
 * watchdog that stops a feature past its time. Included by sohound_rt.h in the driver's main
 * object (SOHOUND_RT_MAIN); not a header of its own. */
#ifndef SOHOUND_RT_WATCH_H
#define SOHOUND_RT_WATCH_H

/* Descriptors 0..1023 open now, as a bitmap: the entries of /proc/self/fd (a handful of
 * syscalls, where probing all 1024 with fcntl costs ~10 ms per feature under Valgrind), each
 * confirmed with fcntl (Valgrind refuses its own); probing when /proc is not mounted. */
static void sohound_open_fds(unsigned char open_fds[128]) {
  DIR *dir = opendir("/proc/self/fd");
  struct dirent *entry;
  int fd, listed = dir ? dirfd(dir) : -1;
  memset(open_fds, 0, 128);
  if (!dir) {
    for (fd = 0; fd < 1024; ++fd)
      if (fcntl(fd, F_GETFD) != -1) open_fds[fd / 8] |= (unsigned char)(1u << (fd % 8));
    return;
  }
  while ((entry = readdir(dir)) != NULL) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    fd = atoi(entry->d_name);
    if (fd < 0 || fd >= 1024 || fd == listed) continue;
    if (fcntl(fd, F_GETFD) != -1) open_fds[fd / 8] |= (unsigned char)(1u << (fd % 8));
  }
  closedir(dir);
}

/* Numeric fields of /proc/PID/stat (`path`), by their number in proc(5) (4: the parent; 50 and 51:
 * where the environment the kernel shows starts and ends), counted after the parenthesised command;
 * 0 when unread. */
static void sohound_stat_fields(const char *path, const int *wanted, unsigned long *values, int count) {
  char stat[2048];
  const char *p;
  ssize_t got;
  int fd = open(path, O_RDONLY | O_CLOEXEC), field = 2, k = 0;
  memset(values, 0, sizeof *values * (size_t)count);
  if (fd < 0) return;
  got = read(fd, stat, sizeof stat - 1);
  close(fd);
  if (got <= 0) return;
  stat[got] = 0;
  for (p = strrchr(stat, ')'); p && *p && k < count; ++p)
    if (*p == ' ' && ++field == wanted[k]) values[k++] = strtoul(p + 1, NULL, 10);
}

/* Appends " kids=PID:PPID,...": every other running process that carries this job's token
 * (SOHOUND_JOB_TOKEN, inherited by whatever the driver starts, even a setsid daemon whose parent is
 * now the harness), so the harness knows which feature left a process running. */
static int sohound_environ_has(const char *path, const char *needle, size_t needle_len) {
  char buffer[8192];
  size_t kept = 0;
  ssize_t got;
  int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
  if (fd < 0) return 0;
  /* Entries are NUL-terminated: look for needle (with its leading NUL) across chunk edges. */
  buffer[0] = 0;
  kept = 1;
  while (!found && (got = read(fd, buffer + kept, sizeof buffer - kept)) > 0) {
    size_t total = kept + (size_t)got, i;
    for (i = 0; i + needle_len <= total; ++i)
      if (memcmp(buffer + i, needle, needle_len) == 0) {
        found = 1;
        break;
      }
    kept = total < needle_len ? total : needle_len - 1;
    memmove(buffer, buffer + total - kept, kept);
  }
  close(fd);
  return found;
}

static int sohound_append_children(char *line, int n, int size) {
  const char *token = getenv("SOHOUND_JOB_TOKEN");
  char needle[256];
  size_t needle_len;
  DIR *proc;
  struct dirent *entry;
  int self = (int)getpid();
  if (!token || !*token || strlen(token) > 200) return n;
  needle[0] = 0;
  needle_len = 1 + (size_t)snprintf(needle + 1, sizeof needle - 1, "SOHOUND_JOB_TOKEN=%s", token);
  needle[needle_len++] = 0; /* the value ends there */
  proc = opendir("/proc");
  if (!proc) return n;
  n += snprintf(line + n, (size_t)(size - n), " kids=");
  while ((entry = readdir(proc)) != NULL && n < size - 16) {
    char path[300];
    int pid = atoi(entry->d_name);
    if (pid <= 0 || pid == self) continue;
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    if (sohound_environ_has(path, needle, needle_len)) {
      static const int parent_field[1] = {4};
      unsigned long ppid;
      snprintf(path, sizeof path, "/proc/%d/stat", pid);
      sohound_stat_fields(path, parent_field, &ppid, 1);
      n += snprintf(line + n, (size_t)(size - n), "%d:%lu,", pid, ppid);
    }
  }
  closedir(proc);
  return n;
}

/* Which feature is running, in the environment of every process the driver starts: the harness
 * sets SOHOUND_FEATURE_SLOT to zeros, and before each feature the runtime writes the feature's
 * position in place over them. A process inherits the value its parent had when it forked, and an
 * exec'd one the value its caller passed, so whatever a feature starts carries the feature's
 * position, even a daemon its child forks after the feature ended (when neither the time it
 * started nor an end marker's kids= list can say whose it is). Two copies are written: the one
 * getenv sees (what exec passes on) and, when that is not it, the block the kernel shows as
 * /proc/PID/environ and a fork copies (under Valgrind the client's environment is a copy on its
 * own stack; the kernel's block is Valgrind's, written through /proc/self/mem). */
static char *sohound_slot_value;
static size_t sohound_slot_width;
static unsigned long sohound_slot_kernel; /* where the kernel's block holds the value; 0: the same */

static void sohound_slot_find(void) {
  static const char name[] = "SOHOUND_FEATURE_SLOT=";
  static const int env_fields[2] = {50, 51};
  char block[65536];
  unsigned long env[2];
  ssize_t got, i, n;
  int fd;
  sohound_slot_value = getenv("SOHOUND_FEATURE_SLOT");
  sohound_slot_width = sohound_slot_value ? strlen(sohound_slot_value) : 0;
  if (sohound_slot_width == 0 || sohound_slot_width > 18) {
    sohound_slot_value = NULL;
    return;
  }
  sohound_stat_fields("/proc/self/stat", env_fields, env, 2);
  if (!env[0] || env[1] <= env[0]) return;
  if ((unsigned long)sohound_slot_value >= env[0] && (unsigned long)sohound_slot_value < env[1]) return;
  fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  for (got = 0; got < (ssize_t)sizeof block && (n = read(fd, block + got, sizeof block - (size_t)got)) > 0;) got += n;
  close(fd);
  for (i = 0; i + (ssize_t)(sizeof name - 1 + sohound_slot_width) <= got; ++i)
    if ((i == 0 || block[i - 1] == 0) && memcmp(block + i, name, sizeof name - 1) == 0) {
      sohound_slot_kernel = env[0] + (unsigned long)i + sizeof name - 1;
      return;
    }
}

static void sohound_slot_mark(int position) {
  char digits[24];
  int fd;
  if (!sohound_slot_value) return;
  snprintf(digits, sizeof digits, "%0*d", (int)sohound_slot_width, position);
  if (strlen(digits) != sohound_slot_width) return; /* more features than the zeros can count */
  memcpy(sohound_slot_value, digits, sohound_slot_width);
  if (!sohound_slot_kernel) return;
  fd = open("/proc/self/mem", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (pwrite(fd, digits, sohound_slot_width, (off_t)sohound_slot_kernel) != (ssize_t)sohound_slot_width) sohound_slot_kernel = 0;
  close(fd);
}

/* Per-feature time limit in a batch (SOHOUND_FEATURE_TIMEOUT_MS): the process kills itself when a
 * feature overruns, so the harness re-runs that feature alone (where its own timeout applies) and
 * the rest in a new batch, instead of waiting for the batch's whole budget. */
static long sohound_feature_timeout_ms = 0;

/* The watchdog: one thread for the whole batch, waiting on a condition variable until the current
 * feature's deadline. The main thread still joins the runner with pthread_join: Helgrind and DRD
 * take their happens-before edge from pthread_join, not from pthread_timedjoin_np, and without it
 * every exit-time destructor "races" with the feature's threads. */
static pthread_mutex_t sohound_watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sohound_watch_cond;
static const struct sohound_feature *sohound_watched; /* the feature running now, or NULL */
static struct timespec sohound_watch_deadline;
static int sohound_watch_stop;
static pthread_t sohound_watch_thread;
static int sohound_watch_started;
static int sohound_watch_running; /* the watchdog thread has begun (under sohound_watch_lock) */

static void *sohound_watchdog(void *unused) {
  (void)unused;
  pthread_mutex_lock(&sohound_watch_lock);
  sohound_watch_running = 1; /* sohound_watch_start waits for this (see there) */
  pthread_cond_broadcast(&sohound_watch_cond);
  while (!sohound_watch_stop) {
    const struct sohound_feature *f = sohound_watched;
    if (!f) {
      pthread_cond_wait(&sohound_watch_cond, &sohound_watch_lock);
      continue;
    }
    if (pthread_cond_timedwait(&sohound_watch_cond, &sohound_watch_lock, &sohound_watch_deadline) == ETIMEDOUT &&
        sohound_watched == f) {
      char line[1100];
      snprintf(line, sizeof line, "sohound:timeout %s", f->name);
      sohound_marker(line);
      kill(getpid(), SIGKILL);
    }
  }
  pthread_mutex_unlock(&sohound_watch_lock);
  return NULL;
}

/* Started before the first leak check and joined before the last, so the sanitizer runtime's
 * bookkeeping for this thread is neither a leak between features nor at exit. */
static void sohound_watch_start(void) {
  pthread_condattr_t attr;
  if (sohound_feature_timeout_ms <= 0) return;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&sohound_watch_cond, &attr);
  pthread_condattr_destroy(&attr);
  sohound_watch_started = pthread_create(&sohound_watch_thread, NULL, sohound_watchdog, NULL) == 0;
  /* Wait until the thread runs its own code: by then the sanitizer runtime has set it up. A leak
   * check while it is still inside ASan's start-up (pthread_getattr_np's buffer, reachable from
   * nowhere LeakSanitizer scans yet) reported that buffer as a leak of the first feature. */
  pthread_mutex_lock(&sohound_watch_lock);
  while (sohound_watch_started && !sohound_watch_running) pthread_cond_wait(&sohound_watch_cond, &sohound_watch_lock);
  pthread_mutex_unlock(&sohound_watch_lock);
}

static void sohound_watch_end(void) {
  if (!sohound_watch_started) return;
  pthread_mutex_lock(&sohound_watch_lock);
  sohound_watch_stop = 1;
  pthread_cond_signal(&sohound_watch_cond);
  pthread_mutex_unlock(&sohound_watch_lock);
  pthread_join(sohound_watch_thread, NULL);
  sohound_watch_started = 0;
}

static void sohound_watch(const struct sohound_feature *f) {
  if (!sohound_watch_started) return;
  pthread_mutex_lock(&sohound_watch_lock);
  sohound_watched = f;
  if (f) {
    clock_gettime(CLOCK_MONOTONIC, &sohound_watch_deadline);
    sohound_watch_deadline.tv_sec += sohound_feature_timeout_ms / 1000;
    sohound_watch_deadline.tv_nsec += (sohound_feature_timeout_ms % 1000) * 1000000L;
    if (sohound_watch_deadline.tv_nsec >= 1000000000L) {
      sohound_watch_deadline.tv_sec += 1;
      sohound_watch_deadline.tv_nsec -= 1000000000L;
    }
  }
  pthread_cond_signal(&sohound_watch_cond);
  pthread_mutex_unlock(&sohound_watch_lock);
}

__attribute__((noinline)) static void sohound_run_feature(const struct sohound_feature *f) {
  pthread_t runner;
  void *stack;
  int err;
  sohound_watch(f);
  err = sohound_thread_start(&runner, sohound_runner_thread, (void *)f, &stack);
  if (err) sohound_fail("pthread_create", err);
  sohound_thread_join(runner, stack);
  sohound_watch(NULL);
}

#endif /* SOHOUND_RT_WATCH_H */
