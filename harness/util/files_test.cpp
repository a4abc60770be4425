#include "harness/util/files.hpp"

#include "harness/testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace harness::util {
namespace {

TEST(Files, OpenRegularFileRefusesWhatBlocksOrNeverEnds) {
  testing::TempDir tmp{"sohound-open-regular"};
  const auto file = (tmp.path() / "a.h").string();
  write_file(file, "int a;\n");
  const int fd = open_regular_file(file);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const auto fifo = (tmp.path() / "pipe.h").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string why;
  EXPECT_EQ(open_regular_file(fifo, &why), -1) << "a FIFO with no writer would block a reader for ever";
  EXPECT_EQ(why, "not a regular file");
  EXPECT_EQ(open_regular_file("/proc/kmsg", &why), -1);
  EXPECT_EQ(open_regular_file("/proc/self/status", &why), -1);
  EXPECT_EQ(why, "a kernel file system's file");
  EXPECT_EQ(open_regular_file("/dev/zero", &why), -1);
  EXPECT_EQ(open_regular_file((tmp.path() / "missing").string(), &why), -1);
  EXPECT_EQ(why, "No such file or directory");
}

TEST(Files, CapFileKeepsBothEndsAndSaysHowLargeItWas) {
  const testing::TempDir dir("sohound-files");
  const auto path = dir / "cap";
  ASSERT_TRUE(write_file(path, std::string(1000, 'a') + std::string(1000, 'b')));
  EXPECT_EQ(cap_file(path, 10, 5), 2000u);
  EXPECT_EQ(read_file_or_empty(path), "aaaaaaaaaa\n[... 1985 bytes cut ...]\nbbbbb");
  EXPECT_EQ(cap_file(path, 1000, 1000), 0u) << "short files are left alone";
}

TEST(Files, FindOnPathTakesANameWithASlashAsThatFile) {
  const testing::TempDir dir("sohound-files");
  const auto tool = dir / "cc";
  ASSERT_TRUE(write_file(tool, "#!/bin/sh\n"));
  EXPECT_EQ(find_on_path(tool), "") << "not executable";
  ::chmod(tool.c_str(), 0755);
  EXPECT_EQ(find_on_path(tool), tool);
  EXPECT_EQ(find_on_path(dir.path().string()), "") << "a folder";
  EXPECT_NE(find_on_path("sh"), "");
  EXPECT_EQ(find_on_path("sohound-no-such-program"), "");
}

TEST(Files, UpdateFileReplacesOnlyAFileThatDiffers) {
  const testing::TempDir dir("sohound-files");
  const auto path = dir / "runtime.h";
  const auto inode = [&] {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  };
  ASSERT_TRUE(update_file(path, "one"));  // absent: written
  EXPECT_EQ(read_file_or_empty(path), "one");
  const auto first = inode();
  ASSERT_TRUE(update_file(path, "one"));
  EXPECT_EQ(inode(), first) << "the same text: left as it is";
  ASSERT_TRUE(update_file(path, "two"));  // same size, other bytes
  EXPECT_EQ(read_file_or_empty(path), "two");
  EXPECT_NE(inode(), first);
  ASSERT_TRUE(update_file(path, "three"));
  EXPECT_EQ(read_file_or_empty(path), "three");
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
