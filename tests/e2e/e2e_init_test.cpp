// `sohound init` on real Debian libraries nobody here wrote (C and C++, by pkg-config name and by
// path): every feature of the starter spec calls the library or says it is not written yet; the
// spec passes `sohound check` and runs as written.
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

namespace e2e {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Library {
  std::string given, file, language, include;
  std::size_t written;  // at least this many features call the library
};

// Every feature of a starter spec either calls the library (code as init writes it: an object made
// and destroyed, a version asked for) or says it is not written yet (todo): never a feature that
// compiles, runs and shows green without calling anything.
std::size_t check_features(const std::string& text, std::size_t& todo) {
  const std::regex feature(R"(  - name: (\S+)\n(    #[^\n]*\n)*    (todo|code): ([^\n]*)\n((      [^\n]*\n)*))");
  const std::regex call(
      R"(^      (__auto_type object = \w+\([^)]*\);\n      if \(object\) \w+\(object\);|\(void\)\w+\(\);|[\w:]+ object;\n      \(void\)object;)\n$)");
  std::size_t features = 0, calls = 0;
  todo = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), feature), end; it != end; ++it) {
    ++features;
    if ((*it)[3] == "todo") {
      ++todo;
      EXPECT_NE((*it)[4].str().find("as your users do"), std::string::npos) << (*it)[0];
    } else {
      EXPECT_TRUE(std::regex_match((*it)[5].str(), call)) << "feature " << (*it)[1] << " calls nothing:\n" << (*it)[0];
      ++calls;
    }
  }
  EXPECT_EQ(features, 12u) << text;
  return calls;
}

// Issue 23: zlib, jsoncpp, cJSON, libarchive and libLLVM (35,000 C++ exports), by pkg-config name and
// by path. Each spec passes `sohound check` (which compiles every feature) and runs: the features
// that call the library pass under memcheck, the others are skipped as not written yet.
TEST(Init, StarterSpecsCallTheLibraryOrSayTheyAreNotWrittenYet) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/init";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::vector<Library> libraries = {
      {"zlib", "zlib.yaml", "c", "zlib.h", 1},
      {"jsoncpp", "jsoncpp.yaml", "c++", "json/value.h", 3},
      {"libcjson", "cjson.yaml", "c", "cJSON.h", 2},
      {"libarchive", "archive.yaml", "c", "archive.h", 2},
      {"/usr/lib/llvm-14/lib/libLLVM-14.so", "llvm.yaml", "c++", "llvm/", 6},
  };
  std::string specs;
  std::size_t todo_total = 0;
  for (const auto& lib : libraries) {
    SCOPED_TRACE(lib.given);
    const auto spec = dir + "/" + lib.file;
    const auto init = run_sohound(fmt::format("init '{}' -o '{}'", lib.given, spec));
    ASSERT_EQ(init.exit_code, 0) << init.text;
    const auto text = read_text(spec);
    EXPECT_NE(text.find("language: " + lib.language + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("'" + lib.include), std::string::npos) << text;
    EXPECT_EQ(text.find("include-dirs: ['/usr/include']"), std::string::npos) << "a system folder is the compiler's own";
    std::size_t todo = 0;
    EXPECT_GE(check_features(text, todo), lib.written) << text;
    todo_total += todo;
    const auto check = run_sohound(fmt::format("check '{}'", spec));
    EXPECT_EQ(check.exit_code, 0) << check.text;
    EXPECT_NE(check.text.find("12 features"), std::string::npos) << check.text;
    specs += " '" + spec + "'";
    // An existing file is never replaced without --force.
    const auto again = run_sohound(fmt::format("init '{}' -o '{}'", lib.given, spec));
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_NE(again.text.find("exists; not replacing it"), std::string::npos) << again.text;
  }
  const auto run = run_sohound(fmt::format("run{} --tools memcheck --no-progress --report json --out '{}/out'", specs, dir));
  EXPECT_EQ(run.exit_code, 0) << run.text;
  const auto r = read_results(dir + "/out");
  ASSERT_TRUE(r.contains("jobs"));
  EXPECT_EQ(r["jobs"].size(), libraries.size() * 12);
  std::size_t skipped = 0;
  for (const auto& j : r["jobs"]) {
    if (j["outcome"] == "skipped") {
      ++skipped;
      EXPECT_NE(j["message"].get<std::string>().find("not written yet (todo)"), std::string::npos) << j["message"];
      continue;
    }
    EXPECT_EQ(j["outcome"], "ok") << j["suite"] << "/" << j["feature"] << ": " << j["message"];
    EXPECT_TRUE(j["passed"].get<bool>()) << j["suite"] << "/" << j["feature"];
  }
  EXPECT_EQ(skipped, todo_total);
  // The summary says how many were skipped because they are not written yet: a PASS that checked
  // nothing there does not read as one that did.
  EXPECT_NE(run.text.find(fmt::format("{} skipped ({} not written yet)", skipped, skipped)), std::string::npos) << run.text;
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
