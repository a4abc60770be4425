// The shipped suppressions against the shapes real runs produced: each hides its tool noise and
// leaves a real bug of the same shape alone.
#include "harness/aggregate/suppress.hpp"
#include "harness/aggregate/suppress_test_support.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace harness::aggregate {
namespace {
using namespace suppress_testing;

const std::string k_yaml = "/usr/lib/x86_64-linux-gnu/libyaml-cpp.so.0.7.0";
const std::string k_driver = "/out/build/corpus_cxx/plain/driver";

model::Frame in(std::string fn, const std::string& object) { return {std::move(fn), "", 0, object}; }

// The shapes Helgrind reported for yaml-cpp's function-local statics (specs/corpus/cxx.yaml).
model::Finding yaml_bss_race(std::string writer_top) {
  model::Finding f;
  f.kind = "race.data";
  f.message = "Possible data race during read of size 8 at 0x48F0A50 by thread #16";
  f.stack = {in("", k_yaml), in("", k_yaml), in("YAML::Parser::ParseDirectives()", k_yaml),
             in("feature_yamlcpp_load()", k_driver)};
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

TEST(Suppression, LibraryStaticInitMatchesOnlyTheHeapOfStrippedCxxLibraryStatics) {
  const auto& s = shipped("cxx-library-static-init");
  EXPECT_TRUE(matches(s, model::Tool::helgrind, yaml_heap_race()));
  EXPECT_TRUE(matches(s, model::Tool::drd, yaml_heap_race())) << "the tool is not what decides";
  // A library's own static data is never hidden: ownership reports it as third_party
  // (ownership_test.cpp), for a C++ static as for a C library's plain global.
  EXPECT_FALSE(matches(s, model::Tool::helgrind, yaml_bss_race("YAML::RegEx::RegEx(char)")));
  EXPECT_FALSE(matches(s, model::Tool::helgrind, yaml_bss_race("")));
}

// DRD, yaml-cpp read from four std::threads (a real capture: testdata/valgrind/drd-yaml-std-threads.xml,
// cut to three of its 230 reports): the threads that never took the statics' guards read the heap
// the statics own after the initialising thread ended, so DRD names no segment of it. The heap reads
// are hidden; the statics themselves, in libyaml-cpp's BSS, are not (ownership: third_party).
TEST(Suppression, LibraryStaticInitCoversDrdReadsFromThreadsThatNeverTookTheGuard) {
  const auto report = parse::valgrind_xml(testing::testdata("valgrind/drd-yaml-std-threads.xml"));
  ASSERT_TRUE(report);
  const auto findings = parse::valgrind_findings(*report);
  ASSERT_EQ(findings.size(), 3u);
  const auto& s = shipped("cxx-library-static-init");
  std::size_t heap = 0, bss = 0;
  for (const auto& f : findings) {
    const bool in_bss = f.aux_stacks.size() == 1 && f.aux_stacks[0].label.find("BSS section") != std::string::npos;
    (in_bss ? bss : heap) += 1;
    EXPECT_EQ(matches(s, model::Tool::drd, f), !in_bss) << f.message;
  }
  EXPECT_EQ(heap, 2u);
  EXPECT_EQ(bss, 1u);
  // A segment of the conflicting thread that is not the guarded initialisation: a real race.
  auto with_segment = findings[1];
  with_segment.aux_stacks.push_back({"Other segment start (conflicting thread)", {in("YAML::Foo::set()", k_yaml)}});
  EXPECT_FALSE(matches(s, model::Tool::drd, with_segment));
  // A write, or a read by the user's code, is never this.
  auto store = findings[1];
  store.message = "Conflicting store by thread 5 at 0x04e2afd0 size 4";
  EXPECT_FALSE(matches(s, model::Tool::drd, store));
  auto user = findings[1];
  user.stack.insert(user.stack.begin(), in("feature_yaml_std_threads()", k_driver));
  EXPECT_FALSE(matches(s, model::Tool::drd, user));
}

// The two C libraries' static data that the broad form used to hide, from real captures: libarchive's
// unlocked counter (Helgrind), cJSON's global_error; no shipped suppression matches either.
TEST(Suppression, NoShippedSuppressionHidesACLibrarysStaticData) {
  for (const char* capture : {"helgrind-archive_reader_per_thread.xml", "helgrind-cjson_object_per_thread.xml",
                              "drd-archive_reader_per_thread.xml", "drd-cjson_object_per_thread.xml"}) {
    const auto report = parse::valgrind_xml(testing::testdata(std::string("valgrind/ownership/") + capture));
    ASSERT_TRUE(report) << capture;
    const auto findings = parse::valgrind_findings(*report);
    std::size_t races = 0;
    for (const auto& f : findings) {
      if (f.kind != "race.data") continue;
      ++races;
      for (const auto& s : default_suppressions())
        for (auto tool : {model::Tool::helgrind, model::Tool::drd})
          EXPECT_FALSE(matches(s, tool, f)) << capture << ": " << s.name << " hides " << f.message;
    }
    EXPECT_GE(races, 1u) << capture;
  }
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
  user_heap.aux_stacks[0].frames.erase(user_heap.aux_stacks[0].frames.begin() + 1, user_heap.aux_stacks[0].frames.begin() + 4);
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
  f.aux_stacks = {
      {"Other segment start (conflicting thread)", {in("__cxa_guard_release", "/usr/lib/libstdc++.so.6"), in("", k_yaml)}},
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
using namespace suppress_testing;

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
  rw.stack = {in("pthread_rwlock_rdlock", "libtsan.so.2"), in("g_rw_lock_reader_lock", glib),
              in("feature_glib_rw_lock", k_driver)};
  EXPECT_TRUE(matches(shipped("glib-rw-lock-lazy-init"), model::Tool::tsan, rw));
  rw.stack = {in("feature_glib_rw_lock", k_driver)};  // the guarded data, written without the lock
  EXPECT_FALSE(matches(shipped("glib-rw-lock-lazy-init"), model::Tool::tsan, rw));

  model::Finding fd;
  fd.kind = "fd.leak";
  fd.stack = {in("eventfd", "libc.so.6"),
              in("", glib),
              in("g_main_context_new_with_flags", glib),
              in("g_main_context_default", glib),
              in("g_main_context_invoke_full", glib),
              in("poster", k_driver)};
  EXPECT_TRUE(matches(shipped("glib-default-main-context"), model::Tool::memcheck, fd));
  fd.stack = {in("eventfd", "libc.so.6"), in("feature_open_events", k_driver)};
  EXPECT_FALSE(matches(shipped("glib-default-main-context"), model::Tool::memcheck, fd));
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {
using namespace suppress_testing;

TEST(Suppression, FutureHandOffOnlyBetweenTheSetterAndGet) {
  const auto& s = shipped("cxx-future-result-handoff");
  const std::string stdcxx = "/out/build/corpus_cxx/plain/driver";  // the templates are instantiated in the driver
  model::Finding f;
  f.kind = "race.data";
  f.stack = {in("std::__cxx11::basic_string<char>::_M_data() const", stdcxx),
             in("std::__cxx11::basic_string<char>::basic_string(std::__cxx11::basic_string<char>&&)", stdcxx),
             in("std::future<std::__cxx11::basic_string<char> >::get()", stdcxx), in("feature_promise_future()", stdcxx)};
  f.aux_stacks = {
      {"This conflicts with a previous write of size 8 by thread #73",
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

// The shape Helgrind reported for Asio's scheduler waking a thread (suites/examples/coroutines:
// asio_strand), and a program's own signal without its lock.
TEST(Suppression, AsioSignalAfterUnlockOnlyFromAsiosEvent) {
  const auto& s = shipped("asio-signal-after-unlock");
  const std::string driver = "/out/build/coroutines/plain/driver";
  model::Finding f;
  f.kind = "thread.misc";
  f.message = "Thread #6: pthread_cond_{signal,broadcast}: dubious: associated lock is not held by any thread";
  f.stack = {in("", "/usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so"),
             in("bool boost::asio::detail::posix_event::maybe_unlock_and_signal_one<boost::asio::detail::conditionally_"
                "enabled_mutex::scoped_lock>(boost::asio::detail::conditionally_enabled_mutex::scoped_lock&)",
                driver),
             in("boost::asio::detail::conditionally_enabled_event::maybe_unlock_and_signal_one(boost::asio::detail::"
                "conditionally_enabled_mutex::scoped_lock&)",
                driver),
             in("boost::asio::detail::scheduler::wake_one_thread_and_unlock(boost::asio::detail::conditionally_enabled_"
                "mutex::scoped_lock&)",
                driver)};
  EXPECT_TRUE(matches(s, model::Tool::helgrind, f));
  EXPECT_FALSE(matches(s, model::Tool::drd, f));
  // DRD's word for it (its own preload's pthread_cond_signal on top).
  auto drd = f;
  drd.kind = "race.cond";
  drd.stack.front() = in("pthread_cond_signal@*", "/usr/libexec/valgrind/vgpreload_drd-amd64-linux.so");
  EXPECT_EQ(hidden_by(model::Tool::drd, drd), "asio-signal-after-unlock-drd");
  auto own = f;
  own.stack = {in("", "/usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so"), in("notify_ready(queue*)", driver),
               in("feature_queue()", driver)};
  EXPECT_FALSE(matches(s, model::Tool::helgrind, own));
  own.kind = "race.cond";
  EXPECT_EQ(hidden_by(model::Tool::drd, own), "");
}

}  // namespace
}  // namespace harness::aggregate
