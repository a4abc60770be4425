#include "harness/exec/cache_prune.hpp"

#include "harness/exec/result_cache.hpp"
#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>

using namespace harness::exec;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A file of `size` bytes last used `age` ago.
void make(const std::string& path, std::size_t size, std::chrono::seconds age) {
  fs::create_directories(fs::path(path).parent_path());
  harness::util::write_file(path, std::string(size, 'x'));
  const auto when = std::chrono::system_clock::now() - age;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
  const struct timespec times[2] = {{ns / 1'000'000'000, ns % 1'000'000'000}, {ns / 1'000'000'000, ns % 1'000'000'000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

}  // namespace

TEST(CacheSize, ReadsSizesAsUsersWriteThem) {
  EXPECT_EQ(parse_cache_size("0"), 0u);
  EXPECT_EQ(parse_cache_size("1048576"), 1048576u);
  EXPECT_EQ(parse_cache_size("750K"), 750u * 1024);
  EXPECT_EQ(parse_cache_size("500M"), 500u << 20);
  EXPECT_EQ(parse_cache_size("2G"), std::uint64_t(2) << 30);
  EXPECT_EQ(parse_cache_size("1.5g"), std::uint64_t(3) << 29);
  EXPECT_EQ(parse_cache_size(""), std::nullopt);
  EXPECT_EQ(parse_cache_size("G"), std::nullopt);
  EXPECT_EQ(parse_cache_size("-1G"), std::nullopt);
  EXPECT_EQ(parse_cache_size("10 GB"), std::nullopt);
  EXPECT_EQ(parse_cache_size("lots"), std::nullopt);
}

TEST(CachePrune, UnderItsBoundTheCacheIsLeftAlone) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  make(dir + "/v2/jobs/ab/abcdabcd", 1000, 3600s);
  make(dir + "/v2/packs/a1b2c3d4e5", 2000, 7200s);
  const auto pruned = prune_cache(dir, 3000, std::chrono::system_clock::now());
  EXPECT_EQ(pruned.files, 2u);
  EXPECT_EQ(pruned.bytes, 3000u);
  EXPECT_EQ(pruned.removed, 0u);
  EXPECT_TRUE(fs::exists(dir + "/v2/packs/a1b2c3d4e5"));
  // No bound: nothing goes, however large.
  EXPECT_EQ(prune_cache(dir, 0, std::chrono::system_clock::now()).removed, 0u);
}

TEST(CachePrune, TheLeastRecentlyUsedGoFirstUntilItFitsWithRoomToSpare) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  make(dir + "/v2/key", 32, 100000s);  // the secret: oldest of all, never removed
  make(dir + "/v2/jobs/aa/aa01aa01", 1000, 5000s);
  make(dir + "/v2/jobs/aa/aa02aa02", 1000, 4000s);
  make(dir + "/v2/manifests/bb/bb01bb01", 1000, 3000s);
  make(dir + "/v2/objects/cc/cc01cc01", 1000, 2000s);
  make(dir + "/v2/packs/a1b2c3d4e5", 1000, 1000s);
  // Not Sohound's names: neither counted nor removed, however old.
  make(dir + "/v2/jobs/notes.txt", 5000, 200000s);
  make(dir + "/v2/photos/0123456789ab", 5000, 200000s);
  // 5,000 bytes against a bound of 4,000: down to 3,200 at most, the two oldest removed.
  const auto pruned = prune_cache(dir, 4000, std::chrono::system_clock::now());
  EXPECT_EQ(pruned.files, 5u);
  EXPECT_EQ(pruned.bytes, 5000u);
  EXPECT_EQ(pruned.removed, 2u);
  EXPECT_EQ(pruned.removed_bytes, 2000u);
  EXPECT_FALSE(fs::exists(dir + "/v2/jobs/aa/aa01aa01"));
  EXPECT_FALSE(fs::exists(dir + "/v2/jobs/aa/aa02aa02"));
  EXPECT_TRUE(fs::exists(dir + "/v2/manifests/bb/bb01bb01"));
  EXPECT_TRUE(fs::exists(dir + "/v2/packs/a1b2c3d4e5"));
  EXPECT_TRUE(fs::exists(dir + "/v2/key"));
  EXPECT_TRUE(fs::exists(dir + "/v2/jobs/notes.txt"));
  EXPECT_TRUE(fs::exists(dir + "/v2/photos/0123456789ab"));
}

TEST(CachePrune, TemporaryFilesOfKilledRunsAreSohounds) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  make(dir + "/v2/jobs/aa/aa01aa01.tmp-123-4", 1000, 5000s);
  make(dir + "/v2/debug/0123abcd.debug.4567.part", 1000, 5000s);
  make(dir + "/v2/debug/0123abcd.debug.tmp-1-2", 1000, 5000s);
  make(dir + "/v2/debug/0123abcd.debugger", 1000, 5000s);   // not a name Sohound gives
  make(dir + "/v2/jobs/aa/aa01aa01.tmp-x-4", 1000, 5000s);  // nor this
  const auto pruned = prune_cache(dir, 100, std::chrono::system_clock::now());
  EXPECT_EQ(pruned.files, 3u);
  EXPECT_EQ(pruned.removed, 3u);
  EXPECT_TRUE(fs::exists(dir + "/v2/debug/0123abcd.debugger"));
  EXPECT_TRUE(fs::exists(dir + "/v2/jobs/aa/aa01aa01.tmp-x-4"));
}

TEST(CachePrune, FilesOfThisRunAndOfRunsBesideItStay) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  make(dir + "/v2/jobs/aa/aa01aa01", 1000, 5000s);
  make(dir + "/v2/jobs/aa/aa02aa02", 1000, 10s);
  make(dir + "/v2/jobs/aa/aa03aa03", 1000, 5s);
  // The run opened the cache 60 s ago: only the first file is older; the cache stays over its bound.
  const auto pruned = prune_cache(dir, 1000, std::chrono::system_clock::now() - 60s);
  EXPECT_EQ(pruned.removed, 1u);
  EXPECT_TRUE(fs::exists(dir + "/v2/jobs/aa/aa02aa02"));
  EXPECT_TRUE(fs::exists(dir + "/v2/jobs/aa/aa03aa03"));
}

// A decompressed debug copy is never touched (its times are part of its identity): it is as old as
// its record, which a run that uses the copy reads and so touches.
TEST(CachePrune, ADebugCopyIsAsRecentAsItsRecord) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  make(dir + "/v2/debug/0123abcd.debug", 5000, 9000s);
  make(dir + "/v2/debug/01/0123abcd", 100, 10s);  // used by the last run
  make(dir + "/v2/debug/4567beef.debug", 5000, 8000s);
  make(dir + "/v2/debug/45/4567beef", 100, 8500s);  // not used since it was made
  make(dir + "/v2/jobs/aa/aa01aa01", 1000, 100s);
  const auto pruned = prune_cache(dir, 8000, std::chrono::system_clock::now());
  EXPECT_EQ(pruned.removed, 2u);  // the unused copy's record, then the copy (11,200 bytes down to 6,100)
  EXPECT_TRUE(fs::exists(dir + "/v2/debug/0123abcd.debug"));
  EXPECT_FALSE(fs::exists(dir + "/v2/debug/4567beef.debug"));
  EXPECT_FALSE(fs::exists(dir + "/v2/debug/45/4567beef"));
  EXPECT_TRUE(fs::exists(dir + "/v2/jobs/aa/aa01aa01"));
}

// What a run reads it touches, so a pruned cache keeps what is in use.
TEST(CachePrune, ReadingAnEntryMarksItUsed) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  const std::string old_key(32, 'a'), used_key(32, 'b');
  {
    ResultCache cache(dir);
    harness::model::JobResult job;
    job.suite = "s";
    job.feature = "f";
    cache.store(old_key, job);
    cache.store(used_key, job);
    EXPECT_TRUE(cache.wrote());
  }
  const auto path = [&](const std::string& key) { return dir + "/v2/jobs/" + key.substr(0, 2) + "/" + key; };
  const auto size = fs::file_size(path(old_key));
  ASSERT_EQ(fs::file_size(path(used_key)), size);
  for (const auto& key : {old_key, used_key}) {  // both stored two hours ago
    struct stat st {};
    ASSERT_EQ(::stat(path(key).c_str(), &st), 0);
    const struct timespec old_times[2] = {{st.st_mtim.tv_sec - 7200, 0}, {st.st_mtim.tv_sec - 7200, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path(key).c_str(), old_times, 0), 0);
  }
  ResultCache reader(dir);
  ASSERT_TRUE(reader.load(used_key));
  EXPECT_FALSE(reader.wrote());
  const auto pruned = prune_cache(dir, size + size / 2, std::chrono::system_clock::now());
  EXPECT_EQ(pruned.removed, 1u);
  EXPECT_FALSE(fs::exists(path(old_key)));
  EXPECT_TRUE(fs::exists(path(used_key)));
}

// The walk is skipped while the last one's figure plus what runs wrote since stays under the bound
// and is less than a day old.
TEST(CacheBound, WalksOnlyWhenTheKnownSizeMayBeOverOrIsOld) {
  harness::testing::TempDir tmp{"sohound-prune"};
  const auto dir = tmp.path().string();
  make(dir + "/v2/jobs/aa/aa01aa01", 1000, 5000s);
  make(dir + "/v2/jobs/aa/aa02aa02", 1000, 4000s);
  const auto start = std::chrono::system_clock::now();
  auto bound = keep_cache_bounded(dir, 10000, 0, start, start);  // no record yet
  EXPECT_TRUE(bound.walked);
  EXPECT_EQ(bound.estimate, 2000u);
  make(dir + "/v2/jobs/aa/aa03aa03", 3000, 0s);  // a run writes 3,000 bytes
  bound = keep_cache_bounded(dir, 10000, 3000, start, start + 60s);
  EXPECT_FALSE(bound.walked);
  EXPECT_EQ(bound.estimate, 5000u);
  make(dir + "/v2/jobs/aa/aa04aa04", 6000, 0s);  // 11,000 bytes: over
  bound = keep_cache_bounded(dir, 10000, 6000, start, start + 120s);
  EXPECT_TRUE(bound.walked);
  EXPECT_EQ(bound.pruned.removed, 2u);  // the two oldest (kept: files younger than `start`)
  EXPECT_EQ(bound.estimate, 9000u);
  EXPECT_FALSE(fs::exists(dir + "/v2/jobs/aa/aa01aa01"));
  EXPECT_TRUE(fs::exists(dir + "/v2/size"));
  // Under the bound, but the last walk was more than a day ago: walked again.
  EXPECT_FALSE(keep_cache_bounded(dir, 10000, 0, start, start + 23h).walked);
  EXPECT_TRUE(keep_cache_bounded(dir, 10000, 0, start, start + 25h).walked);
  // A record that does not read as one is a walk, not a trusted figure.
  harness::util::write_file(dir + "/v2/size", "sohound-cache-size 1 lots\n");
  EXPECT_TRUE(keep_cache_bounded(dir, 10000, 0, start, start + 25h).walked);
}
