// The Debian package CPack makes (fixture e2e.package.build): what it holds, that its debug
// information is split off into the -dbgsym package by build ID, that Debian 12 can resolve its
// dependencies from nothing (apt's solver against an empty installed set), and that the program
// runs from a clean root it was unpacked into. tests/browser/templates.test.mjs installs it for
// real with apt-get on CI machines.
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <regex>

namespace e2e {
namespace {

namespace fs = std::filesystem;
const std::string k_dir = std::string(SOHOUND_E2E_OUT) + "/package";

std::string find(const std::string& pattern) {
  const std::regex re(pattern);
  if (fs::is_directory(k_dir))
    for (const auto& e : fs::directory_iterator(k_dir))
      if (std::regex_match(e.path().filename().string(), re)) return e.path().string();
  return {};
}

// The GNU build ID readelf prints for an ELF file.
std::string build_id(const std::string& file) {
  const auto notes = run_sohound_shell(fmt::format("readelf -n '{}'", file));
  const auto at = notes.text.find("Build ID: ");
  return at == std::string::npos ? std::string() : notes.text.substr(at + 10, notes.text.find('\n', at) - at - 10);
}

TEST(Package, HoldsTheStrippedProgramItsCmakePackageAndManPage) {
  const auto deb = find(R"(sohound_[0-9.]+_amd64\.deb)");
  ASSERT_FALSE(deb.empty()) << "no package in " << k_dir;
  const auto contents = run_sohound_shell(fmt::format("dpkg-deb -c '{}'", deb));
  for (const char* path :
       {"./usr/bin/sohound", "./usr/libexec/sohound/sohound-status", "./usr/libexec/sohound/libsohound-channel.so",
        "./usr/libexec/sohound/libsohound-record.so", "./usr/libexec/sohound/libsohound-zygote.so",
        "./usr/lib/cmake/Sohound/SohoundConfig.cmake", "./usr/lib/cmake/Sohound/SohoundConfigVersion.cmake",
        "./usr/share/man/man1/sohound.1.gz", "./usr/share/doc/sohound/docs/spec.md", "./usr/share/doc/sohound/copyright",
        "./usr/share/doc/sohound/docs/sharding.md", "./usr/share/doc/sohound/docs/install.md",
        "./usr/share/doc/sohound/suites/examples/examples.yaml"})
    EXPECT_NE(contents.text.find(path), std::string::npos) << path << " not in\n" << contents.text;
  const auto info = run_sohound_shell(fmt::format("dpkg-deb -f '{}' Package Depends Recommends", deb));
  EXPECT_NE(info.text.find("Package: sohound"), std::string::npos) << info.text;
  for (const char* dep : {"valgrind", "gcc", "g++", "pkg-config", "libyaml-cpp0.7", "libelf1", "libsimdjson14", "libsodium23"})
    EXPECT_NE(info.text.find(dep), std::string::npos) << dep << " not in " << info.text;
  EXPECT_NE(info.text.find("Recommends: bubblewrap"), std::string::npos) << info.text;

  // Unpacked into a clean root: stripped, with its debug information in the -dbgsym package under
  // its build ID, and it runs.
  const auto root = k_dir + "/root";
  fs::remove_all(root);
  ASSERT_EQ(run_sohound_shell(fmt::format("dpkg-deb -x '{}' '{}'", deb, root)).exit_code, 0);
  const auto program = root + "/usr/bin/sohound";
  const auto sections = run_sohound_shell(fmt::format("readelf -S --wide '{}'", program));
  EXPECT_EQ(sections.text.find(".debug_info"), std::string::npos);
  EXPECT_EQ(sections.text.find(".symtab"), std::string::npos);
  const auto id = build_id(program);
  ASSERT_GE(id.size(), 8u);
  const auto dbgsym = find(R"(sohound-dbgsym_[0-9.]+_amd64\.ddeb)");
  ASSERT_FALSE(dbgsym.empty());
  const auto debug_root = k_dir + "/debug-root";
  fs::remove_all(debug_root);
  ASSERT_EQ(run_sohound_shell(fmt::format("dpkg-deb -x '{}' '{}'", dbgsym, debug_root)).exit_code, 0);
  const auto debug_file = fmt::format("{}/usr/lib/debug/.build-id/{}/{}.debug", debug_root, id.substr(0, 2), id.substr(2));
  ASSERT_TRUE(fs::exists(debug_file)) << debug_file;
  EXPECT_NE(run_sohound_shell(fmt::format("readelf -S --wide '{}'", debug_file)).text.find(".debug_info"), std::string::npos);

  const auto version = run_sohound_shell(fmt::format("'{}' --version", program));
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.text.find("0.1.0"), std::string::npos) << version.text;
  const auto help = run_sohound_shell(fmt::format("'{}' exec --help", program));
  EXPECT_NE(help.text.find("--gtest"), std::string::npos) << help.text;
  const auto out = k_dir + "/run";
  const auto run = run_sohound_shell(
      fmt::format("'{}' exec --no-cache --tools memcheck,asan --asan '{}' --no-progress --report json --out '{}' "
                  "-- '{}' '{}'",
                  program, SOHOUND_E2E_LEAKY_TEST_ASAN, out, SOHOUND_E2E_LEAKY_TEST, SOHOUND_E2E_CHILD_LEAK));
  EXPECT_EQ(run.exit_code, 1) << run.text;
  EXPECT_NE(run.text.find("leak.definite exec/sohound_e2e_leaky_test [memcheck] 48 bytes"), std::string::npos) << run.text;
  // The installed program finds its status shim and its channel library in ../libexec/sohound:
  // the jobs ran sandboxed, and the ASan job proved its report whole.
  const auto results = read_results(out);
  EXPECT_EQ(results["sandbox"]["on"], true) << results["sandbox"].dump();
  for (const auto& job : results["jobs"]) {
    EXPECT_EQ(job["outcome"], "ok") << job.dump();
    EXPECT_TRUE(!job["findings"].empty() && job["findings"][0]["kind"] == "leak.definite") << job.dump();
  }
}

TEST(Package, Debian12ResolvesItsDependenciesFromNothing) {
  const auto deb = find(R"(sohound_[0-9.]+_amd64\.deb)");
  ASSERT_FALSE(deb.empty());
  if (!fs::exists("/var/lib/apt/lists") || fs::is_empty("/var/lib/apt/lists"))
    GTEST_SKIP() << "no package lists (apt-get update has not run here)";
  // apt's own solver with no package installed: what `apt-get install ./sohound_*.deb` does on a
  // clean Debian 12 (simulated: nothing is installed).
  const auto sim =
      run_sohound_shell(fmt::format("apt-get -s -o Debug::NoLocking=1 -o Dir::State::status=/dev/null install '{}'", deb));
  EXPECT_EQ(sim.exit_code, 0) << sim.text.substr(0, 4000);
  EXPECT_NE(sim.text.find("Inst sohound (0.1.0 local-deb"), std::string::npos) << sim.text.substr(0, 4000);
  EXPECT_NE(sim.text.find("Inst valgrind "), std::string::npos);
}

}  // namespace
}  // namespace e2e
