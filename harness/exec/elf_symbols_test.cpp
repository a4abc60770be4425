#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/host_facts.hpp"
#include "harness/util/capture.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace harness::exec {
namespace {

// Real files of every Debian 12 system (coreutils, zlib1g).
TEST(ElfSymbols, ADynamicExecutableNamesItsLoaderAndTheLibrariesItLoads) {
  EXPECT_EQ(program_interpreter("/bin/ls"), "/lib64/ld-linux-x86-64.so.2");
  const auto command = loader_listing_command("/bin/ls");
  ASSERT_EQ(command.argv, (std::vector<std::string>{"/lib64/ld-linux-x86-64.so.2", "--list", "/bin/ls"}));
  const auto libs = parse_loader_listing(util::capture(command.argv).value_or(""));
  EXPECT_TRUE(std::any_of(libs.begin(), libs.end(), [](const std::string& l) { return l.ends_with("/libc.so.6"); }))
      << ::testing::PrintToString(libs);
  for (const auto& l : libs) EXPECT_EQ(l.front(), '/') << l;
  EXPECT_EQ(program_interpreter("/etc/hostname"), "");  // not ELF
  EXPECT_TRUE(loader_listing_command("/etc/hostname").argv.empty());
  EXPECT_EQ(parse_loader_listing("\tlinux-vdso.so.1 (0x00007ffd)\n\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x7f)\n"
                                 "\t/lib64/ld-linux-x86-64.so.2 (0x7f)\n\tlibgone.so => not found\n"),
            (std::vector<std::string>{"/lib/x86_64-linux-gnu/libz.so.1", "/lib64/ld-linux-x86-64.so.2"}));
}

TEST(ElfSymbols, ASharedLibraryExportsItsFunctionsOnceEach) {
  auto functions = exported_functions("/lib/x86_64-linux-gnu/libz.so.1");
  ASSERT_TRUE(functions) << functions.error().message;
  for (const char* f : {"deflate", "inflateEnd", "gzopen", "zlibVersion"})
    EXPECT_TRUE(std::binary_search(functions->begin(), functions->end(), f)) << f;
  EXPECT_TRUE(std::adjacent_find(functions->begin(), functions->end()) == functions->end());
  EXPECT_FALSE(exported_functions("/etc/hostname"));
}

}  // namespace
}  // namespace harness::exec

namespace harness::exec {
namespace {

// The build ID that tells one build of Sohound from another (part of every cache key): the same
// one readelf shows, and none for a file that is not ELF.
TEST(ElfSymbols, BuildIdIsTheNoteReadelfShows) {
  const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
  const auto id = build_id(self);
  ASSERT_EQ(id.size(), 40u) << self;  // SHA-1, Debian's linker default
  const auto notes = util::capture({"readelf", "-n", self}).value_or("");
  EXPECT_NE(notes.find("Build ID: " + id), std::string::npos) << notes;
  EXPECT_EQ(build_id("/etc/hostname"), "");
  EXPECT_EQ(build_id("/nonexistent"), "");
}

}  // namespace
}  // namespace harness::exec

#include "harness/testing/temp_dir.hpp"

#include <fstream>

namespace harness::exec {
namespace {

// A program of the user's under a sanitizer needs the channel's proof; a script or a plain program
// that started none ran nothing under the tool. GCC imports the runtime, Clang links it in.
// The loader's clock words come from its separate debug file (libc6-dbg, which Valgrind needs here
// and ci/setup.sh installs), named with the loader's build ID; no debug file, no words.
TEST(ElfSymbols, TheLoadersClockWordsAreFoundInItsDebugFileByBuildId) {
  const std::string loader = "/lib64/ld-linux-x86-64.so.2";
  const auto id = build_id(loader);
  ASSERT_EQ(id.size(), 40u);
  const auto debug = "/usr/lib/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  const auto words = data_symbols(debug, {"relocate_time", "load_time", "start_time", "no_such_word"});
  ASSERT_EQ(words.size(), 3u) << debug;
  std::string expected = id + " ";
  for (const auto& w : words) {
    EXPECT_EQ(w.size, 8u) << w.name;
    EXPECT_GT(w.value, 0u) << w.name;
    expected += (expected.back() == ' ' ? "" : ",") + fmt::format("{:x}:8", w.value);
  }
  EXPECT_EQ(loader_clocks(loader), expected);
  EXPECT_EQ(loader_clocks(loader, "/nonexistent"), "");
  EXPECT_EQ(loader_clocks("/etc/hostname"), "");
  EXPECT_EQ(loader_clocks(""), "");
  EXPECT_TRUE(data_symbols("/etc/hostname", {"start_time"}).empty());
}

TEST(ElfSymbols, ASanitizerBuildIsToldFromAPlainOneAndFromAScript) {
  testing::TempDir dir{"sohound-elf-sanitizer"};
  const auto source = (dir.path() / "main.c").string();
  std::ofstream(source) << "int main(int argc, char** argv) { (void)argv; return argc + 1; }\n";
  for (const std::string compiler : {"gcc", "clang"}) {
    for (const std::string flag : {"-fsanitize=address", "-fsanitize=thread", "-fsanitize=undefined", ""}) {
      const auto out = (dir.path() / (compiler + flag)).string();
      std::vector<std::string> argv = {compiler, source, "-o", out};
      if (!flag.empty()) argv.push_back(flag);
      ASSERT_TRUE(util::capture(argv)) << compiler << " " << flag;
      EXPECT_EQ(uses_sanitizer_runtime(out), !flag.empty()) << compiler << " " << flag;
    }
  }
  EXPECT_FALSE(uses_sanitizer_runtime("/bin/sh"));
  EXPECT_FALSE(uses_sanitizer_runtime("/etc/hostname"));
  EXPECT_FALSE(uses_sanitizer_runtime("/nonexistent"));
}

}  // namespace
}  // namespace harness::exec
