// The C++ part of libthreaded: correct code that race detectors without C++ knowledge misjudge.
#include "threaded.h"

#include <memory>
#include <string>

namespace {
struct Config {
  std::string name = "default";
  int value = 7;
};

const Config& config() {
  static Config instance;  // thread-safe initialisation (C++11 "magic statics")
  return instance;
}

std::shared_ptr<int> g_shared = std::make_shared<int>(42);
}  // namespace

extern "C" int th_config_value(void) { return config().value; }

namespace {
struct Tally {
  long hits = 0;
};
}  // namespace

// BUG race.data: a function-local static, safely initialised, then updated without a lock. The
// shipped suppression for static initialisation must not hide this one.
extern "C" void th_tally(void) {
  static Tally tally;
  tally.hits++;
}

extern "C" int th_shared_value(void) {
  std::shared_ptr<int> copy = g_shared;  // atomic reference counting
  return *copy;
}
