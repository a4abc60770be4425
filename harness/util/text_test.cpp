#include "harness/util/text.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace harness::util {
namespace {

TEST(Text, PrintableShowsControlCharactersInsteadOfPassingThemToTheTerminal) {
  // A cursor-up, erase-line and carriage return that would rewrite a CI log's verdict line.
  EXPECT_EQ(printable("\033[1A\033[2K\r  PASS"), "\\x1b[1A\\x1b[2K\\x0d  PASS");
  EXPECT_EQ(printable("a\tb\x7f"), "a\tb\\x7f");
  EXPECT_EQ(printable("CSI \xc2\x9b"
                      "2J"),
            "CSI \\u009b2J")
      << "a C1 control in UTF-8";
  EXPECT_EQ(printable("two\nlines"), "two\\x0alines");
  EXPECT_EQ(printable("two\nlines", true), "two\nlines");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93") << "other UTF-8 stays";
}

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
