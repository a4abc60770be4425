// `sohound init` on real Debian libraries nobody here wrote (C and C++, by pkg-config name and by
// path): the starter spec passes `sohound check` and runs clean as written.
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace e2e {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Library {
  std::string given, file, language, family, include;
};

TEST(Init, StarterSpecsOfRealLibrariesPassCheckAndRun) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/init";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::vector<Library> libraries = {
      {"zlib", "zlib.yaml", "c", "deflate", "zlib.h"},
      {"jsoncpp", "jsoncpp.yaml", "c++", "Json_Value", "json/value.h"},
      {"yaml-cpp", "yaml-cpp.yaml", "c++", "YAML_Emitter", "yaml-cpp/emitter.h"},
      {"/usr/lib/x86_64-linux-gnu/libuv.so.1", "uv.yaml", "c", "uv_fs", "uv.h"},
  };
  std::string specs;
  for (const auto& lib : libraries) {
    SCOPED_TRACE(lib.given);
    const auto spec = dir + "/" + lib.file;
    const auto init = run_sohound(fmt::format("init '{}' -o '{}'", lib.given, spec));
    ASSERT_EQ(init.exit_code, 0) << init.text;
    const auto text = read_text(spec);
    EXPECT_NE(text.find("language: " + lib.language + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  - name: " + lib.family + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("'" + lib.include + "'"), std::string::npos) << text;
    const auto check = run_sohound(fmt::format("check '{}'", spec));
    EXPECT_EQ(check.exit_code, 0) << check.text;
    EXPECT_NE(check.text.find("12 features"), std::string::npos) << check.text;
    specs += " '" + spec + "'";
    // An existing file is never replaced without --force.
    const auto again = run_sohound(fmt::format("init '{}' -o '{}'", lib.given, spec));
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_NE(again.text.find("exists; not replacing it"), std::string::npos) << again.text;
  }
  // Memcheck runs every skeleton (the plain flavour: compiled and linked against the library as written).
  const auto run = run_sohound(fmt::format("run{} --tools memcheck --no-progress --report json --out '{}/out'", specs, dir));
  EXPECT_EQ(run.exit_code, 0) << run.text;
  const auto r = read_results(dir + "/out");
  ASSERT_TRUE(r.contains("jobs"));
  EXPECT_EQ(r["jobs"].size(), libraries.size() * 12);
  for (const auto& j : r["jobs"]) EXPECT_EQ(j["outcome"], "ok") << j["suite"] << "/" << j["feature"] << ": " << j["message"];
}

TEST(Init, SaysWhatItCannotReadPointingAtTheName) {
  const auto missing = run_sohound("init no-such-package-anywhere");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.text.find("'no-such-package-anywhere' is neither a library file nor a pkg-config package"), std::string::npos)
      << missing.text;
  const auto not_elf = run_sohound(fmt::format("init '{}/README.md.so'", SOHOUND_SOURCE_DIR));
  EXPECT_EQ(not_elf.exit_code, 2);
  EXPECT_NE(not_elf.text.find("does not exist"), std::string::npos) << not_elf.text;
}

}  // namespace
}  // namespace e2e
