#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace harness::util {
namespace {

TEST(Text, SanitizeUtf8ReplacesInvalidSequencesOnly) {
  EXPECT_EQ(sanitize_utf8("plain"), "plain");
  EXPECT_EQ(sanitize_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(sanitize_utf8("a\xFFz"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(sanitize_utf8("\xC3"), "\xEF\xBF\xBD") << "truncated sequence";
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong";
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "surrogate";
  EXPECT_EQ(sanitize_utf8("a\x01\tb", true), "a\xEF\xBF\xBD\tb");
}

TEST(Text, GlobAndDidYouMean) {
  EXPECT_TRUE(glob_match("leak.*", "leak.definite"));
  EXPECT_TRUE(glob_match("*_end", "ex_read_past_end"));
  EXPECT_FALSE(glob_match("leak.?", "leak.definite"));
  EXPECT_EQ(closest_match("timout", {"timeout", "threads"}), "timeout");
  EXPECT_EQ(closest_match("zzz", {"timeout", "env"}), "");
}

TEST(Text, ShellQuoteRoundTripsThroughSh) {
  EXPECT_EQ(shell_quote("plain-arg_1.c"), "plain-arg_1.c");
  EXPECT_EQ(shell_quote("it's here"), "'it'\\''s here'");
  EXPECT_EQ(shell_quote(""), "''");
}

}  // namespace
}  // namespace harness::util

namespace harness::util {
namespace {

TEST(ReadFileEnds, WholeFileWhenShortHeadAndTailWhenLong) {
  const auto path = std::filesystem::temp_directory_path() / ("sohound-ends-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << "0123456789";
  EXPECT_EQ(read_file_ends(path.string(), 4, 6), "0123456789");
  EXPECT_EQ(read_file_ends(path.string(), 3, 2), "012\n[... 5 bytes cut ...]\n89");
  EXPECT_EQ(read_file_ends(path.string(), 0, 2), "[... 8 bytes cut ...]\n89");
  EXPECT_EQ(read_file_ends(path.string(), 4, 0), "0123\n[... 6 bytes cut ...]\n");
  std::filesystem::remove(path);
  EXPECT_EQ(read_file_ends(path.string(), 4, 4), "");
}

}  // namespace
}  // namespace harness::util
