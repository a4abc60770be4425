// libFuzzer target: the suppression loader, then the matcher with whatever loaded against a fixed
// set of findings (frame globs, "...", obj: patterns, labels). Must finish in linear-ish time.
#include "harness/aggregate/suppress.hpp"
#include "harness/spec/spec_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {
std::vector<harness::model::Finding> findings() {
  using harness::model::Frame;
  std::vector<harness::model::Finding> out(2);
  out[0].kind = "leak.definite";
  out[0].stack = {Frame{"malloc", "", 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"},
                  Frame{"zcalloc", "zutil.c", 1, "/lib/libz.so.1"},
                  Frame{"deflateInit2_(z_stream*, int)", "deflate.c", 2, "/lib/libz.so.1"},
                  Frame{"feature_x", "s.yaml", 3, "/out/driver"}};
  out[1].kind = "race.data";
  out[1].stack = std::vector<Frame>(40, Frame{"f", "f.c", 1, "/lib/libf.so"});
  out[1].aux_stacks = {{"Address 0x1 is 0 bytes inside data symbol \"_ZZN1a1bEvE1c\"", out[0].stack},
                       {"This conflicts with a previous write", out[1].stack}};
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto k_findings = findings();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = harness::spec::load_suppressions(text, "fuzz.yaml", "/nonexistent-sohound-fuzz");
  if (!loaded) return 0;
  for (const auto& s : *loaded)
    for (const auto& f : k_findings)
      for (auto tool : {harness::model::Tool::memcheck, harness::model::Tool::helgrind})
        (void)harness::aggregate::matches(s, tool, f);
  return 0;
}
