// The C++ part of libthreaded: correct code that race detectors without C++ knowledge misjudge.
#include "threaded.h"

#include <pthread.h>

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

namespace {
struct Payload {
  long hits = 0;
  int value = 3;
};
std::shared_ptr<Payload> g_payload = std::make_shared<Payload>();

// A pthread, not <thread>: <thread> would nearly double this file's compile time, in every flavour.
void* read_payload(void* arg) {
  auto* theirs = static_cast<std::shared_ptr<Payload>*>(arg);
  volatile int value = (*theirs)->value;
  (void)value;
  delete theirs;  // drops the reader's reference
  return nullptr;
}
}  // namespace

extern "C" void th_shared_handoff(void) {
  auto mine = std::make_shared<Payload>();
  pthread_t reader;
  if (pthread_create(&reader, nullptr, read_payload, new std::shared_ptr<Payload>(mine)) != 0) return;
  mine.reset();  // the reader may still hold its copy: the last owner frees the block
  pthread_join(reader, nullptr);
}

// BUG race.data: increments the object every thread reaches through g_payload, without a lock. It
// lives in make_shared's block, next to the reference counts. (Not through per-thread copies: TSan
// treats the copies' atomic reference counting as synchronisation and would see the race only
// when two copies overlap in time; Helgrind and DRD would see it always.)
extern "C" void th_shared_bump(void) { g_payload->hits++; }
