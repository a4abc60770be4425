// libFuzzer target: the spec loader (YAML -> SuiteSpec or a file:line:col diagnostic).
#include "harness/spec/spec_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A base folder that holds nothing, so `source:` and suppression files resolve to nothing real.
  (void)harness::spec::load(text, "fuzz.yaml", "/nonexistent-sohound-fuzz");
  return 0;
}
