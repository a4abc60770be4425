#include "harness/exec/result_cache.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace harness::exec {
namespace {

model::JobResult job_with_texts(const std::string& feature) {
  model::JobResult job;
  job.suite = "s";
  job.feature = feature;
  job.tool = model::Tool::memcheck;
  // The three texts kept beside the JSON: any bytes, newlines and digits included.
  job.driver_source = "/* " + feature + " */\n#include <a.h>\n12 34 56\n";
  job.build_command = "gcc -c a.c -o a.o\ngcc a.o -o driver\n";
  job.run_command = "cd /x && valgrind -- ./driver " + feature + "\n";
  return job;
}

TEST(ResultCacheEntry, TheLongTextsRoundTripBesideTheJson) {
  const std::string key(k_cache_mac_key_bytes, 'k');
  auto job = job_with_texts("f1");
  job.message = "3 4 5\nnot a length line";
  const auto back = decode_entry("abc", encode_entry("abc", job, key), key);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->driver_source, job.driver_source);
  EXPECT_EQ(back->build_command, job.build_command);
  EXPECT_EQ(back->run_command, job.run_command);
  EXPECT_EQ(back->message, job.message);
  EXPECT_EQ(back->feature, "f1");

  model::JobResult empty;
  empty.feature = "f2";
  const auto none = decode_entry("abc", encode_entry("abc", empty, key), key);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->driver_source, "");
  EXPECT_EQ(none->run_command, "");
}

// The lengths are signed with the rest: an entry whose lengths move bytes from one text to another
// (or past the end) is refused.
TEST(ResultCacheEntry, AnEntryWithOtherLengthsIsRefused) {
  const std::string key(k_cache_mac_key_bytes, 'k');
  const auto text = encode_entry("abc", job_with_texts("f1"), key);
  const auto header_end = text.find('\n');
  const auto lengths_end = text.find('\n', header_end + 1);
  ASSERT_NE(lengths_end, std::string::npos);
  auto moved = text;
  moved.replace(header_end + 1, lengths_end - header_end - 1, "30 40 42");
  EXPECT_FALSE(decode_entry("abc", moved, key));
  auto past = text;
  past.replace(header_end + 1, lengths_end - header_end - 1, "999999 0 0");
  EXPECT_FALSE(decode_entry("abc", past, key));
}

TEST(ResultCache, LoadAllReadsEveryEntryInOrderOnSeveralThreads) {
  harness::testing::TempDir tmp{"sohound-cache"};
  ResultCache cache(tmp / "cache");
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) {
    keys.push_back(Hasher().add(std::to_string(i)).hex());
    if (i % 7 != 0) cache.store(keys.back(), job_with_texts("f" + std::to_string(i)));  // every 7th: a miss
  }
  keys.push_back("");  // no key: a miss
  // One damaged entry: refused and counted, the others still read.
  const auto damaged = tmp / "cache/v2/jobs/" + keys[1].substr(0, 2) + "/" + keys[1];
  util::write_file(damaged, util::read_file_or_empty(damaged) + "x");

  ResultCache reader(tmp / "cache");
  const auto found = reader.load_all(keys, 4);
  ASSERT_EQ(found.size(), keys.size());
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE(i);
    if (i % 7 == 0 || i == 1) {
      EXPECT_FALSE(found[i]);
      continue;
    }
    ASSERT_TRUE(found[i]);
    EXPECT_EQ(found[i]->feature, "f" + std::to_string(i));
    EXPECT_EQ(found[i]->run_command, job_with_texts("f" + std::to_string(i)).run_command);
  }
  EXPECT_FALSE(found.back());
  EXPECT_EQ(reader.damaged(), 1u);
  // The same as one at a time.
  for (int i : {2, 3, 150, 299}) EXPECT_EQ(reader.load(keys[i])->feature, found[i]->feature);
}

}  // namespace
}  // namespace harness::exec
