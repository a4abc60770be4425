// Feature from a file with its own includes and helpers, and an entry function not named "feature".
#include <cstdlib>
#include <vector>
#include "example.h"
static int twice(int x) { return 2 * x; }
void run_me() {
  std::vector<int> v(3, twice(1));
  if (std::getenv("SOHOUND_FEATURE_FLAG") == nullptr) std::abort();
  ex_make_label(v[0]);
}
