// libFuzzer target: what other programs print about the tests users have (a GoogleTest binary's
// --gtest_list_tests, ctest --show-only=json-v1, meson introspect --tests) -> programs.
#include "harness/adopt/ctest.hpp"
#include "harness/adopt/gtest.hpp"
#include "harness/adopt/meson.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cases = harness::adopt::parse_gtest_list(text);
  for (const auto& c : cases) (void)harness::adopt::case_feature_name("p", c);
  (void)harness::adopt::shard_cases(cases, size % 5, static_cast<int>(size % 3));
  std::vector<std::string> notes;
  (void)harness::adopt::parse_ctest_json(text, notes);
  (void)harness::adopt::parse_meson_tests(text, "/b", {true, false}, {}, notes);
  return 0;
}
