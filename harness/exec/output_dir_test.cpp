#include "harness/exec/output_dir.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace harness::exec {
namespace {
namespace fs = std::filesystem;

class OutputDirTest : public ::testing::Test {
 protected:
  std::string at(const std::string& name) const { return m_root / name; }
  testing::TempDir m_root{"sohound-outdir"};
};

TEST_F(OutputDirTest, ANewFolderIsCreatedMarkedAndLocked) {
  auto out = OutputDir::claim(at("new/out"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->path(), at("new/out"));
  EXPECT_TRUE(fs::exists(at("new/out/.sohound-out")));
  bool busy = false;
  auto second = OutputDir::claim(at("new/out"), &busy);
  ASSERT_FALSE(second);
  EXPECT_TRUE(busy);
  EXPECT_NE(second.error().message.find("another Sohound run is writing to --out"), std::string::npos);
}

TEST_F(OutputDirTest, AMarkedFolderIsReusedOnceTheLockIsFree) {
  { ASSERT_TRUE(OutputDir::claim(at("o"))); }
  util::write_file(at("o/results.json"), "{}");
  EXPECT_TRUE(OutputDir::claim(at("o")));
}

TEST_F(OutputDirTest, ARunThatFinishedLeavesNothingForTheNextToLookFor) {
  auto out = OutputDir::claim(at("o"));
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->take_over({}).empty());
  EXPECT_EQ(util::read_file_or_empty(at("o/.sohound-run")), run_token_prefix() + "\n");  // until it finishes
  out->mark_finished();
  EXPECT_EQ(util::read_file_or_empty(at("o/.sohound-run")), "finished\n");
  EXPECT_FALSE(is_dead_run("finished"));  // so take_over looks through no process
  EXPECT_TRUE(out->take_over({}).empty());
}

TEST_F(OutputDirTest, FoldersAndFilesOfTheUsersAreRefused) {
  util::write_file(at("mine/notes.txt"), "keep me");  // fails: no folder yet
  fs::create_directories(at("mine"));
  util::write_file(at("mine/notes.txt"), "keep me");
  util::write_file(at("file"), "x");
  struct Case {
    std::string path, message;
  } cases[] = {
      {at("mine"), "holds files Sohound did not write"},
      {"/", "would write into the root folder"},
      {at("file"), "exists and is not a folder"},
      {at("file/under"), "cannot create it"},
      {"", "--out is empty"},
      {at("q\"uo'te"), "both kinds of quote"},
  };
  for (const auto& c : cases) {
    auto out = OutputDir::claim(c.path);
    ASSERT_FALSE(out) << c.path;
    EXPECT_NE(out.error().message.find(c.message), std::string::npos) << out.error().message;
  }
  EXPECT_EQ(util::read_file_or_empty(at("mine/notes.txt")), "keep me");
  EXPECT_FALSE(fs::exists(at("mine/.sohound-out")));
}

TEST_F(OutputDirTest, AnEmptyFolderOfTheUsersIsTaken) {
  fs::create_directories(at("empty"));
  EXPECT_TRUE(OutputDir::claim(at("empty")));
}

TEST_F(OutputDirTest, RecreateRefusesPathsThatLeaveTheFolderEvenThroughALink) {
  auto out = OutputDir::claim(at("o"));
  ASSERT_TRUE(out);
  fs::create_directories(at("victim/data"));
  util::write_file(at("victim/data/keep.txt"), "x");
  fs::create_directories(at("o/jobs"));
  fs::create_symlink(at("victim"), at("o/jobs/s"));  // a job planted a link to the user's folder
  EXPECT_THROW(out->recreate(at("o/jobs/s/data")), std::runtime_error);
  EXPECT_THROW(out->recreate(at("o/../victim/data")), std::runtime_error);
  EXPECT_THROW(out->recreate(at("o")), std::runtime_error);
  EXPECT_TRUE(fs::exists(at("victim/data/keep.txt")));
  out->recreate(at("o/jobs/t/memcheck"));
  EXPECT_TRUE(fs::is_directory(at("o/jobs/t/memcheck")));
}

}  // namespace
}  // namespace harness::exec
