/* libexample: a small library under test with deliberate, documented bugs (see README.md) and
 * clean controls. Every bug is in its own function so each feature exercises exactly one. */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A growable byte buffer: the clean part of the library. */
struct ex_buffer;
struct ex_buffer *ex_buffer_new(size_t capacity);
int ex_buffer_append(struct ex_buffer *b, const void *data, size_t n);
size_t ex_buffer_size(const struct ex_buffer *b);
const unsigned char *ex_buffer_data(const struct ex_buffer *b);
void ex_buffer_free(struct ex_buffer *b);

/* Clean: sums n ints from a copy it frees. */
long ex_sum_copy(const int *values, size_t n);

/* BUG leak.definite: returns a label whose 16-byte scratch copy is never freed. */
const char *ex_make_label(int id);

/* BUG leak.definite + leak.indirect: builds a two-node list and drops the head. */
void ex_build_list(void);

/* BUG leak.possible: keeps only an interior pointer to a 64-byte block. */
void ex_remember_interior(void);

/* BUG leak.reachable: caches a 100-byte table in a global that is never freed. */
void ex_init_cache(void);

/* BUG mem.invalid_read: reads one int past the end of a 10-int heap array. */
int ex_read_past_end(void);

/* BUG mem.invalid_write: writes one byte past the end of an 8-byte heap buffer. */
void ex_write_past_end(void);

/* BUG mem.uninit: branches on a heap value that was never written. */
int ex_uninit_branch(void);

/* BUG mem.invalid_free: frees the same block twice. */
void ex_double_free(void);

/* BUG mem.overlap: strncpy between overlapping ranges. */
void ex_overlapping_copy(void);

/* BUG fd.leak: opens a log file and never closes it. Returns 0 on success. */
int ex_open_log(const char *path);

/* BUG mem.mismatched_free: allocates with new[] and releases with free() (example_cpp.cpp). */
void ex_mismatched_free(void);

#ifdef __cplusplus
}
#endif

#endif
