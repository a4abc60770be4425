#include "harness/util/files.hpp"

#include "harness/testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace harness::util {
namespace {

TEST(Files, CapFileKeepsBothEndsAndSaysHowLargeItWas) {
  const testing::TempDir dir("sohound-files");
  const auto path = dir / "cap";
  ASSERT_TRUE(write_file(path, std::string(1000, 'a') + std::string(1000, 'b')));
  EXPECT_EQ(cap_file(path, 10, 5), 2000u);
  EXPECT_EQ(read_file_or_empty(path), "aaaaaaaaaa\n[... 1985 bytes cut ...]\nbbbbb");
  EXPECT_EQ(cap_file(path, 1000, 1000), 0u) << "short files are left alone";
}

TEST(Files, AtomicFileLeavesTheOldFileWhenNotCommitted) {
  const testing::TempDir dir("sohound-files");
  const auto path = dir / "atomic";
  ASSERT_TRUE(write_file(path, "old"));
  {
    AtomicFile file(path);
    file.stream() << "half of a new";
  }
  EXPECT_EQ(read_file_or_empty(path), "old");
  {
    AtomicFile file(path);
    file.stream() << "new";
    EXPECT_TRUE(file.commit());
  }
  EXPECT_EQ(read_file_or_empty(path), "new");
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().string().find(path + ".tmp-"), std::string::npos) << "no temporary file left";
}

}  // namespace
}  // namespace harness::util
