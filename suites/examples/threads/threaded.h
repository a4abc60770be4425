/* libthreaded: a small threaded library with deliberate, documented races, a lock-order
 * inversion and undefined behaviour (see ../README.md), plus correct multithreaded code. */
#ifndef THREADED_H
#define THREADED_H

#ifdef __cplusplus
extern "C" {
#endif

/* BUG race.data: increments a shared counter without a lock. */
void th_bump_unlocked(void);
/* Correct: the same under a mutex. */
void th_bump_locked(void);
/* Correct: an atomic counter. */
void th_bump_atomic(void);
long th_count(void);

/* BUG race.lock_order: takes lock A then B; th_lock_ba takes B then A. Called one after the other
 * they cannot deadlock, but the order is inconsistent: a deadlock waiting to happen. */
void th_lock_ab(void);
void th_lock_ba(void);

/* BUG ub.signed-integer-overflow: adds without checking for overflow. */
int th_scale(int value, int factor);
/* BUG ub.invalid-shift-exponent: shifts by a caller-supplied amount. */
int th_flag(int bit);

/* Correct C++ (threaded_cpp.cpp): shared_ptr copies and a function-local static read from many
 * threads. Helgrind and DRD report the static's initialisation unless suppressed. */
int th_config_value(void);
int th_shared_value(void);
/* BUG race.data: updates a function-local static without a lock (after its safe initialisation). */
void th_tally(void);
/* Correct C++: hands a shared_ptr to a std::thread; whichever thread drops the last reference
 * frees the block. Helgrind and DRD do not see the reference count's atomics as synchronisation
 * and report the release as a race unless suppressed. */
void th_shared_handoff(void);
/* BUG race.data: increments an object owned by a shared_ptr (made by make_shared, so it shares a
 * block with the reference counts) without a lock. The shared_ptr suppression must not hide it. */
void th_shared_bump(void);

/* Correct C: converts the time to local time (localtime_r). glibc caches time-zone strings under
 * a lock of its own that Helgrind and DRD do not see. */
int th_local_hour(void);
/* BUG race.data: the same with localtime(), whose result is one static struct tm for every thread.
 * The time-zone suppression must not hide it. */
int th_local_hour_unsafe(void);

#ifdef __cplusplus
}
#endif

#endif
