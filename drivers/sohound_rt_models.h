/* Sohound driver runtime, part: the synchronisation the tools cannot see, modelled. Included by
 * sohound_rt.h in the driver's main object (SOHOUND_RT_MAIN), after the Valgrind headers; not a
 * header of its own. Valgrind function wrappers for pthread_once and GLib's locks and condition
 * variables (Helgrind, DRD), and GLib's mutex functions for the TSan flavour. */
#ifndef SOHOUND_RT_MODELS_H
#define SOHOUND_RT_MODELS_H

#if defined(SOHOUND_HAVE_VALGRIND) && __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
/* Helgrind does not model pthread_once (std::call_once, OpenSSL's CRYPTO_THREAD_run_once): a
 * thread that finds the initialisation done sees no ordering with the thread that did it, so every
 * read of what the initialiser wrote is reported. A Valgrind function wrapper (any loaded object
 * may hold one; natively it is an ordinary unused function) runs the initialiser through a
 * trampoline that marks its end as a happens-before source, and every pthread_once return as its
 * sink: the edge pthread_once guarantees. A one-time initialisation that races with something
 * else is still reported. */
static __thread void (*sohound_once_init)(void);
static __thread void *sohound_once_control;
static void sohound_once_trampoline(void) {
  void (*init)(void) = sohound_once_init;
  void *control = sohound_once_control;
  init();
  ANNOTATE_HAPPENS_BEFORE(control);
}
int I_WRAP_SONAME_FNNAME_ZZ(libcZdsoZa, pthreadZuonce)(pthread_once_t *control, void (*init)(void));
int I_WRAP_SONAME_FNNAME_ZZ(libcZdsoZa, pthreadZuonce)(pthread_once_t *control, void (*init)(void)) {
  int result;
  OrigFn fn;
  void (*saved_init)(void) = sohound_once_init;
  void *saved_control = sohound_once_control;
  VALGRIND_GET_ORIG_FN(fn);
  sohound_once_init = init;
  sohound_once_control = control;
  CALL_FN_W_WW(result, fn, control, sohound_once_trampoline);
  sohound_once_init = saved_init;
  sohound_once_control = saved_control;
  ANNOTATE_HAPPENS_AFTER(control);
  return result;
}

/* GLib 2.74's GMutex, GRecMutex, GRWLock and GCond are built on futexes, not pthread mutexes, so
 * Helgrind and DRD see no lock at all: every structure a program guards with them (and GLib's own
 * GAsyncQueue and thread pool) is reported as racing. These wrappers (inert unless libglib-2.0 is
 * loaded) tell the tools about each acquisition and release, as they see a pthread mutex's, and
 * about the wake-up edge of a condition variable. */
#define SOHOUND_GLIB_LOCK(fn, is_w) \
  void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *lock); \
  void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *lock) { \
    OrigFn orig; \
    VALGRIND_GET_ORIG_FN(orig); \
    CALL_FN_v_W(orig, lock); \
    ANNOTATE_RWLOCK_ACQUIRED(lock, is_w); \
  }
#define SOHOUND_GLIB_UNLOCK(fn, is_w) \
  void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *lock); \
  void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *lock) { \
    OrigFn orig; \
    VALGRIND_GET_ORIG_FN(orig); \
    ANNOTATE_RWLOCK_RELEASED(lock, is_w); \
    CALL_FN_v_W(orig, lock); \
  }
#define SOHOUND_GLIB_TRYLOCK(fn, is_w) \
  int I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *lock); \
  int I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *lock) { \
    int got; \
    OrigFn orig; \
    VALGRIND_GET_ORIG_FN(orig); \
    CALL_FN_W_W(got, orig, lock); \
    if (got) ANNOTATE_RWLOCK_ACQUIRED(lock, is_w); \
    return got; \
  }
SOHOUND_GLIB_LOCK(gZumutexZulock, 1)
SOHOUND_GLIB_UNLOCK(gZumutexZuunlock, 1)
SOHOUND_GLIB_TRYLOCK(gZumutexZutrylock, 1)
SOHOUND_GLIB_LOCK(gZurecZumutexZulock, 1)
SOHOUND_GLIB_UNLOCK(gZurecZumutexZuunlock, 1)
SOHOUND_GLIB_TRYLOCK(gZurecZumutexZutrylock, 1)
SOHOUND_GLIB_LOCK(gZurwZulockZuwriterZulock, 1)
SOHOUND_GLIB_UNLOCK(gZurwZulockZuwriterZuunlock, 1)
SOHOUND_GLIB_TRYLOCK(gZurwZulockZuwriterZutrylock, 1)
SOHOUND_GLIB_LOCK(gZurwZulockZureaderZulock, 0)
SOHOUND_GLIB_UNLOCK(gZurwZulockZureaderZuunlock, 0)
SOHOUND_GLIB_TRYLOCK(gZurwZulockZureaderZutrylock, 0)

/* A GCond is two futex words (and a pointer: 16 bytes) that GLib only ever touches atomically.
 * DRD checks the kernel's read of the word in g_cond_wait's futex call like a plain load, and so,
 * when the timing is right (one run in ten), reports it as racing with a signal's atomic increment
 * under the queue's lock. The words are the synchronisation itself, not data: DRD is told to
 * ignore them (its START_SUPPRESSION request, dropped when the memory is freed; every other tool
 * ignores a request that is not its own). The data a program guards with the condition is its own
 * and still checked. */
#define SOHOUND_DRD_IGNORE_GCOND(cond) \
  VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ_TOOL_BASE('D', 'R') + 2, cond, 2 * sizeof(void *), 0, 0, 0)

/* g_cond_wait releases and retakes the mutex through g_mutex_unlock/g_mutex_lock (wrapped above);
 * what it adds is the wake-up: a signal or broadcast happens before the wait's return. */
void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, gZucondZuwait)(void *cond, void *mutex);
void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, gZucondZuwait)(void *cond, void *mutex) {
  OrigFn orig;
  VALGRIND_GET_ORIG_FN(orig);
  SOHOUND_DRD_IGNORE_GCOND(cond);
  CALL_FN_v_WW(orig, cond, mutex);
  ANNOTATE_HAPPENS_AFTER(cond);
}
int I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, gZucondZuwaitZuuntil)(void *cond, void *mutex, long long end);
int I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, gZucondZuwaitZuuntil)(void *cond, void *mutex, long long end) {
  int woken;
  OrigFn orig;
  VALGRIND_GET_ORIG_FN(orig);
  SOHOUND_DRD_IGNORE_GCOND(cond);
  CALL_FN_W_WWW(woken, orig, cond, mutex, end);
  ANNOTATE_HAPPENS_AFTER(cond);
  return woken;
}
#define SOHOUND_GLIB_SIGNAL(fn) \
  void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *cond); \
  void I_WRAP_SONAME_FNNAME_ZZ(libglibZh2Zd0ZdsoZa, fn)(void *cond) { \
    OrigFn orig; \
    VALGRIND_GET_ORIG_FN(orig); \
    SOHOUND_DRD_IGNORE_GCOND(cond); \
    ANNOTATE_HAPPENS_BEFORE(cond); \
    CALL_FN_v_W(orig, cond); \
  }
SOHOUND_GLIB_SIGNAL(gZucondZusignal)
SOHOUND_GLIB_SIGNAL(gZucondZubroadcast)
#endif

/* ThreadSanitizer cannot see inside a prebuilt GLib either: GMutex and GRWLock are futexes there.
 * (GRWLock is a pthread rwlock, which TSan sees.) The TSan flavour's driver defines the GMutex and
 * GRecMutex functions itself, so the calls the user's code makes
 * (through the PLT) come here: the real function (found with dlsym), then TSan's acquire/release
 * on the lock's address. GLib's calls inside itself (GAsyncQueue, GThreadPool, the main loop) do
 * not pass here (GLib binds its own symbols at link time), and stay invisible to TSan. */
#if defined(__SANITIZE_THREAD__)
#define SOHOUND_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SOHOUND_TSAN 1
#endif
#endif
#ifdef SOHOUND_TSAN
#include <dlfcn.h>
extern void __tsan_acquire(void *addr);
extern void __tsan_release(void *addr);
#define SOHOUND_TSAN_GLIB(name, before, after) \
  void name(void *lock); \
  void name(void *lock) { \
    static void (*cached)(void *); /* looked up once; atomics, so TSan sees no race on it */ \
    void (*real)(void *) = __atomic_load_n(&cached, __ATOMIC_ACQUIRE); \
    if (!real) { \
      real = (void (*)(void *))dlsym(RTLD_NEXT, #name); \
      __atomic_store_n(&cached, real, __ATOMIC_RELEASE); \
    } \
    before; \
    real(lock); \
    after; \
  }
#define SOHOUND_TSAN_GLIB_TRY(name) \
  int name(void *lock); \
  int name(void *lock) { \
    static int (*cached)(void *); \
    int (*real)(void *) = __atomic_load_n(&cached, __ATOMIC_ACQUIRE); \
    int got; \
    if (!real) { \
      real = (int (*)(void *))dlsym(RTLD_NEXT, #name); \
      __atomic_store_n(&cached, real, __ATOMIC_RELEASE); \
    } \
    got = real(lock); \
    if (got) __tsan_acquire(lock); \
    return got; \
  }
SOHOUND_TSAN_GLIB(g_mutex_lock, (void)0, __tsan_acquire(lock))
SOHOUND_TSAN_GLIB(g_mutex_unlock, __tsan_release(lock), (void)0)
SOHOUND_TSAN_GLIB_TRY(g_mutex_trylock)
SOHOUND_TSAN_GLIB(g_rec_mutex_lock, (void)0, __tsan_acquire(lock))
SOHOUND_TSAN_GLIB(g_rec_mutex_unlock, __tsan_release(lock), (void)0)
SOHOUND_TSAN_GLIB_TRY(g_rec_mutex_trylock)
#endif

#endif /* SOHOUND_RT_MODELS_H */
