// Control for generator_left_pending: the generator is run to its end and destroyed by its owner.
#include "coro.hpp"

#include <cstdlib>

namespace {
coro::Generator squares(int limit) {
  for (int i = 1; i <= limit; ++i) co_yield i * i;
}
}  // namespace

void generator_finished() {
  auto gen = squares(10);
  int v = 0, sum = 0;
  while (gen.next(v)) sum += v;
  if (sum != 385) std::abort();
}
