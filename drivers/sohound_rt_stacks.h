/* Sohound driver runtime (main object only): the stacks of the runtime's own threads under memcheck.
 *
 * A memcheck leak check scans every mapped byte the program may read. glibc keeps the stacks of
 * joined threads mapped for reuse (up to 40 MB of them), and the untouched depth of each (most of
 * its 8 MB) stays readable: after a few features had run, every leak check scanned ~40 MB of
 * nothing and took ~160 ms instead of ~40 (the generated 200-feature suite's memcheck batch: 3.3 s,
 * 1.1 s with 512 KB stacks). Under memcheck the runner and body threads run on stacks mapped here,
 * of the size glibc would give them, with a guard page below as glibc's have, kept in a pool and
 * marked no-access while unused, so a leak check skips them. Elsewhere (and if mapping fails)
 * threads get glibc's stacks as before.
 */
#ifndef SOHOUND_RT_STACKS_H
#define SOHOUND_RT_STACKS_H

#include <sys/mman.h>
#include <sys/resource.h>

static int sohound_own_stacks = 0; /* set by main under memcheck */
static pthread_mutex_t sohound_stacks_lock = PTHREAD_MUTEX_INITIALIZER;
static void *sohound_stacks_free[256];
static int sohound_stacks_free_count = 0;
static size_t sohound_stack_bytes = 0;
static size_t sohound_stack_guard = 0;

/* glibc's default attributes (a GNU extension, declared here: the runtime does not define
 * _GNU_SOURCE); weak, so a C library without it leaves the RLIMIT_STACK rule below. */
extern int pthread_getattr_default_np(pthread_attr_t *attr) __attribute__((weak));

/* The size glibc gives a thread: its default attributes' (RLIMIT_STACK, or 2 MB when unlimited,
 * at glibc's start), else RLIMIT_STACK when set and sane, else 8 MB; whole pages. */
static size_t sohound_default_stack_bytes(void) {
  struct rlimit limit;
  pthread_attr_t attr;
  size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = 0;
  if (pthread_getattr_default_np && pthread_getattr_default_np(&attr) == 0) {
    if (pthread_attr_getstacksize(&attr, &bytes) != 0) bytes = 0;
    pthread_attr_destroy(&attr);
  }
  if (bytes < (64u << 10) || bytes > (1u << 30)) {
    bytes = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= (64u << 10) &&
        limit.rlim_cur <= (1u << 30))
      bytes = (size_t)limit.rlim_cur;
  }
  return (bytes + page - 1) / page * page;
}

/* A stack from the pool, or a new mapping; NULL when none can be had. */
static void *sohound_stack_take(void) {
  void *stack = NULL;
  pthread_mutex_lock(&sohound_stacks_lock);
  if (sohound_stack_bytes == 0) {
    sohound_stack_bytes = sohound_default_stack_bytes();
    sohound_stack_guard = (size_t)sysconf(_SC_PAGESIZE);
  }
  if (sohound_stacks_free_count > 0) stack = sohound_stacks_free[--sohound_stacks_free_count];
  pthread_mutex_unlock(&sohound_stacks_lock);
  if (!stack) {
    char *map = (char *)mmap(NULL, sohound_stack_bytes + sohound_stack_guard, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED) return NULL;
    if (mprotect(map, sohound_stack_guard, PROT_NONE) != 0) {
      munmap(map, sohound_stack_bytes + sohound_stack_guard);
      return NULL;
    }
    stack = map + sohound_stack_guard;
  }
#ifdef SOHOUND_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_UNDEFINED(stack, sohound_stack_bytes); /* glibc writes the thread's control block at its top */
#endif
  return stack;
}

static void sohound_stack_give(void *stack) {
#ifdef SOHOUND_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_NOACCESS(stack, sohound_stack_bytes); /* not scanned by the leak checks */
#endif
  pthread_mutex_lock(&sohound_stacks_lock);
  if (sohound_stacks_free_count < (int)(sizeof sohound_stacks_free / sizeof sohound_stacks_free[0])) {
    sohound_stacks_free[sohound_stacks_free_count++] = stack;
    stack = NULL;
  }
  pthread_mutex_unlock(&sohound_stacks_lock);
  if (stack) munmap((char *)stack - sohound_stack_guard, sohound_stack_bytes + sohound_stack_guard);
}

/* pthread_create on a pooled stack under memcheck (*stack says which; NULL: glibc's). */
static int sohound_thread_start(pthread_t *thread, void *(*run)(void *), void *arg, void **stack) {
  pthread_attr_t attr;
  int err;
  *stack = sohound_own_stacks ? sohound_stack_take() : NULL;
  if (!*stack) return pthread_create(thread, NULL, run, arg);
  pthread_attr_init(&attr);
  err = pthread_attr_setstack(&attr, *stack, sohound_stack_bytes);
  if (!err) err = pthread_create(thread, &attr, run, arg);
  pthread_attr_destroy(&attr);
  if (err) {
    sohound_stack_give(*stack);
    *stack = NULL;
    err = pthread_create(thread, NULL, run, arg);
  }
  return err;
}

static void sohound_thread_join(pthread_t thread, void *stack) {
  pthread_join(thread, NULL);
  if (stack) sohound_stack_give(stack);
}

#endif /* SOHOUND_RT_STACKS_H */
