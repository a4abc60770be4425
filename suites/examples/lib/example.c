/* libexample: see example.h for the catalogue of deliberate bugs. */
#include "example.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ex_buffer {
  unsigned char *data;
  size_t size, capacity;
};

struct ex_buffer *ex_buffer_new(size_t capacity) {
  struct ex_buffer *b = malloc(sizeof *b);
  if (!b) return NULL;
  b->data = malloc(capacity ? capacity : 1);
  b->size = 0;
  b->capacity = capacity ? capacity : 1;
  return b;
}

int ex_buffer_append(struct ex_buffer *b, const void *data, size_t n) {
  if (b->size + n > b->capacity) {
    size_t capacity = b->capacity * 2 > b->size + n ? b->capacity * 2 : b->size + n;
    unsigned char *grown = realloc(b->data, capacity);
    if (!grown) return -1;
    b->data = grown;
    b->capacity = capacity;
  }
  memcpy(b->data + b->size, data, n);
  b->size += n;
  return 0;
}

size_t ex_buffer_size(const struct ex_buffer *b) { return b->size; }
const unsigned char *ex_buffer_data(const struct ex_buffer *b) { return b->data; }

void ex_buffer_free(struct ex_buffer *b) {
  if (!b) return;
  free(b->data);
  free(b);
}

long ex_sum_copy(const int *values, size_t n) {
  int *copy = malloc(n * sizeof *copy);
  long sum = 0;
  memcpy(copy, values, n * sizeof *copy);
  for (size_t i = 0; i < n; ++i) sum += copy[i];
  free(copy);
  return sum;
}

static char g_label[32];

const char *ex_make_label(int id) {
  char *scratch = malloc(16); /* BUG: never freed */
  snprintf(scratch, 16, "label-%d", id);
  strcpy(g_label, scratch);
  return g_label;
}

struct ex_node {
  struct ex_node *next;
  char payload[24];
};

void ex_build_list(void) {
  struct ex_node *head = malloc(sizeof *head);
  head->next = malloc(sizeof *head->next); /* indirectly lost once head is */
  head->next->next = NULL;
  head = NULL; /* BUG: the only pointer to the list is dropped */
}

char *g_interior;

void ex_remember_interior(void) {
  char *block = malloc(64);
  g_interior = block + 8; /* BUG: only an interior pointer survives */
}

static void *g_cache;

void ex_init_cache(void) {
  if (!g_cache) g_cache = calloc(1, 100); /* BUG (benign): never freed, still reachable at exit */
}

int ex_read_past_end(void) {
  int *values = calloc(10, sizeof *values);
  int last = values[10]; /* BUG: one past the end */
  free(values);
  return last;
}

void ex_write_past_end(void) {
  char *buffer = malloc(8);
  memset(buffer, 'x', 8);
  buffer[8] = '\0'; /* BUG: one past the end */
  free(buffer);
}

int ex_uninit_branch(void) {
  int *flag = malloc(sizeof *flag); /* BUG: never initialised */
  int result = 0;
  if (*flag > 0) result = 1;
  free(flag);
  return result;
}

void ex_double_free(void) {
  char *p = malloc(24);
  free(p);
  free(p); /* BUG: second free */
}

void ex_overlapping_copy(void) {
  char *text = malloc(32);
  strcpy(text, "hello world");
  /* BUG: source and destination overlap. (strncpy, not memcpy: with glibc 2.36 Valgrind 3.19
   * replaces memcpy by its memmove-based variant and no longer checks memcpy for overlap.) */
  strncpy(text + 2, text, 8);
  free(text);
}

int ex_open_log(const char *path) {
  int fd = open(path, O_RDONLY); /* BUG: never closed */
  return fd < 0 ? -1 : 0;
}
