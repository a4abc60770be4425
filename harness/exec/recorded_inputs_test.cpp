#include "harness/exec/recorded_inputs.hpp"

#include "harness/exec/result_cache.hpp"
#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>

#include <filesystem>
#include <string>

using namespace harness::exec;

namespace {

std::string line(char op, long pid, long number, const std::string& path) {
  return std::string(1, op) + "\t" + std::to_string(pid) + "\t" + std::to_string(number) + "\t" + path + "\n";
}

const std::string k_hello = line('H', 10, 0, "/usr/bin/prog");
const long k_existed = 1L << 30;

RecordedInputs read(const std::string& text) { return read_record(text, {"/out"}); }

std::string key_of(const std::vector<RecordedInput>& inputs) {
  Hasher h;
  hash_input_state(h, inputs);
  return h.hex();
}

}  // namespace

TEST(RecordedInputs, WhatTheProgramReadIsItsInputAndWhatItMadeIsNot) {
  const auto record =
      read(k_hello + line('O', 10, O_RDONLY, "/data/in.txt") + line('P', 10, 0, "/etc/missing") +
           line('O', 10, O_WRONLY | O_CREAT | O_TRUNC, "/data/out.txt") + line('O', 10, O_RDONLY, "/data/out.txt") +
           line('D', 10, 0, "/data/cases/") + line('O', 10, O_RDONLY, "/out/jobs/x/work/scratch") +
           line('O', 10, O_RDONLY, "/dev/null") + line('O', 10, O_RDONLY, "/dev/urandom"));
  ASSERT_EQ(record.uncacheable, "");
  const std::vector<RecordedInput> want = {{InputKind::listing, "/data/cases"},
                                           {InputKind::file, "/data/in.txt"},
                                           {InputKind::probe, "/etc/missing"},
                                           {InputKind::file, "/usr/bin/prog"}};
  EXPECT_EQ(record.inputs, want);
}

TEST(RecordedInputs, ReadingThenChangingAFileCannotBeCached) {
  EXPECT_EQ(read(k_hello + line('O', 10, O_RDONLY, "/d/db") + line('W', 10, 0, "/d/db")).uncacheable,
            "it changed /d/db after reading it: its next run would not see what this one saw");
  EXPECT_EQ(read(k_hello + line('O', 10, O_RDWR | k_existed, "/d/db")).uncacheable,
            "it opened /d/db to read and change it: its next run would not see what this one saw");
  // Made new (it did not exist), then read and written: its own.
  EXPECT_EQ(read(k_hello + line('O', 10, O_RDWR | O_CREAT, "/d/db") + line('O', 10, O_RDONLY, "/d/db")).uncacheable, "");
  EXPECT_EQ(read(k_hello + line('D', 10, 0, "/d") + line('M', 10, 0, "/d/tmpXYZ")).uncacheable,
            "it made /d/tmpXYZ in a folder it had listed: its next run would not see what this one saw");
}

TEST(RecordedInputs, WhatTheRecorderCannotSeeMakesTheRunUncacheable) {
  EXPECT_NE(read("").uncacheable.find("did not load Sohound's recorder"), std::string::npos);
  // Exec'd a program that never said hello (static): not known what it read.
  EXPECT_NE(read(k_hello + line('X', 10, 0, "/bin/static-tool")).uncacheable.find("it ran /bin/static-tool, which did not load"),
            std::string::npos);
  EXPECT_EQ(read(k_hello + line('X', 10, 0, "/bin/tool") + line('H', 10, 0, "/bin/tool")).uncacheable, "");
  EXPECT_EQ(read(k_hello + line('X', 11, 0, "/bin/gone") + line('F', 11, 0, "/bin/gone")).uncacheable, "");
  EXPECT_NE(read(k_hello + line('O', 10, O_RDONLY, "/proc/self/status")).uncacheable.find("it read /proc/self/status"),
            std::string::npos);
  EXPECT_EQ(read(k_hello + line('P', 10, 0, "/proc/self/exe")).uncacheable, "");
  // Another device is state the key cannot name (the random sources are not: see the test above).
  EXPECT_EQ(read(k_hello + line('O', 10, O_RDONLY, "/dev/tty")).uncacheable,
            "it read /dev/tty, a system file whose content is not what the program saw when it ran");
  EXPECT_NE(read(k_hello + line('O', 10, O_RDONLY, "/dev/urandom2")).uncacheable, "");
  EXPECT_EQ(read(k_hello + line('N', 10, 0, "connected a socket")).uncacheable, "connected a socket");
  EXPECT_EQ(read(k_hello + "O\tx\t0\t/a\n").uncacheable, "its record of what it opened is damaged");
}

TEST(RecordedInputs, TheKeyFollowsWhatTheInputsHoldNow) {
  harness::testing::TempDir tmp{"sohound-recorded"};
  const auto dir = tmp.path().string();
  const std::vector<RecordedInput> inputs = {
      {InputKind::file, dir + "/in.txt"}, {InputKind::probe, dir + "/flag"}, {InputKind::listing, dir}};
  harness::util::write_file(dir + "/in.txt", "one");
  const auto first = key_of(inputs);
  EXPECT_EQ(key_of(inputs), first);
  harness::util::write_file(dir + "/in.txt", "two");
  const auto edited = key_of(inputs);
  EXPECT_NE(edited, first);
  harness::util::write_file(dir + "/flag", "");
  const auto appeared = key_of(inputs);
  EXPECT_NE(appeared, edited);
  harness::util::write_file(dir + "/other", "");
  EXPECT_NE(key_of(inputs), appeared);  // the listing changed
}

TEST(RecordedInputs, AManifestReadsBackAsItWasWritten) {
  const std::vector<RecordedInput> inputs = {{InputKind::file, "/a b/c"}, {InputKind::glob, "/d/*.txt"}, {InputKind::tree, "/e"}};
  EXPECT_EQ(decode_manifest(encode_manifest(inputs)), inputs);
  EXPECT_EQ(decode_manifest("z\t/a\n"), std::nullopt);
}
