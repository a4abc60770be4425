// `sohound meson` on a real Meson project (tests/e2e/meson_project, built plain and with ASan by
// its setup.sh): the same tests `meson test` runs, the same verdicts (`meson test` itself is run
// here, on the same build, as the oracle), plus the planted leak.
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <map>
#include <sstream>

namespace e2e {
namespace {

const std::string k_meson = std::string(SOHOUND_E2E_OUT) + "/meson_project";

// What `meson test` says of each test (meson-logs/testlog.json: one JSON object per line).
std::map<std::string, std::string> meson_verdicts() {
  run_sohound_shell(fmt::format("meson test -C '{}/plain'", k_meson));
  std::map<std::string, std::string> verdicts;
  std::istringstream lines(slurp(k_meson + "/plain/meson-logs/testlog.json"));
  for (std::string line; std::getline(lines, line);) {
    const auto entry = json::parse(line, nullptr, false);
    // "project:suite / name"
    if (!entry.is_object()) continue;
    const std::string full = entry.value("name", "");
    const auto slash = full.find(" / ");
    verdicts[slash == std::string::npos ? full : full.substr(slash + 3)] = entry.value("result", "");
  }
  return verdicts;
}

std::string outcome_for(const std::string& verdict) {
  if (verdict == "OK" || verdict == "EXPECTEDFAIL") return "ok";
  if (verdict == "SKIP") return "skipped";
  if (verdict == "TIMEOUT") return "timeout";
  return "crashed";  // FAIL, UNEXPECTEDPASS, ERROR
}

TEST(MesonCommand, RunsMesonsTestsWithMesonsVerdictsAndThePlantedLeak) {
  const auto verdicts = meson_verdicts();
  ASSERT_EQ(verdicts.size(), 8u);
  ASSERT_EQ(verdicts.at("fails on purpose"), "EXPECTEDFAIL");  // the oracle is what this test says it is
  ASSERT_EQ(verdicts.at("skips"), "SKIP");
  const auto out = k_meson + "/run";
  const auto run = run_sohound(fmt::format(
      "meson '{0}/plain' --asan '{0}/asan' --tools memcheck,asan -j 2 --no-progress --report json --out '{1}'", k_meson, out));
  EXPECT_EQ(run.exit_code, 1) << run.text;  // the leak, and the test that fails in Meson too
  const auto r = read_results(out);
  EXPECT_EQ(r["jobs"].size(), 2 * verdicts.size());
  for (const auto& [name, verdict] : verdicts)
    for (const auto* tool : {"memcheck", "asan"}) {
      const auto* job = job_in(r, name == "fails on purpose" ? "fails_on_purpose" : name, tool);
      ASSERT_TRUE(job) << name << " " << tool;
      EXPECT_EQ((*job)["outcome"], outcome_for(verdict)) << name << " under " << tool << ": " << (*job).value("message", "");
      const bool planted = name == "leaks" || name == "script";
      std::size_t fresh = 0;
      for (const auto& f : (*job)["findings"]) fresh += f["status"] == "new";
      EXPECT_EQ(fresh, planted ? 1u : 0u) << name << " under " << tool << "\n" << frames_of(*job);
      if (planted) {
        EXPECT_TRUE(finding(*job, "leak.definite", "mcounter_leak_label")) << frames_of(*job);
      }
    }
  // The environment Meson gives the test (MCOUNTER_START=5) and its workdir reached it.
  const auto* leaks = job_in(r, "leaks", "memcheck");
  EXPECT_NE(slurp(std::string((*leaks)["job_dir"]) + "/stdout.txt").find("counter=6"), std::string::npos);
  // The wrapper started the ASan build's program under ASan.
  const auto* script = job_in(r, "script", "asan");
  EXPECT_NE(slurp(std::string((*script)["job_dir"]) + "/run.sh").find("cd " + k_meson + "/asan"), std::string::npos);
}

TEST(MesonCommand, SuitesAndNamesSelectAsMesonTestDoes) {
  const auto out = k_meson + "/fast";
  const auto run =
      run_sohound(fmt::format("meson '{}/plain' --suite fast --no-suite counter_meson:slow --tools memcheck --no-progress "
                              "--report json --out '{}'",
                              k_meson, out));
  EXPECT_EQ(run.exit_code, 1) << run.text;  // 'fails' fails
  std::set<std::string> features;
  const auto fast = read_results(out);
  for (const auto& j : fast["jobs"]) features.insert(j["feature"]);
  EXPECT_EQ(features, (std::set<std::string>{"clean", "fails_on_purpose", "fails", "skips"}));
  const auto named = run_sohound(
      fmt::format("meson '{}/plain' 'cl*' alone --tools memcheck --no-progress --report json --out '{}-named'", k_meson, out));
  EXPECT_EQ(named.exit_code, 0) << named.text;
  features.clear();
  const auto chosen = read_results(out + "-named");
  for (const auto& j : chosen["jobs"]) features.insert(j["feature"]);
  EXPECT_EQ(features, (std::set<std::string>{"clean", "alone"}));
  const auto none = run_sohound(fmt::format("meson '{}' --no-progress --out '{}-none'", k_meson, out));
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.text.find("is not a Meson build folder"), std::string::npos) << none.text;
}

}  // namespace
}  // namespace e2e
