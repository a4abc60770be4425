// A GoogleTest binary as users have them: one case leaks, one races, one is clean and one fails
// its own assertion. Sohound runs each case alone under every tool and puts each finding on its
// case (tests/e2e/e2e_programs_test.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

__attribute__((noinline)) char* make_buffer(std::size_t n) {
  auto* p = static_cast<char*>(std::malloc(n));
  std::memset(p, 7, n);
  return p;
}

int g_counter = 0;

__attribute__((noinline)) void bump_counter() {
  for (int i = 0; i < 1000; ++i) g_counter = g_counter + 1;  // no lock: a data race with the other thread
}

}  // namespace

TEST(Cases, Leaks) {
  char* volatile kept = make_buffer(64);
  EXPECT_EQ(kept[3], 7);
  kept = nullptr;
}

TEST(Cases, Races) {
  std::thread a(bump_counter), b(bump_counter);
  a.join();
  b.join();
  EXPECT_GT(g_counter, 0);
}

TEST(Cases, Clean) {
  std::vector<int> v(10, 1);
  EXPECT_EQ(v.size(), 10u);
}

TEST(Cases, FailsItsAssertion) { EXPECT_EQ(1 + 1, 3) << "this case fails by itself, with no tool finding"; }

TEST(Cases, DISABLED_NeverRuns) { std::abort(); }
