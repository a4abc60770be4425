// libFuzzer target: ASan/LSan, TSan and UBSan logs -> findings, whole and in chunks.
#include "harness/parse/sanitizer_log.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)harness::parse::sanitizer_log(text);
  harness::parse::SanitizerLogParser parser;
  for (std::size_t at = 0; at < text.size(); at += 13) parser.feed(text.substr(at, 13));
  (void)parser.finish();
  return 0;
}
