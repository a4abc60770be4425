#include "harness/exec/result_cache.hpp"

#include "harness/exec/cache_keys.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
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

// Rewrites `what` in a signed record of the cache (`folder`: tools, objects, manifests), as code
// without the cache's key would.
void edit_record(const std::string& cache, const std::string& folder, const std::string& key, const std::string& what,
                 const std::string& with) {
  const auto path = cache + "/v2/" + folder + "/" + key.substr(0, 2) + "/" + key;
  auto text = util::read_file_or_empty(path);
  ASSERT_NE(text.find(what), std::string::npos) << path;
  text.replace(text.find(what), what.size(), with);
  util::write_file(path, text);
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

// A job served into another --out names that folder, as a job run there would: its frames (whose
// ownership is judged by folder), its process and its commands. A folder that only starts the same
// is not moved, and the entry on disk names neither run's folder.
TEST(ResultCache, AJobFromTheCacheNamesTheReadingRunsOut) {
  harness::testing::TempDir tmp{"sohound-cache"};
  const auto key = Hasher().add("relocated").hex();
  auto job = job_with_texts("f");
  job.run_command = "cd /runs/a/jobs/s/f && valgrind --xml-file=/runs/a/jobs/s/f/vg.xml -- /runs/a/build/s/plain/driver f\n";
  model::Finding leak;
  leak.kind = "leak.definite";
  leak.process = "/runs/a/build/s/plain/driver (pid 7, parent 6)";
  leak.stack = {{"feature_f", "/specs/s.yaml", 3, "/runs/a/build/s/plain/driver"},
                {"sohound_body_thread", "/runs/a/runtime/sohound_rt.h", 156, "/runs/a/build/s/plain/driver"},
                {"helper", "/runs/a-other/lib.c", 9, "/runs/a-other/lib.so"}};
  job.findings.push_back(leak);
  ResultCache(tmp / "cache", "/runs/a").store(key, job);
  const auto stored = util::read_file_or_empty(tmp / "cache/v2/jobs/" + key.substr(0, 2) + "/" + key);
  EXPECT_EQ(stored.find("/runs/a/"), std::string::npos) << stored;
  EXPECT_NE(stored.find(std::string(k_out_marker) + "/runtime/sohound_rt.h"), std::string::npos) << stored;

  const auto back = ResultCache(tmp / "cache", "/runs/b").load(key);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->run_command,
            "cd /runs/b/jobs/s/f && valgrind --xml-file=/runs/b/jobs/s/f/vg.xml -- /runs/b/build/s/plain/driver f\n");
  ASSERT_EQ(back->findings.size(), 1u);
  const auto& f = back->findings[0];
  EXPECT_EQ(f.process, "/runs/b/build/s/plain/driver (pid 7, parent 6)");
  EXPECT_EQ(f.stack[0].file, "/specs/s.yaml");
  EXPECT_EQ(f.stack[0].object, "/runs/b/build/s/plain/driver");
  EXPECT_EQ(f.stack[1].file, "/runs/b/runtime/sohound_rt.h");
  EXPECT_EQ(f.stack[2].file, "/runs/a-other/lib.c") << "another folder that starts the same is not moved";
  EXPECT_EQ(back->driver_source, job.driver_source);
  // Read in the same --out, it is the job as stored.
  const auto same = ResultCache(tmp / "cache", "/runs/a").load(key);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->findings[0].stack, job.findings[0].stack);
  EXPECT_EQ(same->run_command, job.run_command);
}

// A cache written by another version of Sohound (an older entry format, signed another way): its
// entries and records are misses, not counted as damage; a forged one of the current format is.
TEST(ResultCache, AnotherFormatVersionIsAMissNotDamage) {
  harness::testing::TempDir tmp{"sohound-cache"};
  const auto a = Hasher().add("a").hex(), b = Hasher().add("b").hex();
  {
    ResultCache cache(tmp / "cache");
    cache.store(a, job_with_texts("fa"));
    cache.store(b, job_with_texts("fb"));
    cache.store_manifest(a, "m");
  }
  const auto path = [&](const std::string& folder, const std::string& key) {
    return tmp / "cache/v2/" + folder + "/" + key.substr(0, 2) + "/" + key;
  };
  const auto older = [](std::string text, const std::string& magic) {
    EXPECT_TRUE(text.starts_with(magic + " ")) << text.substr(0, 40);
    return text.replace(magic.size() - 1, 1, "4");
  };
  util::write_file(path("jobs", a), older(util::read_file_or_empty(path("jobs", a)), "sohound-cache 5"));
  util::write_file(path("manifests", a), older(util::read_file_or_empty(path("manifests", a)), "sohound-manifest 2"));
  auto forged = util::read_file_or_empty(path("jobs", b));
  forged.replace(forged.find("/* fb */"), 8, "/* fX */");
  util::write_file(path("jobs", b), forged);
  ResultCache cache(tmp / "cache");
  const auto found = cache.load_all({a, b}, 1);
  EXPECT_FALSE(found[0]);
  EXPECT_FALSE(found[1]);
  EXPECT_FALSE(cache.load_manifest(a));
  EXPECT_EQ(cache.damaged(), 1u) << "only the forged entry of the current format";
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

TEST(ResultCache, APackServesTheNextRunAndIsWrittenOnlyWhenItsEntriesChange) {
  harness::testing::TempDir tmp{"sohound-cache"};
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) keys.push_back(Hasher().add(std::to_string(i)).hex());
  const auto pack = tmp / "cache/v2/packs/p";
  const auto inode = [&] {
    struct stat st {};
    return ::stat(pack.c_str(), &st) == 0 ? st.st_ino : 0;
  };
  {
    ResultCache cache(tmp / "cache");
    cache.use_pack("p");
    for (int i = 0; i < 3; ++i) cache.store(keys[i], job_with_texts("f" + std::to_string(i)));
    cache.save_pack();
  }
  ASSERT_NE(inode(), 0u);
  for (const auto& key : keys) std::filesystem::remove(tmp / "cache/v2/jobs/" + key.substr(0, 2) + "/" + key);
  const auto first = inode();
  {
    ResultCache cache(tmp / "cache");
    cache.use_pack("p");
    const auto found = cache.load_all(keys, 2);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(found[i]) << "from the pack alone: its own file is gone";
      EXPECT_EQ(found[i]->feature, "f" + std::to_string(i));
      EXPECT_EQ(found[i]->driver_source, job_with_texts("f" + std::to_string(i)).driver_source);
    }
    cache.save_pack();
    EXPECT_EQ(inode(), first) << "the same entries: not written again";
    EXPECT_EQ(cache.damaged(), 0u);
  }
  {
    ResultCache cache(tmp / "cache");
    cache.use_pack("p");
    EXPECT_TRUE(cache.load_all({keys[0], keys[2]}, 1)[1]);
    cache.save_pack();  // a run of fewer jobs: the pack now holds its two
  }
  EXPECT_NE(inode(), first);
  ResultCache cache(tmp / "cache");
  cache.use_pack("p");
  const auto found = cache.load_all(keys, 1);
  EXPECT_TRUE(found[0]);
  EXPECT_FALSE(found[1]);
  EXPECT_TRUE(found[2]);
}

TEST(ResultCache, AnEditedOrCutPackIsPassedOverForTheEntriesOwnFiles) {
  harness::testing::TempDir tmp{"sohound-cache"};
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) keys.push_back(Hasher().add(std::to_string(i)).hex());
  {
    ResultCache cache(tmp / "cache");
    cache.use_pack("p");
    for (int i = 0; i < 3; ++i) cache.store(keys[i], job_with_texts("f" + std::to_string(i)));
    cache.save_pack();
  }
  const auto pack = tmp / "cache/v2/packs/p";
  const auto text = util::read_file_or_empty(pack);
  // Another feature written into one entry, without the cache's key: refused, its file read instead.
  auto edited = text;
  edited.replace(edited.find("/* f1 */"), 8, "/* fX */");
  util::write_file(pack, edited);
  std::filesystem::remove(tmp / "cache/v2/jobs/" + keys[2].substr(0, 2) + "/" + keys[2]);
  {
    ResultCache cache(tmp / "cache");
    cache.use_pack("p");
    const auto found = cache.load_all(keys, 1);
    ASSERT_TRUE(found[1]);
    EXPECT_EQ(found[1]->feature, "f1");
    EXPECT_EQ(found[1]->driver_source, job_with_texts("f1").driver_source);
    EXPECT_TRUE(found[2]) << "the pack still serves the entries it holds whole";
    EXPECT_EQ(cache.damaged(), 1u);
  }
  util::write_file(pack, text.substr(0, text.size() - 10));  // cut short: none of it is used
  ResultCache cache(tmp / "cache");
  cache.use_pack("p");
  const auto found = cache.load_all(keys, 1);
  EXPECT_TRUE(found[0]);
  EXPECT_TRUE(found[1]);
  EXPECT_FALSE(found[2]) << "its own file is gone, and the pack is not read";
  EXPECT_EQ(cache.damaged(), 1u);
}

TEST(ResultCache, AToolsVersionIsKnownAgainUnderTheSameFilesOnly) {
  harness::testing::TempDir tmp{"sohound-cache"};
  const std::string identity = "/usr/bin/valgrind 2049 131 1234 1.5 2.5\n";
  {
    ResultCache cache(tmp / "cache");
    EXPECT_FALSE(cache.load_tool_version(identity));
    cache.store_tool_version(identity, "valgrind-3.19.0\n");
  }
  ResultCache cache(tmp / "cache");
  EXPECT_EQ(cache.load_tool_version(identity), "valgrind-3.19.0\n");
  EXPECT_FALSE(cache.load_tool_version(identity + "/usr/libexec/valgrind/memcheck-amd64-linux 2049 7 9 1.1 1.1\n"));
  // An edited record (another version put in without the cache's key) is refused and counted.
  edit_record(tmp / "cache", "tools", Hasher().add(identity).hex(), "3.19.0", "3.99.0");
  ResultCache reader(tmp / "cache");
  EXPECT_FALSE(reader.load_tool_version(identity));
  EXPECT_EQ(reader.damaged(), 1u);
}

TEST(ResultCache, AnObjectIsKeptWholeAndAnEditedOneRefused) {
  harness::testing::TempDir tmp{"sohound-cache"};
  const std::string object(
      "\x7f"
      "ELF\0\n\0bytes\nof main.o",
      22);
  const auto key = Hasher().add("main object").hex();
  {
    ResultCache cache(tmp / "cache");
    EXPECT_FALSE(cache.load_object(key));
    cache.store_object(key, object);
  }
  ResultCache cache(tmp / "cache");
  EXPECT_EQ(cache.load_object(key), object);
  // Code that rewrites the runtime's object (one that reports nothing) without the cache's key.
  edit_record(tmp / "cache", "objects", key, "bytes", "BYTES");
  ResultCache reader(tmp / "cache");
  EXPECT_FALSE(reader.load_object(key));
  EXPECT_EQ(reader.damaged(), 1u);
}

TEST(ValgrindIdentity, NamesTheCommandAndItsToolsAndChangesWithThem) {
  harness::testing::TempDir tmp{"sohound-valgrind"};
  const auto command = tmp / "prefix/bin/valgrind";
  std::filesystem::create_directories(tmp / "prefix/bin");
  util::write_file(command, "#!/bin/sh\n");
  ::chmod(command.c_str(), 0755);
  EXPECT_EQ(valgrind_identity(command), "") << "no tools where Valgrind looks: it is asked every run";
  std::filesystem::create_directories(tmp / "prefix/libexec/valgrind");
  const auto memcheck = tmp / "prefix/libexec/valgrind/memcheck-amd64-linux";
  util::write_file(memcheck, "tool");
  const auto first = valgrind_identity(command);
  EXPECT_NE(first.find(memcheck), std::string::npos) << first;
  EXPECT_EQ(valgrind_identity(command), first);
  const timeval later[2] = {{1000000000, 0}, {1000000000, 0}};  // the tool rebuilt: other times
  ASSERT_EQ(::utimes(memcheck.c_str(), later), 0);
  EXPECT_NE(valgrind_identity(command), first);
  EXPECT_EQ(valgrind_identity(tmp / "prefix/bin/absent"), "");
}

}  // namespace
}  // namespace harness::exec
