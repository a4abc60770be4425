#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mcounter_next(int value);
void mcounter_leak_label(void);

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "clean";
  if (strcmp(what, "exit") == 0 && argc > 2) return atoi(argv[2]);
  if (strcmp(what, "tap") == 0) {
    puts("1..2");
    puts(mcounter_next(1) == 2 ? "ok 1 next" : "not ok 1 next");
    puts("ok 2 twice");
    return 0;
  }
  const char* start = getenv("MCOUNTER_START");
  const int value = mcounter_next(start ? atoi(start) : 0);
  if (strcmp(what, "leak") == 0) mcounter_leak_label();
  printf("counter=%d\n", value);
  return 0;
}
