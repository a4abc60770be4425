#include "harness/exec/debug_copies.hpp"

#include "harness/exec/elf_symbols.hpp"
#include "harness/testing/temp_dir.hpp"
#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace harness::exec {
namespace {

namespace fs = std::filesystem;

// The C library this test runs with: its debug file (ci/setup.sh installs libc6-dbg) is listed,
// by its build ID, and a copy made by the command holds the same build ID with nothing compressed.
TEST(DebugCopies, TheCLibrarysDebugFileIsListedAndItsCopyIsDecompressed) {
  const std::string libc = "/lib/x86_64-linux-gnu/libc.so.6";
  ASSERT_TRUE(fs::exists(libc));
  const auto id = build_id(libc);
  ASSERT_EQ(id.size(), 40u);
  const auto files = compressed_runtime_debug_files();
  const auto it = std::find_if(files.begin(), files.end(), [&](const DebugFile& f) { return f.build_id == id; });
  ASSERT_NE(it, files.end()) << "ci/setup.sh installs libc6-dbg";
  EXPECT_EQ(it->path, std::string(k_build_id_debug_dir) + "/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug");
  EXPECT_TRUE(has_compressed_sections(it->path));
  for (const auto& f : files)
    EXPECT_EQ(std::count_if(files.begin(), files.end(), [&](const DebugFile& g) { return g.path == f.path; }), 1);

  testing::TempDir tmp("sohound-debug-copies");
  const auto copy = (tmp.path() / "libc.debug").string();
  const auto command = decompress_command(util::find_on_path("objcopy"), it->path, copy);
  ASSERT_TRUE(util::capture(command.argv)) << "objcopy failed";
  EXPECT_FALSE(has_compressed_sections(copy));
  EXPECT_EQ(build_id(copy), id);
  EXPECT_GT(fs::file_size(copy), fs::file_size(it->path));
}

// Nothing is listed from a folder that holds none of them (a machine without libc6-dbg).
TEST(DebugCopies, NoneWhereThereAreNoDebugFiles) {
  testing::TempDir tmp("sohound-debug-copies");
  EXPECT_TRUE(compressed_runtime_debug_files(tmp.path().string()).empty());
  EXPECT_FALSE(has_compressed_sections("/etc/hostname"));
  EXPECT_FALSE(has_compressed_sections("/bin/ls"));
}

}  // namespace
}  // namespace harness::exec
