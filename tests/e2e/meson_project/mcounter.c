#include <stdlib.h>
#include <string.h>

// A counter whose label leaks when asked to (the planted bug of the leak test).
static char* label;

int mcounter_next(int value) { return value + 1; }

void mcounter_leak_label(void) {
  label = malloc(40);
  strcpy(label, "counter");
  label = NULL;
}
