#include "harness/util/heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace harness::util {

void tune_heap() {
  constexpr int k_pad = 64 << 20;
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest: below it, blocks come from the heap
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  ::mallopt(M_TOP_PAD, k_pad);
  // A block larger than what the heap has left makes it grow by the pad now; the range it grew is
  // then marked for huge pages (the kernel ignores the advice where they are off). Later growth is
  // left as it comes.
  void* grow = std::malloc(1 << 20);
  const auto page = static_cast<std::uintptr_t>(2 << 20);
  const auto from = (reinterpret_cast<std::uintptr_t>(grow) + page - 1) & ~(page - 1);
  const auto to = reinterpret_cast<std::uintptr_t>(::sbrk(0)) & ~(page - 1);
  if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
  std::free(grow);
}

}  // namespace harness::util
