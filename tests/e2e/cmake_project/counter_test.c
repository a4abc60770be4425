/* The project's own test: "clean" frees what it takes; "leak" forgets the label. */
#include "counter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* start = getenv("COUNTER_START");
  counter* c = counter_new(start ? atoi(start) : 0);
  counter_add(c, 2);
  char* label = counter_label(c);
  printf("%s\n", label);
  if (argc > 1 && strcmp(argv[1], "clean") == 0) free(label);
  counter_free(c);
  return 0;
}
