// libFuzzer target: Valgrind XML (any tool's) -> report -> findings. Must never crash or hang.
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto report = harness::parse::valgrind_xml(text)) (void)harness::parse::valgrind_findings(*report);
  // The streaming path, fed in uneven chunks, must agree with itself whatever the split.
  harness::parse::ValgrindXmlParser parser;
  for (std::size_t at = 0; at < text.size(); at += 7) parser.feed(text.substr(at, 7));
  (void)parser.finish();
  return 0;
}
