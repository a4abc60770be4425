#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/suppress.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

namespace harness::aggregate {
namespace {

// The single race.data finding of a captured helgrind/drd run of the threaded examples.
model::Finding race_from(const std::string& file) {
  auto report = parse::valgrind_xml(testing::testdata(file));
  if (!report) throw std::runtime_error(report.error().message);
  for (auto& f : parse::valgrind_findings(*report))
    if (f.kind == "race.data") return f;
  throw std::runtime_error("no race in " + file);
}

const model::Suppression& static_init() {
  for (const auto& s : default_suppressions())
    if (s.name == "cxx-function-local-static-init") return s;
  throw std::runtime_error("default suppression missing");
}

TEST(DefaultSuppressions, AreLoadedWithReasons) {
  ASSERT_FALSE(default_suppressions().empty());
  for (const auto& s : default_suppressions()) EXPECT_FALSE(s.reason.empty()) << s.name;
}

TEST(DefaultSuppressions, HideMagicStaticInitialisationUnderHelgrindAndDrd) {
  EXPECT_TRUE(matches(static_init(), model::Tool::helgrind, race_from("valgrind/helgrind-static-init.xml")));
  EXPECT_TRUE(matches(static_init(), model::Tool::drd, race_from("valgrind/drd-static-init.xml")));
}

TEST(DefaultSuppressions, DoNotHideARealRaceOnAStatic) {
  // th_tally(): a function-local static, safely initialised, then incremented without a lock.
  EXPECT_FALSE(matches(static_init(), model::Tool::helgrind, race_from("valgrind/helgrind-racy-static.xml")));
  EXPECT_FALSE(matches(static_init(), model::Tool::drd, race_from("valgrind/drd-racy-static.xml")));
}

TEST(DefaultSuppressions, DoNotHideARealRaceOnAGlobal) {
  EXPECT_FALSE(matches(static_init(), model::Tool::helgrind, race_from("valgrind/helgrind-racy-counter.xml")));
  EXPECT_FALSE(matches(static_init(), model::Tool::drd, race_from("valgrind/drd-racy-counter.xml")));
}

model::Finding leak_in(std::vector<std::string> functions) {
  model::Finding f;
  f.kind = "leak.definite";
  f.stack.push_back({"malloc", "", 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"});
  for (auto& fn : functions) f.stack.push_back({fn, "/src/x.c", 1, "/lib/libz.so.1"});
  return f;
}

TEST(Suppression, FramesMatchFromTheTopWithEllipsis) {
  const auto f = leak_in({"zcalloc", "deflateInit2_(z_stream*, int)", "deflateInit_", "feature_x"});
  EXPECT_TRUE(frames_match({"zcalloc"}, f.stack)) << "allocator frames are skipped, and the rest may follow";
  EXPECT_TRUE(frames_match({"zcalloc", "deflateInit2_"}, f.stack)) << "parameter lists are optional";
  EXPECT_TRUE(frames_match({"...", "deflateInit_"}, f.stack));
  EXPECT_TRUE(frames_match({"z*", "...", "feature_*"}, f.stack));
  EXPECT_TRUE(frames_match({"obj:*libz.so*"}, f.stack));
  EXPECT_FALSE(frames_match({"deflateInit_"}, f.stack)) << "without '...' the first pattern is the top frame";
  EXPECT_FALSE(frames_match({"zcalloc", "deflateInit_"}, f.stack));
}

TEST(Suppression, KindToolsLabelsAndAux) {
  model::Suppression s;
  s.kind = "leak.*";
  s.tools = {model::Tool::memcheck};
  const auto f = leak_in({"zcalloc"});
  EXPECT_TRUE(matches(s, model::Tool::memcheck, f));
  EXPECT_FALSE(matches(s, model::Tool::asan, f));
  s.labels = {"*data symbol*"};
  EXPECT_FALSE(matches(s, model::Tool::memcheck, f)) << "every label pattern must match some aux label";

  auto race = race_from("valgrind/drd-static-init.xml");
  model::Suppression aux;
  aux.kind = "race.data";
  // The segment starts in DRD's own __cxa_guard_acquire interceptor (vgpreload_drd), which frame
  // matching skips like every runtime frame; the user frames follow.
  aux.aux = {{"Other segment start*", {"config", "th_config_value"}}};
  EXPECT_TRUE(matches(aux, model::Tool::drd, race));
  aux.aux = {{"Other segment start*", {"something_else"}}};
  EXPECT_FALSE(matches(aux, model::Tool::drd, race));
}

TEST(Suppression, SuggestionIsTheFingerprintFrames) {
  const auto s = suggest_suppression(leak_in({"zcalloc", "deflateInit2_(z_stream*, int)", "deflateInit_", "feature_x"}),
                                     model::Tool::asan);
  EXPECT_EQ(s.kind, "leak.definite");
  EXPECT_EQ(s.tools, std::vector<model::Tool>{model::Tool::asan});
  EXPECT_EQ(s.frames, (std::vector<std::string>{"zcalloc", "deflateInit2_", "deflateInit_"}));
}

}  // namespace
}  // namespace harness::aggregate
