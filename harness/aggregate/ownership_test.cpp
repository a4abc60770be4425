// Ownership on real captures (testdata/valgrind/ownership: Helgrind and DRD on Debian 12's
// libcjson 1.7.15, liblmdb 0.9.24 and libarchive 3.6.2, driven by Sohound's generated drivers; paths
// rewritten to /out for the output folder and /src for the spec's folder).
#include "harness/aggregate/ownership.hpp"
#include "harness/aggregate/judge.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

namespace harness::aggregate {
namespace {

model::JobResult judged(const std::string& capture, model::Tool tool, std::vector<std::string> thread_safe = {},
                        bool third_party_fails = false) {
  const auto report = parse::valgrind_xml(testing::testdata("valgrind/ownership/" + capture));
  EXPECT_TRUE(report) << capture;
  model::JobResult job;
  job.tool = tool;
  job.findings = parse::valgrind_findings(*report);
  JudgeContext context;
  context.ownership = OwnershipRules{{"/out", "/src"}, {}, std::move(thread_safe)};
  context.third_party_fails = third_party_fails;
  judge(job, context);
  return job;
}

std::string describe(const model::JobResult& job) {
  std::string out;
  for (const auto& f : job.findings)
    out += std::string(model::to_string(f.status)) + " " + f.message + " | " + f.ownership + "\n";
  return out;
}

std::size_t count(const model::JobResult& job, model::FindingStatus status) {
  std::size_t n = 0;
  for (const auto& f : job.findings) n += f.status == status && f.kind == "race.data";
  return n;
}

// cJSON, one object per thread: cJSON_Parse writes its static global_error, and (DRD) cJSON reads
// glibc's static localeconv() result. Real races, in the library, on static data: third_party.
TEST(Ownership, ALibraryRaceOnItsOwnStaticDataIsThirdParty) {
  for (auto [capture, tool] : {std::pair{"helgrind-cjson_object_per_thread.xml", model::Tool::helgrind},
                               std::pair{"drd-cjson_object_per_thread.xml", model::Tool::drd}}) {
    const auto job = judged(capture, tool);
    ASSERT_FALSE(job.findings.empty()) << capture;
    EXPECT_TRUE(job.passed) << capture << "\n" << describe(job);
    for (const auto& f : job.findings) {
      if (f.kind != "race.data") continue;
      EXPECT_EQ(f.status, model::FindingStatus::third_party) << capture << "\n" << describe(job);
      EXPECT_EQ(f.owner, "libcjson.so.1.7.15");
      EXPECT_NE(f.ownership.find("static data (BSS)"), std::string::npos) << f.ownership;
    }
  }
  // Helgrind names the function; DRD's unnamed frames still name the library.
  const auto helgrind = judged("helgrind-cjson_object_per_thread.xml", model::Tool::helgrind);
  EXPECT_NE(helgrind.findings[0].ownership.find("libcjson.so.1.7.15 (cJSON_ParseWithLengthOpts)"), std::string::npos);
}

// libarchive, one reader per thread: DRD reports an unlocked static of libarchive's own (the shipped
// cxx-library-static-init used to hide the Helgrind side of it).
TEST(Ownership, LibarchiveStaticCounterIsThirdPartyUnderBothTools) {
  for (auto [capture, tool] : {std::pair{"drd-archive_reader_per_thread.xml", model::Tool::drd},
                               std::pair{"helgrind-archive_reader_per_thread.xml", model::Tool::helgrind}}) {
    const auto job = judged(capture, tool);
    EXPECT_TRUE(job.passed) << capture << "\n" << describe(job);
    EXPECT_GE(count(job, model::FindingStatus::third_party), 1u) << capture << "\n" << describe(job);
    for (const auto& f : job.findings)
      if (f.status == model::FindingStatus::third_party) {
        EXPECT_EQ(f.owner, "libarchive.so.13.6.2");
      }
  }
}

// LMDB readers on four threads share one MDB_env: a block mdb_env_create made for the user's code,
// and the lock file LMDB maps. The user's object, so it fails, and says how to declare it.
TEST(Ownership, ASharedLibraryObjectFailsAndSaysHowToDeclareIt) {
  for (auto [capture, tool] :
       {std::pair{"helgrind-lmdb_readers.xml", model::Tool::helgrind}, std::pair{"drd-lmdb_readers.xml", model::Tool::drd}}) {
    const auto job = judged(capture, tool);
    EXPECT_FALSE(job.passed) << capture;
    EXPECT_EQ(count(job, model::FindingStatus::third_party), 0u) << describe(job);
    bool hint = false;
    for (const auto& f : job.findings) hint = hint || f.ownership.find("`thread_safe: [mdb_env_create]`") != std::string::npos;
    EXPECT_TRUE(hint) << describe(job);
  }
}

TEST(Ownership, DeclaredThreadSafeObjectsMakeTheLibrarysRacesThirdParty) {
  for (auto [capture, tool] :
       {std::pair{"helgrind-lmdb_readers.xml", model::Tool::helgrind}, std::pair{"drd-lmdb_readers.xml", model::Tool::drd}}) {
    const auto job = judged(capture, tool, {"mdb_env_create"});
    EXPECT_TRUE(job.passed) << capture << "\n" << describe(job);
    EXPECT_GE(count(job, model::FindingStatus::third_party), 2u) << describe(job);
    for (const auto& f : job.findings)
      if (f.kind == "race.data") {
        EXPECT_EQ(f.owner, "liblmdb.so.0.0.0");
      }
  }
  // A declaration of another library's function covers nothing here.
  EXPECT_FALSE(judged("drd-lmdb_readers.xml", model::Tool::drd, {"cJSON_CreateObject"}).passed);
}

// Controls: two threads adding to one cJSON array (a block cJSON_CreateArray made for the user),
// and a plain race on a global of the user's own code.
TEST(Ownership, ASharedNonThreadSafeObjectAndAUserRaceStillFail) {
  for (auto [capture, tool] : {std::pair{"helgrind-cjson_shared_array_control.xml", model::Tool::helgrind},
                               std::pair{"drd-cjson_shared_array_control.xml", model::Tool::drd},
                               std::pair{"helgrind-user_race_control.xml", model::Tool::helgrind},
                               std::pair{"drd-user_race_control.xml", model::Tool::drd}}) {
    const auto job = judged(capture, tool);
    EXPECT_FALSE(job.passed) << capture;
    EXPECT_EQ(count(job, model::FindingStatus::third_party), 0u) << capture << "\n" << describe(job);
    EXPECT_GE(count(job, model::FindingStatus::new_finding), 1u) << capture;
  }
  const auto array = judged("drd-cjson_shared_array_control.xml", model::Tool::drd);
  EXPECT_NE(array.findings[0].ownership.find("cJSON_CreateArray made for your code"), std::string::npos) << describe(array);
}

TEST(Ownership, PolicyCanMakeThirdPartyRacesFail) {
  const auto job = judged("helgrind-cjson_object_per_thread.xml", model::Tool::helgrind, {}, true);
  EXPECT_FALSE(job.passed);
  ASSERT_FALSE(job.findings.empty());
  EXPECT_EQ(job.findings[0].status, model::FindingStatus::new_finding);
  EXPECT_EQ(job.findings[0].owner, "libcjson.so.1.7.15") << "the owner is still named";
}

TEST(Ownership, WithoutRulesNothingIsClassified) {
  const auto report = parse::valgrind_xml(testing::testdata("valgrind/ownership/helgrind-cjson_object_per_thread.xml"));
  model::JobResult job;
  job.tool = model::Tool::helgrind;
  job.findings = parse::valgrind_findings(*report);
  judge(job, JudgeContext{});
  EXPECT_FALSE(job.passed);
}

model::Frame frame(std::string function, std::string object, std::string file = "") {
  return {std::move(function), std::move(file), 1, std::move(object)};
}

// Evidence the captures above do not have: TSan's objects by file name, a program installed under
// /usr, a heap block the library allocated with no user frame below, a stack cut short.
TEST(Ownership, EdgesOfTheEvidence) {
  OwnershipRules rules{{"/out", "/src"}, {"/usr/bin/tool", "libexample.so"}, {}};
  EXPECT_TRUE(is_own_object("driver", rules)) << "TSan's name for Sohound's driver";
  EXPECT_TRUE(is_own_object("libexample.so", rules)) << "a recipe's library, as TSan names it";
  EXPECT_FALSE(is_own_object("libcjson.so.1", rules));
  EXPECT_TRUE(is_own_object("/usr/bin/tool", rules)) << "the program under test, wherever it is";
  EXPECT_FALSE(is_own_object("/usr/lib/x86_64-linux-gnu/libc.so.6", OwnershipRules{{"/"}, {}, {}}))
      << "a source root of / does not make the system the user's";
  EXPECT_FALSE(is_own_object("/outside/lib.so", rules)) << "a prefix is a folder, not a string";

  model::Finding race;
  race.kind = "race.data";
  race.message = "Possible data race during write of size 4 at 0x1 by thread #3";
  race.stack = {frame("", "/usr/lib/libfoo.so.1"), frame("foo_work", "/usr/lib/libfoo.so.1"),
                frame("feature_x", "/out/build/s/plain/driver")};
  const std::vector<model::Frame> library_thread = {
      frame("malloc", "/usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so"), frame("", "/usr/lib/libfoo.so.1"),
      frame("start_thread", "/usr/lib/libc.so.6"), frame("clone", "/usr/lib/libc.so.6")};
  race.aux_stacks = {{"Address 0x1 is 0 bytes inside a block of size 8 alloc'd", library_thread}};
  auto owner = decide_ownership(race, rules, {race});
  EXPECT_TRUE(owner.third_party) << owner.explanation;
  EXPECT_EQ(owner.library, "libfoo.so.1");
  EXPECT_EQ(owner.function, "foo_work");

  auto cut = race;  // the allocation stack ends before any thread's start: it may hide a user frame
  cut.aux_stacks[0].frames.resize(2);
  EXPECT_FALSE(decide_ownership(cut, rules, {cut}).third_party);

  auto user_access = race;  // the user's own code made the other access
  user_access.aux_stacks.push_back(
      {"This conflicts with a previous read of size 4 by thread #2", {frame("feature_x", "/out/build/s/plain/driver")}});
  EXPECT_FALSE(decide_ownership(user_access, rules, {user_access}).third_party);

  auto tsan = race;  // TSan: objects by file name; a global of the driver is the user's
  tsan.stack = {frame("", "libfoo.so.1"), frame("feature_x", "driver")};
  tsan.aux_stacks = {{"Location is global 'g' of size 4 at 0x1 (driver+0x40)", {}}};
  EXPECT_FALSE(decide_ownership(tsan, rules, {tsan}).third_party);
  tsan.aux_stacks = {{"Location is global 'counter' of size 4 at 0x1 (libfoo.so.1+0x40)", {}}};
  owner = decide_ownership(tsan, rules, {tsan});
  EXPECT_TRUE(owner.third_party);
  EXPECT_NE(owner.explanation.find("the global 'counter' of libfoo.so.1"), std::string::npos) << owner.explanation;

  auto memcpy_by_user = race;  // glibc copying for the user's code: the user's access
  memcpy_by_user.stack = {frame("__memcpy_avx_unaligned_erms", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                          frame("feature_x", "/out/build/s/plain/driver")};
  EXPECT_FALSE(decide_ownership(memcpy_by_user, rules, {memcpy_by_user}).third_party);

  model::Finding leak;
  leak.kind = "leak.definite";
  leak.stack = race.stack;
  EXPECT_FALSE(decide_ownership(leak, rules, {leak}).third_party) << "races only";
}

}  // namespace
}  // namespace harness::aggregate
