#include "harness/aggregate/fingerprint.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"
#include "harness/util/text.hpp"

#include <gtest/gtest.h>

namespace harness::aggregate {
namespace {

using model::Frame;

TEST(Fingerprint, NormalizesFunctionNames) {
  EXPECT_EQ(normalize_function("invalid_read(int*)"), "invalid_read");
  EXPECT_EQ(normalize_function("ns::Widget::draw(int) const"), "ns::Widget::draw");
  EXPECT_EQ(normalize_function("memcpy@@GLIBC_2.14"), "memcpy");
  EXPECT_EQ(normalize_function("parse.isra.0"), "parse");
  EXPECT_EQ(normalize_function("helper.cold"), "helper");
  EXPECT_EQ(normalize_function("(anonymous namespace)::impl(char const*)"), "impl");
  EXPECT_EQ(normalize_function("Foo::operator()(int)"), "Foo::operator()");
  EXPECT_EQ(normalize_function("std::vector<int, std::allocator<int> >::push_back(int const&)"),
            "std::vector<int, std::allocator<int> >::push_back");
}

TEST(Fingerprint, DropsAllocatorsRuntimeAndDriverFrames) {
  const std::vector<Frame> stack = {
      {"__interceptor_malloc", "", 0, "/usr/lib/x86_64-linux-gnu/libasan.so.8"},
      {"alloc_n", "/src/lib.c", 3, "/x/libfoo.so"},
      {"make_definite", "/src/lib.c", 7, "/x/libfoo.so"},
      {"feature_leaky", "/spec.yaml", 12, "/out/driver"},
      {"sohound_body_thread", "sohound_rt.h", 59, "/out/driver"},
      {"start_thread", "", 0, "libc.so.6"},
  };
  EXPECT_EQ(fingerprint_frames(stack), (std::vector<std::string>{"alloc_n", "make_definite"}));
}

TEST(Fingerprint, BugInTheFeatureBodyKeepsTheFeatureFrame) {
  const std::vector<Frame> stack = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"},
                                    {"feature_inline_leak", "/spec.yaml", 5, "/out/driver"},
                                    {"sohound_body_thread", "", 0, "/out/driver"}};
  EXPECT_EQ(fingerprint_frames(stack), (std::vector<std::string>{"feature_inline_leak"}));
}

TEST(Fingerprint, StableAcrossLinesAddressesAndFeatures) {
  const std::vector<Frame> a = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"},
                                {"make_label", "/a/lib.c", 10, "/a/lib.so"},
                                {"feature_one", "/a/s.yaml", 3, "/a/driver"}};
  const std::vector<Frame> b = {{"__interceptor_malloc", "asan_malloc_linux.cpp", 69, "libasan.so.8"},
                                {"make_label(int)", "/b/other/lib.c", 42, "/b/lib.so"},
                                {"feature_two", "/b/s.yaml", 99, "/b/driver"}};
  EXPECT_EQ(fingerprint("leak.definite", a), fingerprint("leak.definite", b));
  EXPECT_NE(fingerprint("leak.definite", a), fingerprint("leak.indirect", a)) << "the kind is part of the key";
  const std::vector<Frame> other = {{"malloc", "", 0, ""}, {"make_other", "/a/lib.c", 10, ""}};
  EXPECT_NE(fingerprint("leak.definite", a), fingerprint("leak.definite", other));
  EXPECT_EQ(fingerprint("leak.definite", a).size(), 16u);
}

TEST(Fingerprint, GccAndClangBuildsOfTheSameBugAgree) {
  const auto gcc = parse::sanitizer_log(testing::testdata("sanitizers/asan-gcc-mode1.txt"));
  const auto clang = parse::sanitizer_log(testing::testdata("sanitizers/asan-clang-mode1.txt"));
  ASSERT_EQ(gcc.findings.size(), 1u);
  ASSERT_EQ(clang.findings.size(), 1u);
  EXPECT_EQ(fingerprint(gcc.findings[0].kind, gcc.findings[0].stack),
            fingerprint(clang.findings[0].kind, clang.findings[0].stack));

  const auto gcc_leaks = parse::sanitizer_log(testing::testdata("sanitizers/asan-gcc-mode0.txt"));
  const auto clang_leaks = parse::sanitizer_log(testing::testdata("sanitizers/asan-clang-mode0.txt"));
  ASSERT_FALSE(gcc_leaks.findings.empty());
  ASSERT_FALSE(clang_leaks.findings.empty());
  EXPECT_EQ(fingerprint(gcc_leaks.findings[0].kind, gcc_leaks.findings[0].stack),
            fingerprint(clang_leaks.findings[0].kind, clang_leaks.findings[0].stack));
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {

model::Finding first_of_kind(const std::vector<model::Finding>& findings, const std::string& kind) {
  for (const auto& f : findings)
    if (f.kind == kind) return f;
  throw std::runtime_error("no " + kind);
}

TEST(Fingerprint, OneRaceIsOneKeyUnderHelgrindDrdAndTsan) {
  auto hg = parse::valgrind_xml(testing::testdata("valgrind/helgrind-racy-counter.xml"));
  auto drd = parse::valgrind_xml(testing::testdata("valgrind/drd-racy-counter.xml"));
  ASSERT_TRUE(hg && drd);
  const auto tsan = parse::sanitizer_log(testing::testdata("sanitizers/tsan-gcc-racy-counter.txt"));
  const auto a = fingerprint(first_of_kind(parse::valgrind_findings(*hg), "race.data"));
  const auto b = fingerprint(first_of_kind(parse::valgrind_findings(*drd), "race.data"));
  const auto c = fingerprint(first_of_kind(tsan.findings, "race.data"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
}

TEST(Fingerprint, LockOrderAgreesBetweenHelgrindAndTsan) {
  auto hg = parse::valgrind_xml(testing::testdata("valgrind/helgrind-lock-order.xml"));
  ASSERT_TRUE(hg);
  const auto tsan = parse::sanitizer_log(testing::testdata("sanitizers/tsan-gcc-lock-order.txt"));
  EXPECT_EQ(fingerprint(first_of_kind(parse::valgrind_findings(*hg), "race.lock_order")),
            fingerprint(first_of_kind(tsan.findings, "race.lock_order")));
}

TEST(Fingerprint, RaceKeyIgnoresWhichAccessCameFirst) {
  model::Finding a;
  a.kind = "race.data";
  a.stack = {{"writer", "", 0, ""}};
  a.aux_stacks = {{"Previous read of size 4 at 0x1 by thread T1", {{"reader", "", 0, ""}}}};
  model::Finding b = a;
  std::swap(b.stack, b.aux_stacks[0].frames);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  model::Finding other = a;
  other.aux_stacks[0].frames = {{"someone_else", "", 0, ""}};
  EXPECT_NE(fingerprint(a), fingerprint(other));
}

TEST(Fingerprint, GccAndClangTsanAgree) {
  const auto gcc = parse::sanitizer_log(testing::testdata("sanitizers/tsan-gcc.txt"));
  const auto clang = parse::sanitizer_log(testing::testdata("sanitizers/tsan-clang.txt"));
  EXPECT_EQ(fingerprint(gcc.findings.at(0)), fingerprint(clang.findings.at(0)));
  EXPECT_EQ(fingerprint(gcc.findings.at(1)), fingerprint(clang.findings.at(1)));
}

}  // namespace
}  // namespace harness::aggregate

namespace harness::aggregate {
namespace {

// Two different races in a stripped library, reached from two features: recipe 1 dropped every
// unnamed frame and gave both the bare kind as key (so a suppression for one hid the other).
TEST(FingerprintV2, UnnamedLibraryFramesNeverMergeTwoBugs) {
  // jansson's lazily seeded hash (harmless) and an unlocked shared object (real), both inside
  // json_loads's unnamed helpers: recipe 1 kept only "json_loads" of either stack.
  auto race = [](std::string feature, int unnamed, std::string lib) {
    model::Finding f;
    f.kind = "race.data";
    for (int i = 0; i < unnamed; ++i) f.stack.push_back({"", "", 0, "/usr/lib/x86_64-linux-gnu/" + lib});
    f.stack.push_back({"json_loads", "", 0, "/usr/lib/x86_64-linux-gnu/" + lib});
    f.stack.push_back({feature, "/s.yaml", 4, "/out/build/s/plain/driver"});
    f.stack.push_back({"sohound_body_thread", "", 0, "/out/driver"});
    return f;
  };
  const auto seed = race("feature_lazy_seed()", 3, "libjansson.so.4.14.0");
  const auto shared = race("feature_shared_object()", 1, "libjansson.so.4.14.0");
  EXPECT_EQ(fingerprint_v1(seed), fingerprint_v1(shared)) << "the collision recipe 1 had";
  EXPECT_NE(fingerprint(seed), fingerprint(shared));
  EXPECT_EQ(fingerprint_frames(seed.stack), (std::vector<std::string>{"?@libjansson.so", "json_loads", "feature_lazy_seed"}));
  // Another library, same feature: another bug.
  EXPECT_NE(fingerprint(seed), fingerprint(race("feature_lazy_seed()", 3, "libother.so.1")));
  // The same bug in a later build of the library (another version suffix), and at other lines.
  auto later = race("feature_lazy_seed()", 3, "libjansson.so.4.15.0");
  later.stack[4].line = 90;
  EXPECT_EQ(fingerprint(seed), fingerprint(later));
}

TEST(FingerprintV2, UnnamedFramesKeepTheirPlaceAmongNamedOnes) {
  std::vector<Frame> a = {{"", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"},
                          {"", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"},
                          {"YAML::Parser::ParseDirectives()", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"},
                          {"feature_load()", "/s.yaml", 3, "/out/driver"}};
  a.insert(a.begin() + 3, {"YAML::Load(char const*)", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"});
  EXPECT_EQ(fingerprint_frames(a), (std::vector<std::string>{"?@libyaml-cpp.so", "YAML::Parser::ParseDirectives", "YAML::Load"}))
      << "a run of unnamed frames in one object counts once; two named frames need no feature frame";
  auto b = a;
  b[4].function = "feature_other()";
  EXPECT_EQ(fingerprint("race.data", a), fingerprint("race.data", b)) << "one library bug reached from two features";
  // TSan's "<null>" and Valgrind's "???" are unnamed too; the tools' own objects are not the bug.
  const std::vector<Frame> tsan = {{"<null>", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"},
                                   {"", "", 0, "/usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so"},
                                   {"YAML::Parser::ParseDirectives", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"},
                                   {"YAML::Load", "", 0, "/usr/lib/libyaml-cpp.so.0.7.0"}};
  EXPECT_EQ(fingerprint_frames(tsan), fingerprint_frames(a));
}

TEST(FingerprintV2, RecipeOneIsKeptForOldBaselines) {
  // Pinned: the value sohound.fp/1 gave this leak, as baselines written before recipe 2 hold it.
  model::Finding leak;
  leak.kind = "leak.definite";
  leak.stack = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"},
                {"", "", 0, "/usr/lib/libfoo.so.1"},
                {"make_label", "/a/lib.c", 10, "/a/lib.so"},
                {"feature_one", "/a/s.yaml", 3, "/a/driver"}};
  EXPECT_EQ(fingerprint_v1(leak), util::to_hex(util::fnv1a64("sohound.fp/1\nleak.definite\nmake_label")));
  EXPECT_NE(fingerprint(leak), fingerprint_v1(leak));
}

// The same clone or lambda reads the same from GNU's demangler (Valgrind) and LLVM's (the
// sanitizers' symbolizer), so one bug keeps one key from either compiler and tool.
TEST(Fingerprint, ClonesAndLambdasNormaliseTheSameFromEveryDemangler) {
  EXPECT_EQ(normalize_function("count_to(int) (.resume)"), "count_to");
  EXPECT_EQ(normalize_function("count_to(int) [clone .resume]"), "count_to");
  EXPECT_EQ(normalize_function("count_to(count_to(int)::_Z8count_toi.Frame*) [clone .actor]"), "count_to");
  EXPECT_EQ(normalize_function("f(int) [clone .constprop.0] [clone .isra.0]"), "f");
  EXPECT_EQ(normalize_function("f(int) (.isra.0)"), "f");
  EXPECT_EQ(normalize_function("operator()(int) const"), "operator()");
  // Lambdas as LLVM's demangler writes them (Clang's sanitizers) read as GNU's (Valgrind).
  EXPECT_EQ(normalize_function("on_new_thread::await_suspend(std::coroutine_handle<void>)::'lambda'()::operator()() const"),
            normalize_function("on_new_thread::await_suspend(std::coroutine_handle<void>)::{lambda()#1}::operator()() const"));
  EXPECT_EQ(normalize_function("run()::'lambda0'(int)::operator()(int) const"), "run()::{lambda(int)#2}::operator()");
  EXPECT_EQ(normalize_function("f(char const*, 'lambda"), "f(char const*, 'lambda") << "cut short: left alone";
}

}  // namespace
}  // namespace harness::aggregate
