#include "harness/exec/slim_debug.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/testing/testdata.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace harness::exec {
namespace {

namespace fs = std::filesystem;

TEST(SlimDebug, PatternsThatMatchAlikeWithInlinedFramesPutBack) {
  // Objects: the top frame's object is the same, and a frame's callees share its object.
  EXPECT_TRUE(matches_alike({"obj:*/lib*/libc.so.6"}));
  EXPECT_TRUE(matches_alike({"obj:*/lib*/ld*.so*", "obj:*/lib*/ld*.so*", "obj:*/lib*/ld*.so*"}));
  EXPECT_TRUE(matches_alike({"...", "obj:*/libc.so*", "...", "obj:/usr/bin/prog"}));
  // Functions after "...": the callees put back before a frame are taken in by it.
  EXPECT_TRUE(matches_alike({"...", "fun:allocate_dtv", "...", "fun:pthread_create*"}));
  EXPECT_TRUE(matches_alike({"obj:*/libc.so*", "...", "fun:main"}));
  EXPECT_TRUE(matches_alike({}));

  // A function at the top: with the DWARF the top may be a callee inlined into it.
  EXPECT_FALSE(matches_alike({"fun:malloc", "..."}));
  // Right after another frame's line: a callee put back between them breaks the sequence.
  EXPECT_FALSE(matches_alike({"...", "fun:a", "fun:b"}));
  EXPECT_FALSE(matches_alike({"obj:*/libc.so*", "fun:b"}));
  EXPECT_FALSE(matches_alike({"obj:*/libc.so*", "obj:*/libstdc++.so*"}));
  EXPECT_FALSE(matches_alike({"...", "src:malloc.c:42"}));
}

TEST(SlimDebug, AFilesSuppressionsAreReadByName) {
  const auto alike = suppressions_matching_alike(R"(# comment
{
   by-object
   Helgrind:Race
   obj:*/lib*/libc.so.6
}
{
   leak-with-kinds
   Memcheck:Leak
   match-leak-kinds: possible
   ...
   fun:allocate_dtv
   ...
   fun:pthread_create*
}
{
   syscall-param
   Memcheck:Param
   write(buf)
   fun:write
   fun:caller
}
{
   twice
   Memcheck:Cond
   obj:*/libc.so*
}
{
   twice
   Memcheck:Cond
   fun:strlen
}
)");
  EXPECT_EQ(alike, (std::map<std::string, bool>{
                       {"by-object", true}, {"leak-with-kinds", true}, {"syscall-param", false}, {"twice", false}}));
}

TEST(SlimDebug, ValgrindsOwnSuppressionsAreFoundAndRead) {
  const auto file = valgrind_default_suppressions();
  ASSERT_FALSE(file.empty()) << "ci/setup.sh installs valgrind";
  const auto alike = suppressions_matching_alike(util::read_file_or_empty(file));
  ASSERT_GT(alike.size(), 50u);
  // Those every threaded program under helgrind and drd matches here (by object only).
  EXPECT_TRUE(alike.at("helgrind-glibc2X-005"));
  EXPECT_TRUE(alike.at("drd-ld"));
}

model::JobResult job_with_frame(const std::string& object) {
  model::JobResult job;
  model::Finding finding;
  finding.kind = "leak.definite";
  finding.stack = {{"malloc", "", 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"}, {"f", "/src/f.c", 3, object}};
  job.findings.push_back(finding);
  return job;
}

TEST(SlimDebug, AResultStandsUnlessItNamesTheSlimLibrariesOrASuppressionMightNotMatch) {
  const std::vector<std::string> slimmed = {"/lib/x86_64-linux-gnu/libc.so.6"};
  ASSERT_TRUE(fs::exists(slimmed.front()));
  EXPECT_EQ(why_read_again(model::JobResult{}, slimmed, {}), "");
  EXPECT_EQ(why_read_again(job_with_frame("/usr/lib/libbench.so"), slimmed, {}), "");
  // The C library however its path is spelt (/usr/lib is /lib on a merged-/usr system).
  EXPECT_NE(why_read_again(job_with_frame(fs::canonical(slimmed.front()).string()), slimmed, {}), "");
  auto in_aux = job_with_frame("/usr/lib/libbench.so");
  in_aux.findings[0].aux_stacks.push_back({"Address ...", {{"start_thread", "", 0, slimmed.front()}}});
  EXPECT_NE(why_read_again(in_aux, slimmed, {}), "");
  model::JobResult failed;
  failed.outcome = model::JobOutcome::tool_failed;
  EXPECT_NE(why_read_again(failed, slimmed, {}), "");

  // A real helgrind report whose run matched helgrind-glibc2X-005: stands when that one matches alike.
  testing::TempDir tmp("sohound-slim-debug");
  const auto report = (tmp.path() / "vg.1.xml").string();
  util::write_file(report, testing::testdata("valgrind/helgrind-racy-counter.xml"));
  model::JobResult matched;
  matched.reports = {report};
  EXPECT_EQ(why_read_again(matched, slimmed, {{"helgrind-glibc2X-005", true}}), "");
  EXPECT_NE(why_read_again(matched, slimmed, {{"helgrind-glibc2X-005", false}}), "");
  EXPECT_NE(why_read_again(matched, slimmed, {}), "") << "a suppression of unknown pattern";
}

}  // namespace
}  // namespace harness::exec
