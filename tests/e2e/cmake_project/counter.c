#include "counter.h"

#include <stdio.h>
#include <stdlib.h>

struct counter {
  int value;
};

counter* counter_new(int start) {
  counter* c = malloc(sizeof *c);
  c->value = start;
  return c;
}
void counter_add(counter* c, int n) { c->value += n; }
int counter_value(const counter* c) { return c->value; }
char* counter_label(const counter* c) {
  char* label = malloc(32);
  snprintf(label, 32, "counter=%d", c->value);
  return label;
}
void counter_free(counter* c) { free(c); }
