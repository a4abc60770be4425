/* A counter library with one deliberate bug: counter_label() returns memory the caller must free,
   and counter_test.c's "leak" mode forgets to. */
#ifndef COUNTER_H
#define COUNTER_H
typedef struct counter counter;
counter* counter_new(int start);
void counter_add(counter* c, int n);
int counter_value(const counter* c);
char* counter_label(const counter* c);
void counter_free(counter* c);
#endif
