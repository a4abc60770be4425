#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/suppress.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"

#include <algorithm>
#include <gtest/gtest.h>

#include <set>

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

const model::Suppression& shipped(const std::string& name) {
  for (const auto& s : default_suppressions())
    if (s.name == name) return s;
  throw std::runtime_error("default suppression missing: " + name);
}

const model::Suppression& static_init() { return shipped("cxx-function-local-static-init"); }

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

// Which shipped suppression, if any, hides a finding (the first that matches).
std::string hidden_by(model::Tool tool, const model::Finding& finding) {
  for (const auto& s : default_suppressions())
    if (matches(s, tool, finding)) return s.name;
  return "";
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

TEST(Suppression, SuggestionIsTheFingerprintFrames) {
  const auto s = suggest_suppression(leak_in({"zcalloc", "deflateInit2_(z_stream*, int)", "deflateInit_", "feature_x"}),
                                     model::Tool::asan);
  EXPECT_EQ(s.kind, "leak.definite");
  EXPECT_EQ(s.tools, std::vector<model::Tool>{model::Tool::asan});
  EXPECT_EQ(s.frames, (std::vector<std::string>{"zcalloc", "deflateInit2_", "deflateInit_"}));
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {

const std::string k_yaml = "/usr/lib/x86_64-linux-gnu/libyaml-cpp.so.0.7.0";
const std::string k_driver = "/out/build/corpus_cxx/plain/driver";

model::Frame in(std::string fn, const std::string& object) { return {std::move(fn), "", 0, object}; }

// The shapes Helgrind reported for yaml-cpp's function-local statics (specs/corpus/cxx.yaml).
model::Finding yaml_bss_race(std::string writer_top) {
  model::Finding f;
  f.kind = "race.data";
  f.message = "Possible data race during read of size 8 at 0x48F0A50 by thread #16";
  f.stack = {in("", k_yaml), in("", k_yaml), in("YAML::Parser::ParseDirectives()", k_yaml), in("feature_yamlcpp_load()", k_driver)};
  f.aux_stacks = {{"This conflicts with a previous write of size 8 by thread #17",
                   {in(std::move(writer_top), k_yaml), in("", k_yaml), in("feature_yamlcpp_load()", k_driver)}},
                  {"Address 0x48f0a50 is in the BSS segment of " + k_yaml, {}}};
  return f;
}

model::Finding yaml_heap_race() {
  model::Finding f;
  f.kind = "race.data";
  f.message = "Possible data race during read of size 4 at 0x4E298E0 by thread #16";
  f.stack = {in("int YAML::RegEx::MatchUnchecked<YAML::StreamCharSource>(YAML::StreamCharSource const&) const", k_yaml),
             in("", k_yaml), in("feature_yamlcpp_load()", k_driver)};
  f.aux_stacks = {{"Address 0x4e298e0 is 0 bytes inside a block of size 64 alloc'd",
                   {in("operator new(unsigned long)", "/usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so"),
                    in("void std::vector<YAML::RegEx>::_M_realloc_insert<YAML::RegEx const&>()", k_yaml),
                    in("YAML::operator|(YAML::RegEx const&, YAML::RegEx const&)", k_yaml), in("", k_yaml),
                    in("feature_yamlcpp_load()", k_driver)}},
                  {"Block was alloc'd by thread #17", {}}};
  return f;
}

TEST(Suppression, LibraryStaticInitMatchesStrippedCxxLibraryStatics) {
  const auto& s = shipped("cxx-library-static-init");
  EXPECT_TRUE(matches(s, model::Tool::helgrind, yaml_bss_race("YAML::RegEx::RegEx(char)")));
  EXPECT_TRUE(matches(s, model::Tool::helgrind, yaml_bss_race(""))) << "a static reference bound by unnamed code";
  EXPECT_TRUE(matches(s, model::Tool::helgrind, yaml_heap_race()));
  EXPECT_FALSE(matches(s, model::Tool::drd, yaml_bss_race("YAML::RegEx::RegEx(char)"))) << "Helgrind's shapes only";
}

TEST(Suppression, LibraryStaticInitLeavesRealRacesAlone) {
  const auto& s = shipped("cxx-library-static-init");
  // The library writing its BSS later, not constructing it.
  EXPECT_FALSE(matches(s, model::Tool::helgrind, yaml_bss_race("YAML::Parser::ParseDirectives()")));
  // A write by the reader (only reads of an initialised static match).
  auto write = yaml_bss_race("YAML::RegEx::RegEx(char)");
  write.message = "Possible data race during write of size 8 at 0x48F0A50 by thread #16";
  EXPECT_FALSE(matches(s, model::Tool::helgrind, write));
  // User code on top of the read: the driver's own statics and globals are never this.
  auto user = yaml_bss_race("YAML::RegEx::RegEx(char)");
  user.stack.insert(user.stack.begin(), in("feature_yamlcpp_load()", k_driver));
  EXPECT_FALSE(matches(s, model::Tool::helgrind, user));
  // Heap the feature allocated, or one Helgrind names a conflicting access for.
  auto user_heap = yaml_heap_race();
  user_heap.aux_stacks[0].frames.erase(user_heap.aux_stacks[0].frames.begin() + 1,
                                       user_heap.aux_stacks[0].frames.begin() + 4);
  EXPECT_FALSE(matches(s, model::Tool::helgrind, user_heap));
  auto named = yaml_heap_race();
  named.aux_stacks.push_back({"This conflicts with a previous write of size 4 by thread #17", {in("YAML::Foo::set()", k_yaml)}});
  EXPECT_FALSE(matches(s, model::Tool::helgrind, named));
  // A library with symbols (one built from a recipe): every frame named, so not this rule's.
  auto named_lib = yaml_heap_race();
  named_lib.stack[1].function = "YAML::Exp::Tag()";
  named_lib.aux_stacks[0].frames[3].function = "YAML::Exp::Tag()";
  EXPECT_FALSE(matches(s, model::Tool::helgrind, named_lib));
  // Another library's BSS.
  auto other = yaml_bss_race("YAML::RegEx::RegEx(char)");
  other.aux_stacks[1].label = "Address 0x48f0a50 is in the BSS segment of /usr/lib/libother.so.1";
  EXPECT_FALSE(matches(s, model::Tool::helgrind, other));
}

TEST(Suppression, DrdStaticInitCoversNestedStatics) {
  // A segment from a nested static's release to the outer one's release is inside the outer's
  // initialisation (yaml-cpp's statics built from other statics).
  model::Finding f;
  f.kind = "race.data";
  f.stack = {in("int YAML::RegEx::MatchUnchecked<YAML::StreamCharSource>() const", k_yaml)};
  f.aux_stacks = {{"Other segment start (conflicting thread)", {in("__cxa_guard_release", "/usr/lib/libstdc++.so.6"), in("", k_yaml)}},
                  {"Other segment end (conflicting thread)", {in("__cxa_guard_release", "/usr/lib/libstdc++.so.6"), in("", k_yaml)}}};
  EXPECT_TRUE(matches(static_init(), model::Tool::drd, f));
  // Ending anywhere but a release is not inside an initialisation.
  f.aux_stacks[1].frames[0].function = "__cxa_guard_acquire";
  EXPECT_FALSE(matches(static_init(), model::Tool::drd, f));
}

TEST(Suppression, MutexUnlockAfterReleaseOnlyMatchesGlibcsUnlockRead) {
  const auto& s = shipped("glibc-mutex-unlock-after-release");
  model::Finding f;
  f.kind = "race.data";
  f.message = "Possible data race during write of size 4 at 0x8BC2AC8 by thread #13";
  f.stack = {in("uv_loop_close", "/usr/lib/x86_64-linux-gnu/libuv.so.1.0.0"), in("feature_uv_queue_work", k_driver)};
  f.aux_stacks = {{"This conflicts with a previous read of size 4 by thread #17",
                   {in("lll_mutex_unlock_optimized", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                    in("__pthread_mutex_unlock_usercnt", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                    in("", "/usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so"),
                    in("uv_mutex_unlock", "/usr/lib/x86_64-linux-gnu/libuv.so.1.0.0")}}};
  EXPECT_TRUE(matches(s, model::Tool::helgrind, f));
  auto user = f;  // the earlier read in user code: a real race
  user.aux_stacks[0].frames = {in("reader", k_driver)};
  EXPECT_FALSE(matches(s, model::Tool::helgrind, user));
  auto write = f;  // glibc's unlock writing (a lock word changed under another thread's feet)
  write.aux_stacks[0].label = "This conflicts with a previous write of size 4 by thread #17";
  EXPECT_FALSE(matches(s, model::Tool::helgrind, write));
}

TEST(Suppression, StaticCondvarAtExitOnlyWithoutUserFrames) {
  const auto& s = shipped("drd-static-condvar-destroyed-at-exit");
  model::Finding f;
  f.kind = "thread.cond_error";
  f.message = "not a condition variable: cond 0x135600";
  f.stack = {in("pthread_cond_destroy@*", "/usr/libexec/valgrind/vgpreload_drd-amd64-linux.so"),
             in("__run_exit_handlers", "/usr/lib/x86_64-linux-gnu/libc.so.6"), in("exit", "/usr/lib/x86_64-linux-gnu/libc.so.6")};
  EXPECT_TRUE(matches(s, model::Tool::drd, f));
  auto user = f;
  user.stack.insert(user.stack.begin() + 1, in("destroy_my_cond", k_driver));
  EXPECT_FALSE(matches(s, model::Tool::drd, user));
}

TEST(Suppression, SuggestionForUnnamedLibraryCodeIsScopedToItsFeature) {
  auto race = [](std::string feature) {
    model::Finding f;
    f.kind = "race.data";
    f.stack = {in("", "/usr/lib/libjansson.so.4"), in("json_loads", "/usr/lib/libjansson.so.4"), in(feature, k_driver),
               in("sohound_body_thread", k_driver)};
    return f;
  };
  const auto s = suggest_suppression(race("feature_lazy_seed()"), model::Tool::helgrind);
  EXPECT_EQ(s.frames, (std::vector<std::string>{"json_loads", "...", "feature_lazy_seed"}));
  EXPECT_TRUE(matches(s, model::Tool::helgrind, race("feature_lazy_seed()")));
  EXPECT_FALSE(matches(s, model::Tool::helgrind, race("feature_shared_object()")))
      << "the suggestion for one feature's harmless race must not hide another feature's real one";
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {

// GLib's own synchronisation, as seen on real runs of tests/e2e/specs/corpus/glib.yaml (the reports
// come and go with thread timing, so these shapes are checked here; the corpus run checks that
// nothing fails).
TEST(Suppression, GlibInternalsOnlyMatchGlibsOwnCode) {
  const std::string glib = "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0.7400.6";
  const std::string drd_preload = "/usr/libexec/valgrind/vgpreload_drd-amd64-linux.so";
  model::Finding cond;
  cond.kind = "race.data";
  cond.stack = {in("g_cond_signal", k_driver), in("g_cond_signal", glib), in("g_thread_pool_push", glib),
                in("feature_glib_thread_pool", k_driver)};
  EXPECT_TRUE(matches(shipped("glib-cond-counter"), model::Tool::drd, cond));
  auto user = cond;
  user.stack.insert(user.stack.begin(), in("count_items", k_driver));
  EXPECT_FALSE(matches(shipped("glib-cond-counter"), model::Tool::drd, user));

  model::Finding key;
  key.kind = "race.data";
  key.stack = {in("g_private_set", glib), in("", glib), in("", drd_preload), in("start_thread", "libc.so.6")};
  EXPECT_TRUE(matches(shipped("glib-private-key-init"), model::Tool::helgrind, key));
  key.stack.insert(key.stack.begin(), in("remember_me", k_driver));
  EXPECT_FALSE(matches(shipped("glib-private-key-init"), model::Tool::helgrind, key));

  model::Finding rw;
  rw.kind = "race.data";
  rw.stack = {in("pthread_rwlock_rdlock", "libtsan.so.2"), in("g_rw_lock_reader_lock", glib), in("feature_glib_rw_lock", k_driver)};
  EXPECT_TRUE(matches(shipped("glib-rw-lock-lazy-init"), model::Tool::tsan, rw));
  rw.stack = {in("feature_glib_rw_lock", k_driver)};  // the guarded data, written without the lock
  EXPECT_FALSE(matches(shipped("glib-rw-lock-lazy-init"), model::Tool::tsan, rw));

  model::Finding fd;
  fd.kind = "fd.leak";
  fd.stack = {in("eventfd", "libc.so.6"), in("", glib), in("g_main_context_new_with_flags", glib),
              in("g_main_context_default", glib), in("g_main_context_invoke_full", glib), in("poster", k_driver)};
  EXPECT_TRUE(matches(shipped("glib-default-main-context"), model::Tool::memcheck, fd));
  fd.stack = {in("eventfd", "libc.so.6"), in("feature_open_events", k_driver)};
  EXPECT_FALSE(matches(shipped("glib-default-main-context"), model::Tool::memcheck, fd));
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {

TEST(Suppression, FutureHandOffOnlyBetweenTheSetterAndGet) {
  const auto& s = shipped("cxx-future-result-handoff");
  const std::string stdcxx = "/out/build/corpus_cxx/plain/driver";  // the templates are instantiated in the driver
  model::Finding f;
  f.kind = "race.data";
  f.stack = {in("std::__cxx11::basic_string<char>::_M_data() const", stdcxx),
             in("std::__cxx11::basic_string<char>::basic_string(std::__cxx11::basic_string<char>&&)", stdcxx),
             in("std::future<std::__cxx11::basic_string<char> >::get()", stdcxx), in("feature_promise_future()", stdcxx)};
  f.aux_stacks = {{"This conflicts with a previous write of size 8 by thread #73",
                   {in("std::__cxx11::basic_string<char>::basic_string(std::__cxx11::basic_string<char>&&)", stdcxx),
                    in("std::__future_base::_Result<std::__cxx11::basic_string<char> >::_M_set(std::__cxx11::basic_string<char>&&)", stdcxx),
                    in("std::__future_base::_State_baseV2::_M_do_set(std::function<void ()>*, bool*)", stdcxx),
                    in("std::promise<std::__cxx11::basic_string<char> >::set_value(char const (&) [8])", stdcxx)}}};
  EXPECT_TRUE(matches(s, model::Tool::helgrind, f));
  EXPECT_FALSE(matches(s, model::Tool::drd, f)) << "DRD sees the hand-off";
  // The delivered object written by both threads afterwards: user frames, no _M_do_set.
  auto delivered = f;
  delivered.stack = {in("feature_control_future_delivered_pointer()", stdcxx)};
  delivered.aux_stacks[0].frames = {in("feature_control_future_delivered_pointer()::{lambda()#1}::operator()() const", stdcxx)};
  EXPECT_FALSE(matches(s, model::Tool::helgrind, delivered));
  // A write by the setter's thread that is not the result's store.
  auto later = f;
  later.aux_stacks[0].frames = {in("std::__cxx11::basic_string<char>::append(char const*)", stdcxx), in("producer()", stdcxx)};
  EXPECT_FALSE(matches(s, model::Tool::helgrind, later));
  // Helgrind keeps 8 frames of the conflicting access: the result's store without _M_do_set.
  auto cut = f;
  cut.aux_stacks[0].frames.resize(2);
  EXPECT_TRUE(matches(s, model::Tool::helgrind, cut));

  model::Finding word;
  word.kind = "race.data";
  word.stack = {in("load", stdcxx), in("_M_load", stdcxx),
                in("std::__atomic_futex_unsigned<2147483648u>::_M_load_and_test_until(unsigned int, unsigned int, bool)", stdcxx),
                in("std::future<std::__cxx11::basic_string<char> >::get()", stdcxx)};
  EXPECT_TRUE(matches(shipped("cxx-atomic-futex-word"), model::Tool::drd, word));
  word.stack = {in("feature_poll_flag()", stdcxx), in("sohound_body_thread", stdcxx)};  // a user's own flag
  EXPECT_FALSE(matches(shipped("cxx-atomic-futex-word"), model::Tool::drd, word));
}

TEST(DefaultSuppressions, HideAsanThreadStartGetattrButNotTheFeaturesOwnLeak) {
  // A real capture: the feature's own 40-byte leak and, in the same check, the runtime's 32 bytes.
  const auto report = parse::sanitizer_log(testing::testdata("sanitizers/lsan-gcc-thread-start-getattr.txt"));
  std::size_t runtime = 0, own = 0;
  for (const auto& f : report.findings) {
    ASSERT_EQ(f.kind, "leak.definite");
    if (f.bytes == 32) {
      ++runtime;
      EXPECT_EQ(hidden_by(model::Tool::asan, f), "asan-thread-start-getattr");
      EXPECT_EQ(hidden_by(model::Tool::tsan, f), "");  // only where it was seen
    } else {
      ++own;
      EXPECT_EQ(f.bytes, 40u);
      EXPECT_EQ(hidden_by(model::Tool::asan, f), "") << "the feature's own leak is never hidden";
    }
  }
  EXPECT_EQ(runtime, 1u);
  EXPECT_EQ(own, 1u);
  // The same allocation reached from user code is a leak of the user's, not the runtime's.
  auto from_user = report.findings.front().bytes == 32 ? report.findings.front() : report.findings.back();
  from_user.stack.insert(from_user.stack.begin() + 2, model::Frame{"my_stack_size", "/src/lib.c", 7, "/out/lib.so"});
  EXPECT_EQ(hidden_by(model::Tool::asan, from_user), "");
}

TEST(DefaultSuppressions, HideAsanThreadStartGetattrWithItsAffinityCopy) {
  // A real capture: glibc copied the thread's CPU affinity into the attribute, so the check saw
  // the attribute's extension (direct, 152 bytes) and the CPU set it holds (indirect, 32 bytes).
  const auto report = parse::sanitizer_log(testing::testdata("sanitizers/lsan-gcc-thread-start-getattr-affinity.txt"));
  ASSERT_EQ(report.findings.size(), 2u);
  for (const auto& f : report.findings) {
    EXPECT_EQ(hidden_by(model::Tool::asan, f), "asan-thread-start-getattr") << f.kind << " " << f.bytes;
    // Called from a program's own function, the same blocks are the program's.
    auto from_user = f;
    const auto at = std::find_if(from_user.stack.begin(), from_user.stack.end(),
                                 [](const model::Frame& frame) { return frame.function == "__pthread_getattr_np"; });
    ASSERT_NE(at, from_user.stack.end());
    from_user.stack.insert(at + 1, model::Frame{"my_stack_size", "/src/lib.c", 7, "/out/lib.so"});
    EXPECT_EQ(hidden_by(model::Tool::asan, from_user), "");
  }
}

}  // namespace
}  // namespace harness::aggregate
