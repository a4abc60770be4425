/* The child process of leaky_test.c: leaks 24 bytes in child_leak_fn. */
#include <stdlib.h>
#include <string.h>

static void* child_leak_fn(void) {
  char* block = malloc(24);
  memset(block, 1, 24);
  return block;
}

int main(void) {
  void* volatile lost = child_leak_fn();
  lost = NULL;
  return 0;
}
