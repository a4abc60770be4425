#include "harness/exec/elf_symbols.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace harness::exec {
namespace {

// Real files of every Debian 12 system (coreutils, zlib1g).
TEST(ElfSymbols, ADynamicExecutableNamesItsLoaderAndTheLibrariesItLoads) {
  EXPECT_EQ(program_interpreter("/bin/ls"), "/lib64/ld-linux-x86-64.so.2");
  const auto libs = loaded_libraries("/bin/ls");
  EXPECT_TRUE(std::any_of(libs.begin(), libs.end(), [](const std::string& l) { return l.ends_with("/libc.so.6"); }))
      << ::testing::PrintToString(libs);
  for (const auto& l : libs) EXPECT_EQ(l.front(), '/') << l;
  EXPECT_EQ(program_interpreter("/etc/hostname"), "");  // not ELF
  EXPECT_TRUE(loaded_libraries("/etc/hostname").empty());
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
