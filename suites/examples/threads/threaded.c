/* libthreaded: see threaded.h for the catalogue of deliberate bugs. */
#include "threaded.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static long g_counter;
static pthread_mutex_t g_counter_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long g_atomic;

void th_bump_unlocked(void) { g_counter++; /* BUG: no lock */ }

void th_bump_locked(void) {
  pthread_mutex_lock(&g_counter_lock);
  g_counter++;
  pthread_mutex_unlock(&g_counter_lock);
}

void th_bump_atomic(void) { atomic_fetch_add(&g_atomic, 1); }

long th_count(void) {
  pthread_mutex_lock(&g_counter_lock);
  long n = g_counter + atomic_load(&g_atomic);
  pthread_mutex_unlock(&g_counter_lock);
  return n;
}

static pthread_mutex_t g_a = PTHREAD_MUTEX_INITIALIZER, g_b = PTHREAD_MUTEX_INITIALIZER;

void th_lock_ab(void) {
  pthread_mutex_lock(&g_a);
  pthread_mutex_lock(&g_b);
  pthread_mutex_unlock(&g_b);
  pthread_mutex_unlock(&g_a);
}

void th_lock_ba(void) {
  pthread_mutex_lock(&g_b);
  pthread_mutex_lock(&g_a); /* BUG: opposite order to th_lock_ab */
  pthread_mutex_unlock(&g_a);
  pthread_mutex_unlock(&g_b);
}

int th_scale(int value, int factor) { return value * factor; /* BUG: may overflow */ }

int th_flag(int bit) { return 1 << bit; /* BUG: bit may be >= 32 */ }

int th_local_hour(void) {
  time_t now = time(NULL);
  struct tm parts;
  return localtime_r(&now, &parts) ? parts.tm_hour : -1;
}

int th_local_hour_unsafe(void) {
  time_t now = time(NULL);
  struct tm* parts = localtime(&now); /* BUG: not thread-safe, one result for every thread */
  return parts ? parts->tm_hour : -1;
}
