#include "harness/aggregate/suppress.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/suppress_test_support.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>
#include <algorithm>

#include <set>

namespace harness::aggregate {
namespace {
using namespace suppress_testing;

// The single race.data finding of a captured helgrind/drd run of the threaded examples.
model::Finding race_from(const std::string& file) {
  auto report = parse::valgrind_xml(testing::testdata(file));
  if (!report) throw std::runtime_error(report.error().message);
  for (auto& f : parse::valgrind_findings(*report))
    if (f.kind == "race.data") return f;
  throw std::runtime_error("no race in " + file);
}

// Every race.data finding of a capture.
std::vector<model::Finding> races_from(const std::string& file) {
  auto report = parse::valgrind_xml(testing::testdata(file));
  if (!report) throw std::runtime_error(report.error().message);
  std::vector<model::Finding> races;
  for (auto& f : parse::valgrind_findings(*report))
    if (f.kind == "race.data") races.push_back(std::move(f));
  if (races.empty()) throw std::runtime_error("no race in " + file);
  return races;
}

model::Tool tool_of(const std::string& file) {
  return file.rfind("valgrind/helgrind", 0) == 0 ? model::Tool::helgrind : model::Tool::drd;
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

TEST(DefaultSuppressions, HideSharedPtrReferenceCountingUnderHelgrindAndDrd) {
  // th_shared_handoff(): the last owner of a make_shared block releases it on another thread.
  for (const std::string file : {"valgrind/helgrind-shared-handoff.xml", "valgrind/drd-shared-handoff.xml"})
    for (const auto& race : races_from(file))
      EXPECT_EQ(hidden_by(tool_of(file), race), "cxx-shared-ptr-refcount") << file << ": " << race.message;
}

TEST(DefaultSuppressions, DoNotHideARealRaceOnAnObjectInAMakeSharedBlock) {
  // th_shared_bump(): the object shares the block (same allocation stack) but user code races on it.
  for (const std::string file : {"valgrind/helgrind-racy-shared-payload.xml", "valgrind/drd-racy-shared-payload.xml"}) {
    const auto races = races_from(file);
    for (const auto& race : races) {  // one report per racing access pair, all in th_shared_bump
      EXPECT_EQ(race.stack.at(0).function, "th_shared_bump");
      EXPECT_EQ(hidden_by(tool_of(file), race), "") << file;
    }
    EXPECT_TRUE(matches(shipped("cxx-shared-ptr-refcount"), model::Tool::drd,
                        [&] {
                          auto as_refcount = races[0];  // the same block, accessed by _Sp_counted_base: hidden
                          as_refcount.stack.at(0).function = "std::_Sp_counted_base<(__gnu_cxx::_Lock_policy)2>::_M_release()";
                          return as_refcount;
                        }()))
        << "the control must differ from the noise only in who made the access";
  }
}

TEST(DefaultSuppressions, HideGlibcTimeZoneCacheUnderHelgrindAndDrd) {
  // th_local_hour(): localtime_r from four threads; glibc's tz cache is guarded by its own lock.
  for (const std::string file : {"valgrind/helgrind-local-time.xml", "valgrind/drd-local-time.xml"}) {
    const auto races = races_from(file);
    EXPECT_GE(races.size(), 3u) << file;  // strlen, bcmp and strcmp on the cached strings
    for (const auto& race : races) EXPECT_EQ(hidden_by(tool_of(file), race), "glibc-time-zone-cache") << file;
  }
}

TEST(DefaultSuppressions, DoNotHideARealRaceOnLocaltimesStaticResult) {
  // th_local_hour_unsafe(): localtime()'s one static struct tm, read by every thread.
  std::size_t real = 0;
  for (const auto& race : races_from("valgrind/drd-racy-localtime.xml")) {
    if (race.stack.at(0).function != "th_local_hour_unsafe") continue;
    ++real;
    EXPECT_EQ(hidden_by(model::Tool::drd, race), "") << race.message;
  }
  EXPECT_EQ(real, 1u);
}

TEST(DefaultSuppressions, HideTheStandardStreamsWrittenFromSeveralThreads) {
  // streams.yaml mixed_output: numbers, chars and strings to cout, cerr and clog from 4 threads.
  for (const std::string file : {"valgrind/helgrind-streams-mixed.xml", "valgrind/drd-streams-mixed.xml"}) {
    std::set<std::string> by;
    for (const auto& race : races_from(file)) {
      const auto name = hidden_by(tool_of(file), race);
      EXPECT_NE(name, "") << file << ": " << race.message << " at " << race.stack.at(0).function;
      by.insert(name);
    }
    std::set<std::string> expected = {"cxx-ostream-format-state", "cxx-num-put-format-state"};
    if (tool_of(file) == model::Tool::drd) expected.insert("glibc-stdio-fwrite");  // Helgrind's own default.supp has it
    EXPECT_EQ(by, expected) << file;
  }
}

TEST(DefaultSuppressions, DoNotHideAUserChangingAStreamsWidthFromSeveralThreads) {
  // streams.yaml set_width: cout.width(4) from 4 threads races in user code (an inline
  // std::ios_base member compiled into the driver); libstdc++'s own accesses next to it are noise.
  for (const std::string file : {"valgrind/helgrind-streams-width.xml", "valgrind/drd-streams-width.xml"}) {
    std::size_t real = 0;
    for (const auto& race : races_from(file)) {
      if (race.stack.at(0).function != "std::ios_base::width(long)") {
        EXPECT_EQ(hidden_by(tool_of(file), race), "cxx-ostream-format-state") << file << ": " << race.stack.at(0).function;
        continue;
      }
      ++real;
      EXPECT_EQ(hidden_by(tool_of(file), race), "") << file;
      EXPECT_EQ(race.stack.at(1).function, "feature_set_width()") << file;
    }
    EXPECT_GE(real, 1u) << file;  // one per racing pair of threads in the raw report
  }
}

TEST(DefaultSuppressions, EachAppliesOnlyToHelgrindAndDrd) {
  const auto race = races_from("valgrind/drd-local-time.xml").at(0);
  for (auto tool : {model::Tool::memcheck, model::Tool::asan, model::Tool::tsan, model::Tool::ubsan})
    EXPECT_EQ(hidden_by(tool, race), "");
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
  EXPECT_FALSE(frames_match({"zcalloc", "$"}, f.stack)) << "\"$\" is the end of the stack: frames follow zcalloc";
  EXPECT_TRUE(frames_match({"...", "$"}, f.stack));
  EXPECT_FALSE(frames_match({"$"}, f.stack));
  EXPECT_FALSE(frames_match({"deflateInit_"}, f.stack)) << "without '...' the first pattern is the top frame";
  EXPECT_FALSE(frames_match({"zcalloc", "deflateInit_"}, f.stack));
}

// A stripped library's frames are unnamed ("???"): "obj:GLOB" matches them by their object, and
// name patterns step over them as before (issue 21: `frames: ["obj:*liblmdb.so*"]` matched nothing).
TEST(Suppression, ObjectPatternsMatchUnnamedFramesAndNamePatternsStepOverThem) {
  model::Finding race;
  race.kind = "race.data";
  const std::string lmdb = "/usr/lib/x86_64-linux-gnu/liblmdb.so.0.0.0";
  race.stack = {{"???", "", 0, lmdb},
                {"???", "", 0, lmdb},
                {"mdb_txn_begin", "", 0, lmdb},
                {"???", "", 0, "/usr/lib/x86_64-linux-gnu/libc.so.6"},
                {"feature_readers", "/s.yaml", 3, "/out/driver"}};
  EXPECT_TRUE(frames_match({"obj:*liblmdb.so*"}, race.stack));
  EXPECT_TRUE(frames_match({"obj:*liblmdb.so*", "obj:*liblmdb.so*", "mdb_txn_begin"}, race.stack));
  EXPECT_TRUE(frames_match({"mdb_txn_begin", "feature_*"}, race.stack)) << "unnamed frames are transparent to names";
  EXPECT_TRUE(frames_match({"...", "obj:*libc.so*", "feature_*", "$"}, race.stack));
  EXPECT_FALSE(frames_match({"obj:*libarchive.so*"}, race.stack));
  EXPECT_FALSE(frames_match({"feature_*"}, race.stack)) << "without '...' the first named frame is mdb_txn_begin";
  // The harness's own unnamed frames are not the user's to name.
  model::Finding harness_only;
  harness_only.stack = {{"???", "", 0, "/usr/libexec/valgrind/vgpreload_drd-amd64-linux.so"}, {"f", "/x.c", 1, "/lib.so"}};
  EXPECT_FALSE(frames_match({"obj:*vgpreload*"}, harness_only.stack));
}

// Many "..." and "*" against a deep stack that does not match: a backtracking matcher takes
// exponential time here (20 "..." did not finish in 10 minutes); this one is O(patterns x frames).
TEST(Suppression, ManyWildcardsMatchInPolynomialTime) {
  std::vector<std::string> deep(40, "f*");
  deep.back() = "feature_x";
  const auto f = leak_in(deep);
  std::vector<std::string> patterns;
  for (int i = 0; i < 45; ++i) {
    patterns.push_back("...");
    patterns.push_back("*f*");
  }
  patterns.push_back("never_there");
  EXPECT_FALSE(frames_match(patterns, f.stack));
  patterns.back() = "feature_*";
  EXPECT_FALSE(frames_match(patterns, f.stack)) << "45 frames must come before feature_x, and the stack has 39";
  patterns.resize(2 * 20);
  patterns.push_back("feature_*");
  EXPECT_TRUE(frames_match(patterns, f.stack));
  EXPECT_TRUE(frames_match({"...", "...", "feature_x"}, f.stack));
  EXPECT_FALSE(frames_match({"...", "feature_x", "f1"}, f.stack));
  EXPECT_TRUE(frames_match({"f*", "...", "f*", "...", "feature_x"}, f.stack));
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

TEST(Suppression, SuggestionIsTheFingerprintFramesDownToTheFeatureThatLeaked) {
  const auto leak = leak_in({"zcalloc", "deflateInit2_(z_stream*, int)", "deflateInit_", "feature_x"});
  const auto s = suggest_suppression(leak, model::Tool::asan);
  EXPECT_EQ(s.kind, "leak.definite");
  EXPECT_EQ(s.tools, std::vector<model::Tool>{model::Tool::asan});
  // Scoped to the feature: the library's frames alone would hide every leak through deflateInit_.
  EXPECT_EQ(s.frames, (std::vector<std::string>{"zcalloc", "deflateInit2_", "deflateInit_", "...", "feature_x"}));
  EXPECT_TRUE(matches(s, model::Tool::asan, leak));
  EXPECT_FALSE(matches(s, model::Tool::asan, leak_in({"zcalloc", "deflateInit2_(z_stream*, int)", "deflateInit_", "feature_y"})));
}

}  // namespace
}  // namespace harness::aggregate
