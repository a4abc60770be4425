#include "harness/parse/valgrind_fds.hpp"

#include "harness/testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace harness::parse {
namespace {

// memcheck's text log of `dash test.sh`, whose script opened /etc/hostname on fd 3 and left it.
constexpr std::string_view k_log =
    "==41== FILE DESCRIPTORS: 5 open (3 std) at exit.\n"
    "==41== Open file descriptor 10: /work/tests/test.sh\n"
    "==41==    <inherited from parent>\n"
    "==41== Open file descriptor 3: /etc/hostname\n"
    "==41==    at 0x4A0B1E7: open (open64.c:41)\n";

TEST(ValgrindFds, TheDescriptorsOfTheTextLogAreRead) {
  const auto fds = open_fds(k_log);
  ASSERT_EQ(fds.size(), 2u);
  EXPECT_EQ(fds[0].fd, 10);
  EXPECT_EQ(fds[0].path, "/work/tests/test.sh");
  EXPECT_TRUE(fds[0].inherited);
  EXPECT_EQ(fds[1].path, "/etc/hostname");
  EXPECT_FALSE(fds[1].inherited);
}

TEST(ValgrindFds, AShellsDescriptorOnItsOwnScriptIsNotTheScriptsLeak) {
  const OpenFd dash{10, "/work/tests/test.sh", false};
  const OpenFd bash{255, "/work/tests/test.sh", false};
  const OpenFd data{3, "/etc/hostname", false};
  EXPECT_TRUE(is_interpreters_script(dash, "/bin/sh", {"test.sh"}));  // relative to its working folder
  EXPECT_TRUE(is_interpreters_script(bash, "/usr/bin/bash", {"-e", "/work/tests/test.sh", "arg"}));
  EXPECT_FALSE(is_interpreters_script(data, "/bin/sh", {"test.sh"}));
  EXPECT_FALSE(is_interpreters_script(dash, "/bin/sh", {"-c", "cat test.sh"}));    // no script: a command
  EXPECT_FALSE(is_interpreters_script(dash, "/bin/sh", {"other.sh", "test.sh"}));  // an argument, not the script
  EXPECT_FALSE(is_interpreters_script(dash, "/usr/bin/python3", {"test.sh"}));     // not a shell
  // Run by its #! line: Valgrind names the script as the program.
  harness::testing::TempDir tmp{"sohound-fds"};
  std::ofstream(tmp / "run.sh") << "#!/bin/sh\ntrue\n";
  std::ofstream(tmp / "prog") << "\x7f"
                                 "ELF";
  EXPECT_TRUE(is_interpreters_script({10, tmp / "run.sh", false}, tmp / "run.sh", {}));
  EXPECT_FALSE(is_interpreters_script({10, tmp / "prog", false}, tmp / "prog", {}));  // a program holding itself
}

}  // namespace
}  // namespace harness::parse
