/* Sohound driver runtime: included by every generated driver (C and C++ alike).
 *
 * A driver holds a table of features; `sohound_main` runs the ones named on the command line
 * (all of them when none is named). Each feature runs as: setup, then `threads` copies of the body
 * started together behind a barrier, each looping `repeat` times and waiting for the others at an
 * end barrier, then teardown.
 *
 * Why a runner thread: leak checkers scan live stacks and registers for pointers. A feature run on
 * the main thread leaves stale pointers (a dropped coroutine handle, a local that went out of scope)
 * in dead stack slots that LeakSanitizer still scans, so it calls a real leak "reachable" and says
 * nothing. Running setup, body and teardown on a thread that is joined before the leak check takes
 * those slots out of the root set: a joined thread's stack is not scanned. The main thread only
 * creates and joins. This is also what lets a later batch mode check leaks between features
 * (VALGRIND_DO_NEW_LEAK_CHECK, __lsan_do_recoverable_leak_check) with per-feature attribution.
 */
#ifndef SOHOUND_RT_H
#define SOHOUND_RT_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*sohound_fn)(void);

struct sohound_feature {
  const char *name;
  sohound_fn setup;    /* may be NULL */
  sohound_fn body;
  sohound_fn teardown; /* may be NULL */
  int threads;
  int repeat;
};

static __thread int sohound_tls_thread_index;
static __thread int sohound_tls_iteration;

/* For feature code: which body thread (0..threads-1) and which repetition (0..repeat-1) this is. */
static inline int sohound_thread_index(void) { return sohound_tls_thread_index; }
static inline int sohound_iteration(void) { return sohound_tls_iteration; }

struct sohound_body_arg {
  const struct sohound_feature *feature;
  int index;
  pthread_barrier_t *start;
  pthread_barrier_t *end;
};

__attribute__((noinline)) static void *sohound_body_thread(void *p) {
  const struct sohound_body_arg *arg = (const struct sohound_body_arg *)p;
  int i;
  sohound_tls_thread_index = arg->index;
  if (arg->start) pthread_barrier_wait(arg->start); /* all copies start together, so they overlap */
  for (i = 0; i < arg->feature->repeat; ++i) {
    sohound_tls_iteration = i;
    arg->feature->body();
  }
  /* No copy exits before all are done: a race tool reporting an access then still has the other
   * thread alive, and DRD only gives the conflicting segment's stacks for live threads. */
  if (arg->end) pthread_barrier_wait(arg->end);
  return NULL;
}

static void sohound_fail(const char *what, int err) {
  fprintf(stderr, "sohound driver: %s failed: %s\n", what, strerror(err));
  exit(125); /* distinct from any tool's exit code: the harness reports a driver failure */
}

__attribute__((noinline)) static void *sohound_runner_thread(void *p) {
  const struct sohound_feature *f = (const struct sohound_feature *)p;
  if (f->setup) f->setup();
  if (f->threads <= 1) {
    struct sohound_body_arg arg = {f, 0, NULL, NULL};
    sohound_body_thread(&arg);
  } else {
    pthread_barrier_t start, end;
    pthread_t *threads = (pthread_t *)calloc((size_t)f->threads, sizeof(pthread_t));
    struct sohound_body_arg *args = (struct sohound_body_arg *)calloc((size_t)f->threads, sizeof(*args));
    int i, err;
    if (!threads || !args) sohound_fail("calloc", ENOMEM);
    if ((err = pthread_barrier_init(&start, NULL, (unsigned)f->threads))) sohound_fail("pthread_barrier_init", err);
    if ((err = pthread_barrier_init(&end, NULL, (unsigned)f->threads))) sohound_fail("pthread_barrier_init", err);
    for (i = 0; i < f->threads; ++i) {
      args[i].feature = f;
      args[i].index = i;
      args[i].start = &start;
      args[i].end = &end;
      if ((err = pthread_create(&threads[i], NULL, sohound_body_thread, &args[i]))) sohound_fail("pthread_create", err);
    }
    for (i = 0; i < f->threads; ++i) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&end);
    free(args);
    free(threads);
  }
  if (f->teardown) f->teardown();
  return NULL;
}

__attribute__((noinline)) static void sohound_run_feature(const struct sohound_feature *f) {
  pthread_t runner;
  int err = pthread_create(&runner, NULL, sohound_runner_thread, (void *)f);
  if (err) sohound_fail("pthread_create", err);
  pthread_join(runner, NULL);
}

/* Tells the harness every feature returned (SOHOUND_DONE_FILE): a process that ends without this
 * was ended by the feature (exit, _exit) before the end-of-run leak check. Plain syscalls, no
 * allocation, and it works with the standard streams closed. */
static void sohound_mark_done(void) {
  const char *path = getenv("SOHOUND_DONE_FILE");
  int fd;
  if (!path || !*path) return;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (write(fd, "done\n", 5) < 0) { /* nothing to do: the harness reads its absence */ }
    close(fd);
  }
}

static int sohound_main(int argc, char **argv, const struct sohound_feature *features, int count) {
  int i, j, ran = 0;
  for (i = 0; i < count; ++i) {
    int selected = argc <= 1;
    for (j = 1; j < argc; ++j)
      if (strcmp(argv[j], features[i].name) == 0) selected = 1;
    if (!selected) continue;
    sohound_run_feature(&features[i]);
    ++ran;
  }
  if (ran == 0) {
    fprintf(stderr, "sohound driver: no feature matched the command line\n");
    return 124;
  }
  sohound_mark_done();
  return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* SOHOUND_RT_H */
