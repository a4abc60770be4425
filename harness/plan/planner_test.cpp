#include "harness/plan/planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace harness::plan {
namespace {

model::SuiteSpec suite_of(int features) {
  model::SuiteSpec suite;
  suite.name = "s";
  for (int i = 0; i < features; ++i) {
    model::FeatureSpec f;
    f.name = "f" + std::to_string(i);
    suite.features.push_back(f);
  }
  return suite;
}

std::vector<std::size_t> all(const std::vector<JobPlan>& jobs) {
  std::vector<std::size_t> v;
  for (std::size_t i = 0; i < jobs.size(); ++i) v.push_back(i);
  return v;
}

TEST(Units, FeaturesOfOneToolShareBatchesCutSoTheCoresFinishTogether) {
  std::vector<model::SuiteSpec> suites{suite_of(40)};
  PlanOptions p;
  p.tools = {model::Tool::memcheck, model::Tool::asan};
  const auto jobs = make_jobs(suites, p);
  UnitOptions o;
  o.parallel = 2;
  const auto units = make_units(suites, jobs, all(jobs), o);
  std::size_t memcheck_units = 0, asan_units = 0, covered = 0;
  for (const auto& u : units) {
    (u.tool == model::Tool::memcheck ? memcheck_units : asan_units)++;
    covered += u.jobs.size();
    for (auto j : u.jobs) EXPECT_EQ(jobs[j].tool, u.tool);
  }
  EXPECT_EQ(covered, jobs.size());  // every job in exactly one unit
  EXPECT_GE(memcheck_units, 1u);
  EXPECT_LE(memcheck_units, 2u);                         // few Valgrind start-ups
  EXPECT_EQ(asan_units, 1u);                             // sanitizer start-up is cheap: one batch
  EXPECT_EQ(units.front().tool, model::Tool::memcheck);  // longest first
}

TEST(Units, ProcessIsolationAndDifferentEnvOrTimeoutDoNotShareABatchButThreadsMay) {
  auto suite = suite_of(6);
  suite.features[1].isolation = model::Isolation::process;
  suite.features[2].threads = 4;
  suite.features[3].env["X"] = "1";
  suite.features[4].timeout_s = 5;
  suite.features[5].ldflags = {"-lm"};  // its own link: always alone
  std::vector<model::SuiteSpec> suites{suite};
  PlanOptions p;
  p.tools = {model::Tool::asan};
  const auto jobs = make_jobs(suites, p);
  const auto units = make_units(suites, jobs, all(jobs), {});
  ASSERT_EQ(units.size(), 5u);
  for (const auto& u : units) {
    const bool shared = u.jobs.size() == 2;
    EXPECT_TRUE(u.jobs.size() == 1 || shared);
    if (shared) {
      EXPECT_EQ(jobs[u.jobs[0]].feature, 0u);  // the 1-thread and the 4-thread feature share one process
      EXPECT_EQ(jobs[u.jobs[1]].feature, 2u);
    }
  }
  UnitOptions forced;
  forced.isolation = model::Isolation::process;
  suites[0] = suite_of(6);
  EXPECT_EQ(make_units(suites, make_jobs(suites, p), all(jobs), forced).size(), 6u);
}

// Runs of one program with the same folder, environment and time limit share a Valgrind start
// (exec/pipeline_programs.cpp); another program, folder or environment, the sanitizers and
// --isolation process keep a process per run.
TEST(Units, RunsOfOneProgramShareAValgrindStart) {
  model::SuiteSpec suite;
  suite.name = "ctest";
  auto add = [&](std::string binary, std::string arg, std::string cwd, std::string env) {
    model::FeatureSpec f;
    f.name = binary + arg + cwd + env;
    f.isolation = model::Isolation::process;
    f.program = model::ProgramSpec{};
    f.program->argv = {"/bin/" + binary, arg};
    f.program->cwd = cwd;
    if (!env.empty()) f.env["X"] = env;
    suite.features.push_back(f);
  };
  add("parse", "a.json", "/b", "");
  add("parse", "b.json", "/b", "");
  add("parse", "c.json", "/elsewhere", "");
  add("parse", "d.json", "/b", "1");
  add("other", "a.json", "/b", "");
  add("parse", "e.json", "/b", "");
  add("parse", "f.json", "/b", "");
  suite.features.back().order.depends = {"parsea.json/b"};  // it waits for another: alone
  add("parse", "g.json", "/b", "");
  suite.features.back().program->verdict.required_files = {"/b/x"};  // it may not run: alone
  add("parse", "h.json", "/b", "");
  suite.features.back().program->env.set["CTEST_SET"] = "1";  // its own environment (ENVIRONMENT)
  add("parse", "i.json", "/b", "");
  suite.features.back().program->env.unset = {"HOME"};
  std::vector<model::SuiteSpec> suites{suite};
  PlanOptions p;
  p.tools = {model::Tool::memcheck, model::Tool::drd, model::Tool::asan};
  const auto jobs = make_jobs(suites, p);
  UnitOptions o;
  o.parallel = 1;
  std::map<model::Tool, std::vector<std::vector<std::size_t>>> units;
  for (const auto& u : make_units(suites, jobs, all(jobs), o)) {
    std::vector<std::size_t> features;
    for (auto j : u.jobs) features.push_back(jobs[j].feature);
    units[u.tool].push_back(features);
  }
  for (auto& [tool, features] : units) std::sort(features.begin(), features.end());
  const std::vector<std::vector<std::size_t>> shared = {{0, 1, 5}, {2}, {3}, {4}, {6}, {7}, {8}, {9}};
  EXPECT_EQ(units[model::Tool::memcheck], shared);
  EXPECT_EQ(units[model::Tool::drd], shared);       // every Valgrind tool
  EXPECT_EQ(units[model::Tool::asan].size(), 10u);  // a sanitizer's start costs milliseconds
  UnitOptions forced;
  forced.isolation = model::Isolation::process;
  for (const auto& u : make_units(suites, jobs, all(jobs), forced)) EXPECT_EQ(u.jobs.size(), 1u);
}

// The cases of one GoogleTest binary share a memcheck process; another binary's cases, other tools,
// a parameterised case and --isolation process keep one process per case.
TEST(Units, TheCasesOfOneGoogleTestBinaryShareAMemcheckProcess) {
  model::SuiteSpec suite;
  suite.name = "exec";
  auto add = [&](std::string binary, std::string name) {
    model::FeatureSpec f;
    f.name = binary + "." + name;
    f.isolation = model::Isolation::process;
    f.program = model::ProgramSpec{};
    f.program->argv = {"/bin/" + binary};
    f.program->gtest_case = name;
    f.program->origin = "gtest";
    suite.features.push_back(f);
  };
  add("a", "S.One");
  add("a", "S.Two");
  add("a", "P/S.Three/0");
  add("b", "S.One");
  add("a", "S.Four");
  std::vector<model::SuiteSpec> suites{suite};
  PlanOptions p;
  p.tools = {model::Tool::memcheck, model::Tool::helgrind};
  const auto jobs = make_jobs(suites, p);
  const auto units = make_units(suites, jobs, all(jobs), {});
  std::vector<std::vector<std::size_t>> memcheck;
  for (const auto& u : units) {
    if (u.tool == model::Tool::helgrind) EXPECT_EQ(u.jobs.size(), 1u);
    if (u.tool != model::Tool::memcheck) continue;
    std::vector<std::size_t> features;
    for (auto j : u.jobs) features.push_back(jobs[j].feature);
    memcheck.push_back(features);
  }
  std::sort(memcheck.begin(), memcheck.end());
  EXPECT_EQ(memcheck, (std::vector<std::vector<std::size_t>>{{0, 1, 4}, {2}, {3}}));
  UnitOptions forced;
  forced.isolation = model::Isolation::process;
  for (const auto& u : make_units(suites, jobs, all(jobs), forced)) EXPECT_EQ(u.jobs.size(), 1u);
  EXPECT_EQ(model::gtest_class("Suite.Name"), "Suite_Name_Test");
  EXPECT_EQ(model::gtest_class("P/S.Three/0"), "");
  EXPECT_EQ(model::gtest_class("Typed/0.Name"), "");
}

TEST(Units, UnseenJobsFirstThenLongestFirst) {
  std::vector<model::SuiteSpec> suites{suite_of(3)};
  suites[0].features[0].isolation = model::Isolation::process;
  suites[0].features[1].isolation = model::Isolation::process;
  suites[0].features[2].isolation = model::Isolation::process;
  PlanOptions p;
  p.tools = {model::Tool::asan};
  const auto jobs = make_jobs(suites, p);
  UnitOptions o;
  o.known_cost = [](const JobPlan& j) -> std::optional<double> {
    if (j.feature == 0) return 0.5;
    if (j.feature == 1) return 3.0;
    return std::nullopt;  // f2 never ran
  };
  const auto units = make_units(suites, jobs, all(jobs), o);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(jobs[units[0].jobs[0]].feature, 2u);
  EXPECT_TRUE(units[0].unseen);
  EXPECT_EQ(jobs[units[1].jobs[0]].feature, 1u);
  EXPECT_EQ(jobs[units[2].jobs[0]].feature, 0u);
}

TEST(Units, KnownCostsSizeTheBatches) {
  std::vector<model::SuiteSpec> suites{suite_of(20)};
  PlanOptions p;
  p.tools = {model::Tool::helgrind};
  const auto jobs = make_jobs(suites, p);
  UnitOptions cheap, dear;
  cheap.known_cost = [](const JobPlan&) -> std::optional<double> { return 0.01; };
  dear.known_cost = [](const JobPlan&) -> std::optional<double> { return 2.0; };
  // Cheap features: one batch (a second start-up would cost more than their work). Dear ones: one
  // batch per core, so both finish together.
  const auto a = make_units(suites, jobs, all(jobs), cheap);
  const auto b = make_units(suites, jobs, all(jobs), dear);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].jobs.size() + b[1].jobs.size(), 20u);
}

}  // namespace
}  // namespace harness::plan
