// `sohound ctest` and the CMake package against a real CMake project (tests/e2e/cmake_project,
// prepared by its setup.sh: Sohound installed into a prefix with `cmake --install`, the project
// configured against it with find_package(Sohound), and built again with ASan).
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

namespace e2e {
namespace {

const std::string k_project = std::string(SOHOUND_E2E_OUT) + "/cmake_project";

std::string util_read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const json* leak_in(const json& job, const std::string& function) {
  for (const auto& f : job["findings"])
    if (f["kind"] == "leak.definite" && f["status"] == "new")
      for (const auto& frame : f["stack"])
        if (frame["function"] == function) return &f;
  return nullptr;
}

TEST(CtestCommand, RunsTheRegisteredTestsUnderTheToolsWithTheirEnvironmentAndBuilds) {
  const auto out = k_project + "/ctest-memory";
  const auto run =
      run_sohound(fmt::format("ctest '{}/plain' -L memory --asan '{}/asan' --tools memcheck,asan,tsan "
                              "--no-progress --report json --out '{}'",
                              k_project, k_project, out));
  EXPECT_EQ(run.exit_code, 1) << run.text;
  const auto r = read_results(out);
  std::set<std::string> features;
  for (const auto& j : r["jobs"]) features.insert(j["feature"]);
  EXPECT_EQ(features, std::set<std::string>{"counter.leaks"}) << "-L memory selects by label";
  const auto* memcheck = job_in(r, "counter.leaks", "memcheck");
  ASSERT_TRUE(memcheck);
  // COUNTER_START=5 from the test's ENVIRONMENT and the WORKING_DIRECTORY reached the program:
  // its label says "counter=7".
  EXPECT_NE(util_read(std::string((*memcheck)["job_dir"]) + "/stdout.txt").find("counter=7"), std::string::npos);
  const auto* leak = leak_in(*memcheck, "counter_label");
  ASSERT_TRUE(leak) << frames_of(*memcheck);
  EXPECT_EQ((*leak)["bytes"], 32);
  EXPECT_NE((*leak)["process"].get<std::string>().find("/plain/counter_test (pid"), std::string::npos);
  // The ASan build of the same project, matched by test name.
  const auto* asan = job_in(r, "counter.leaks", "asan");
  ASSERT_TRUE(asan);
  EXPECT_TRUE(leak_in(*asan, "counter_label")) << frames_of(*asan);
  const auto* tsan = job_in(r, "counter.leaks", "tsan");
  ASSERT_TRUE(tsan);
  EXPECT_EQ((*tsan)["outcome"], "skipped");
  EXPECT_NE((*tsan)["message"].get<std::string>().find("sohound ctest --tsan BUILD_DIR"), std::string::npos);
}

TEST(CtestCommand, NameAndLabelFiltersAreCtestsOwn) {
  const auto out = k_project + "/ctest-clean";
  const auto run =
      run_sohound(fmt::format("ctest '{}/plain' -R '^counter' --label-exclude sohound --tools memcheck "
                              "--no-progress --report json --out '{}'",
                              k_project, out));
  EXPECT_EQ(run.exit_code, 1) << run.text;  // counter.leaks leaks
  EXPECT_NE(run.text.find("ctest test 'counter off' is DISABLED: not run"), std::string::npos) << run.text;
  const auto r = read_results(out);
  std::set<std::string> features;
  for (const auto& j : r["jobs"]) features.insert(j["feature"]);
  EXPECT_EQ(features, (std::set<std::string>{"counter.leaks", "counter.clean"}));
  const auto* clean = job_in(r, "counter.clean", "memcheck");
  ASSERT_TRUE(clean);
  EXPECT_TRUE((*clean)["passed"].get<bool>()) << frames_of(*clean);

  const auto none =
      run_sohound(fmt::format("ctest '{}/plain' -R no-such-test --no-progress --out '{}'", k_project, out + "-none"));
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.text.find("ctest lists no test to run for this selection"), std::string::npos) << none.text;
  const auto not_a_build =
      run_sohound(fmt::format("ctest '{}' --no-progress --out '{}'", SOHOUND_SOURCE_DIR "/docs", out + "-bad"));
  EXPECT_EQ(not_a_build.exit_code, 2);
  EXPECT_NE(not_a_build.text.find("is not a CMake build folder with tests"), std::string::npos) << not_a_build.text;
}

TEST(CmakePackage, FindPackageRegistersSuitesAndTargetChecksThatFailOnlyOnFindings) {
  // The project's own ctest run of what find_package(Sohound) registered.
  const auto run = run_sohound_shell(fmt::format("ctest --test-dir '{}/plain' -L sohound --no-tests=error", k_project));
  auto verdict = [&](const std::string& test, const char* word) {
    return std::regex_search(run.text, std::regex(test + R"( \.+ *(\*\*\*)?)" + word));
  };
  EXPECT_TRUE(verdict("sohound\\.counter_leaks", "Failed")) << run.text;
  EXPECT_TRUE(verdict("sohound\\.counter_clean", "Passed")) << run.text;
  EXPECT_TRUE(verdict("sohound\\.counter_spec", "Passed")) << run.text;
  EXPECT_NE(run.text.find("67% tests passed, 1 tests failed out of 3"), std::string::npos) << run.text;
  // sohound_add_test ran the target's program under the tools it named; the failure is the leak.
  const auto leaks = read_results(k_project + "/plain/sohound/sohound.counter_leaks");
  const auto* memcheck = job_in(leaks, "sohound_counter_leaks", "memcheck");
  ASSERT_TRUE(memcheck);
  EXPECT_TRUE(leak_in(*memcheck, "counter_label")) << frames_of(*memcheck);
  EXPECT_EQ(leaks["jobs"].size(), 1u);  // TOOLS memcheck
  // sohound_add_suite ran the spec, with its ARGS (--report json,junit).
  const auto spec = read_results(k_project + "/plain/sohound/sohound.counter_spec");
  ASSERT_TRUE(job_in(spec, "label_freed", "memcheck"));
  EXPECT_TRUE(std::filesystem::exists(k_project + "/plain/sohound/sohound.counter_spec/junit.xml"));
  EXPECT_FALSE(std::filesystem::exists(k_project + "/plain/sohound/sohound.counter_spec/report.html"));
}

TEST(CmakePackage, TheInstalledProgramIsStripped) {
  const auto sections = run_sohound_shell(fmt::format("readelf -S --wide '{}/prefix/bin/sohound'", k_project));
  ASSERT_EQ(sections.exit_code, 0) << sections.text;
  EXPECT_NE(sections.text.find(".text"), std::string::npos);
  EXPECT_EQ(sections.text.find(".symtab"), std::string::npos) << sections.text;
  EXPECT_EQ(sections.text.find(".debug_info"), std::string::npos) << sections.text;
}

// `cmake --install` lays the documentation out as the source tree does: every relative link in
// README.md and docs/*.md (docs/install.md for find_package, the examples, the CI templates)
// resolves where it is installed.
TEST(CmakePackage, EveryInstalledDocumentLinkResolves) {
  const auto doc = std::filesystem::path(k_project) / "prefix/share/doc/sohound";
  ASSERT_TRUE(std::filesystem::exists(doc / "README.md")) << doc;
  EXPECT_TRUE(std::filesystem::exists(doc / "docs/install.md"));
  EXPECT_TRUE(std::filesystem::exists(doc / "suites/examples/examples.yaml"));
  const std::regex link(R"(\]\(([^)#:]+)(#[^)]*)?\))");
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(doc)) {
    if (entry.path().extension() != ".md") continue;
    const auto text = util_read(entry.path().string());
    for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it) {
      const auto target = entry.path().parent_path() / (*it)[1].str();
      EXPECT_TRUE(std::filesystem::exists(target)) << entry.path() << " links to " << (*it)[1] << ", not installed";
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u);
}

}  // namespace
}  // namespace e2e
