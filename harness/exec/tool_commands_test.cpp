#include "harness/exec/tool_commands.hpp"

#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace harness::exec {
namespace {

using model::Tool;

HostFacts host(bool without_aslr) {
  HostFacts facts;
  facts.without_aslr = without_aslr;
  facts.valgrind = "/opt/valgrind/bin/valgrind";
  return facts;
}

TEST(ToolCommand, ShadowMemorySanitizersStartWithoutAddressRandomisationWhenAsked) {
  for (const auto tool : {Tool::asan, Tool::tsan}) {
    const auto command = tool_command(tool, "/d/driver", "/d/job", host(true));
    ASSERT_EQ(command.argv.size(), 3u);
    EXPECT_EQ(command.argv[0], "setarch");
    EXPECT_EQ(command.argv[1], "-R");
    EXPECT_EQ(command.argv[2], "/d/driver");
    EXPECT_EQ(tool_command(tool, "/d/driver", "/d/job", host(false)).argv, std::vector<std::string>{"/d/driver"});
  }
}

TEST(ToolCommand, UbsanAndValgrindKeepTheirCommandWhateverTheAslrSetting) {
  EXPECT_EQ(tool_command(Tool::ubsan, "/d/driver", "/d/job", host(true)).argv, std::vector<std::string>{"/d/driver"});
  for (const auto tool : {Tool::memcheck, Tool::helgrind, Tool::drd}) {
    const auto argv = tool_command(tool, "/d/driver", "/d/job", host(true)).argv;
    EXPECT_EQ(argv.front(), "/opt/valgrind/bin/valgrind") << "the machine's valgrind, from its facts";
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "setarch"), 0);
    EXPECT_EQ(argv.back(), "/d/driver");
  }
}

}  // namespace
}  // namespace harness::exec

namespace harness::exec {
namespace {

TEST(CxxSyncFlags, OnlyCxxOfThePlainFlavourGetsTheHappensBeforeHooks) {
  const auto flags = cxx_sync_flags(model::Flavour::plain, model::Language::cxx);
  EXPECT_NE(std::find(flags.begin(), flags.end(), "-D_GLIBCXX_TSAN=1"), flags.end());
  EXPECT_NE(std::find(flags.begin(), flags.end(), "valgrind/helgrind.h"), flags.end());
  EXPECT_TRUE(cxx_sync_flags(model::Flavour::plain, model::Language::c).empty());
  EXPECT_TRUE(cxx_sync_flags(model::Flavour::tsan, model::Language::cxx).empty());
}

}  // namespace
}  // namespace harness::exec

#include "harness/exec/build_commands.hpp"

namespace harness::exec {
namespace {

// The machine's facts are read in one place and only there: a setting the environment gives is in
// them, and the risk note follows from them alone.
TEST(HostFacts, TheEnvironmentsSettingsAreReadOnceIntoTheFacts) {
  ::setenv("SOHOUND_CCACHE", "0", 1);
  ::setenv("SOHOUND_NO_ASLR", "0", 1);
  ::setenv("SOHOUND_VALGRIND", "/opt/vg/bin/valgrind", 1);
  const auto facts = read_host_facts();
  ::unsetenv("SOHOUND_CCACHE");
  ::unsetenv("SOHOUND_NO_ASLR");
  ::unsetenv("SOHOUND_VALGRIND");
  EXPECT_TRUE(facts.compiler_launcher.empty());
  EXPECT_FALSE(facts.without_aslr);
  EXPECT_EQ(facts.aslr_off_reason, "turned off by SOHOUND_NO_ASLR=0");
  EXPECT_EQ(facts.valgrind, "/opt/vg/bin/valgrind");
  EXPECT_EQ(read_host_facts().valgrind, "valgrind");

  HostFacts risky;
  risky.mmap_rnd_bits = 32;
  risky.aslr_off_reason = "not installed";
  EXPECT_EQ(sanitizer_start_risk(risky),
            "this kernel randomises mmap with 32 bits (vm.mmap_rnd_bits) and Sohound could not start the driver without "
            "address randomisation here (setarch -R: not installed), so this runtime may fail to start or hang; sysctl "
            "vm.mmap_rnd_bits=28 avoids it");
  risky.without_aslr = true;
  EXPECT_EQ(sanitizer_start_risk(risky), "");
  risky = {};
  risky.mmap_rnd_bits = 28;
  EXPECT_EQ(sanitizer_start_risk(risky), "");
}

// A program under a sanitizer reports through Sohound's channel library, preloaded ahead of the
// user's own preloads; ASan leaves its exit-time check to it. Valgrind tools get none of this.
TEST(ProgramCommand, ASanitizerRunPreloadsTheChannelLibraryAheadOfTheUsers) {
  model::ProgramSpec program;
  program.argv = {"/p/test", "--fast"};
  program.builds[model::Flavour::asan] = "/p/test-asan";
  const auto asan =
      program_command(Tool::asan, program, "/j", {{"LD_PRELOAD", "/u/libmine.so"}}, host(false), "", "/x/libsohound-channel.so");
  EXPECT_EQ(asan.argv, (std::vector<std::string>{"/p/test-asan", "--fast"}));
  EXPECT_EQ(asan.env.at("LD_PRELOAD"), "/x/libsohound-channel.so:/u/libmine.so");
  EXPECT_EQ(asan.env.at("SOHOUND_REPORT_FILE"), "/j/asan.report");
  EXPECT_EQ(asan.env.at("SOHOUND_TOOL"), "asan");
  const auto& options = asan.env.at("ASAN_OPTIONS");
  EXPECT_NE(options.find(":verify_asan_link_order=0:leak_check_at_exit=0"), std::string::npos) << options;
  const auto memcheck = program_command(Tool::memcheck, program, "/j", {}, host(false), "", "/x/libsohound-channel.so");
  EXPECT_EQ(memcheck.env.count("LD_PRELOAD"), 0u);
  EXPECT_EQ(memcheck.env.count("SOHOUND_REPORT_FILE"), 0u);
}

}  // namespace
}  // namespace harness::exec

#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

namespace harness::exec {
namespace {

// A tool's facts are in its row (model/tool.cpp): which native suppression files it reads and where
// they go, asked by the command builders and the cache keys alike.
TEST(ToolRows, NativeSuppressionsGoWhereTheToolsRowSays) {
  EXPECT_EQ(model::native_suppression_keys(Tool::asan), std::vector<std::string_view>{"lsan"});
  EXPECT_EQ(model::native_suppression_keys(Tool::drd), (std::vector<std::string_view>{"valgrind", "drd"}));
  testing::TempDir dir{"sohound-native-supp"};
  const auto lsan = (dir.path() / "mine.lsan").string();
  const auto vg = (dir.path() / "mine.supp").string();
  util::write_file(lsan, "leak:my_cache_init\n");
  util::write_file(vg, "{\n x\n Memcheck:Leak\n fun:malloc\n}\n");
  model::SuiteSpec suite;
  suite.native_suppressions = {{"lsan", {lsan}}, {"valgrind", {vg}}};
  auto asan = tool_command(Tool::asan, "/d/driver", "/d/job", host(false));
  const auto written = add_native_suppressions(suite, Tool::asan, asan, "/d/job");
  ASSERT_EQ(written.count("/d/job/lsan.supp"), 1u);
  EXPECT_NE(written.at("/d/job/lsan.supp").find("leak:my_cache_init"), std::string::npos);
  EXPECT_NE(asan.env.at("LSAN_OPTIONS").find("suppressions=/d/job/lsan.supp"), std::string::npos);
  auto memcheck = tool_command(Tool::memcheck, "/d/driver", "/d/job", host(false));
  EXPECT_TRUE(add_native_suppressions(suite, Tool::memcheck, memcheck, "/d/job").empty());
  EXPECT_NE(std::find(memcheck.argv.begin(), memcheck.argv.end(), "--suppressions=" + vg), memcheck.argv.end());
  auto tsan = tool_command(Tool::tsan, "/d/driver", "/d/job", host(false));
  EXPECT_TRUE(add_native_suppressions(suite, Tool::tsan, tsan, "/d/job").empty());
  EXPECT_EQ(tsan.env.at("TSAN_OPTIONS").find("suppressions="), std::string::npos);
  // The flavour rows: compile flags and the -fsanitize= name that messages and --help give.
  EXPECT_EQ(flavour_flags(model::Flavour::asan), (std::vector<std::string>{"-fsanitize=address", "-fsanitize-recover=address"}));
  // Clang 14 cannot build a coroutine with its function sanitizer: left out for C++ only.
  EXPECT_EQ(compiler_workaround_flags(model::Compiler::clang, model::Flavour::ubsan, model::Language::cxx),
            (std::vector<std::string>{"-fno-sanitize=function"}));
  EXPECT_TRUE(compiler_workaround_flags(model::Compiler::clang, model::Flavour::ubsan, model::Language::c).empty());
  EXPECT_TRUE(compiler_workaround_flags(model::Compiler::gcc, model::Flavour::ubsan, model::Language::cxx).empty());
  EXPECT_EQ(model::info(model::Flavour::ubsan).sanitize, "undefined");
  EXPECT_TRUE(model::info(Tool::tsan).shadow_memory);
  EXPECT_FALSE(model::info(Tool::ubsan).shadow_memory);
}

// Origins on demand: memcheck starts without --track-origins; track_origins adds it once, before
// the program; only memcheck findings of uninitialised values ask for it (a real capture).
TEST(ToolCommand, OriginsAreTrackedOnlyWhereAnUninitialisedValueWasSeen) {
  auto memcheck = tool_command(Tool::memcheck, "/d/driver", "/d/job", host(false));
  EXPECT_EQ(std::count(memcheck.argv.begin(), memcheck.argv.end(), "--track-origins=yes"), 0);
  track_origins(memcheck);
  track_origins(memcheck);
  EXPECT_EQ(std::count(memcheck.argv.begin(), memcheck.argv.end(), "--track-origins=yes"), 1);
  const auto at = std::find(memcheck.argv.begin(), memcheck.argv.end(), "--track-origins=yes");
  EXPECT_EQ(*std::find(at, memcheck.argv.end(), "--"), "--");
  EXPECT_EQ(memcheck.argv.back(), "/d/driver");
  auto helgrind = tool_command(Tool::helgrind, "/d/driver", "/d/job", host(false));
  const auto before = helgrind.argv;
  track_origins(helgrind);
  EXPECT_EQ(helgrind.argv, before);

  model::JobResult job;
  job.tool = Tool::memcheck;
  const auto parsed = parse::valgrind_xml(harness::testing::testdata("valgrind/memcheck-memerr-trackfds.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  for (const auto& error : parsed->errors) job.findings.push_back(parse::valgrind_finding("memcheck", error, parsed->pid));
  ASSERT_TRUE(std::any_of(job.findings.begin(), job.findings.end(), [](const auto& f) { return f.kind == "mem.uninit"; }));
  EXPECT_TRUE(needs_origins(job));
  std::erase_if(job.findings, [](const model::Finding& f) { return f.kind == "mem.uninit"; });
  EXPECT_FALSE(needs_origins(job)) << "only an uninitialised value asks for origins";
  model::Finding syscall;
  syscall.tool_kind = "SyscallParam";
  syscall.message = "Syscall param write(buf) points to uninitialised byte(s)";
  job.findings.push_back(syscall);
  EXPECT_TRUE(needs_origins(job));
  job.tool = Tool::helgrind;
  EXPECT_FALSE(needs_origins(job));
}

}  // namespace
}  // namespace harness::exec
