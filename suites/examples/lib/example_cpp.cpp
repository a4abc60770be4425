// The C++ part of libexample.
#include "example.h"

#include <cstdlib>

extern "C" void ex_mismatched_free(void) {
  int* values = new int[4]{1, 2, 3, 4};
  std::free(values);  // BUG: new[] released with free()
}
