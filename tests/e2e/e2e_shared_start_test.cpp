// Runs of one program in one Valgrind start (issue 22; exec/pipeline_programs.cpp,
// drivers/sohound_zygote.c), against real Valgrind: each run is its own job with the findings,
// outcome and output it has when it runs alone (--isolation process), and what cannot be shown to
// be a whole run's runs again alone.
#include "e2e_support.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace e2e {
namespace {

// A test program as data-driven suites have them: one executable, what it does chosen by its
// argument. Its own constructor must run once in each run's process, as after a fresh exec.
constexpr const char* k_program = R"(#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static int constructed;
__attribute__((constructor)) static void construct(void) { ++constructed; }
__attribute__((noinline)) static char *leak_here(void) { char *p = malloc(40); strcpy(p, "never freed"); return p; }
__attribute__((noinline)) static int *make_flag(void) { return malloc(sizeof(int)); }
static int counter;
static void *racer(void *arg) { ++counter; return arg; }
int main(int argc, char **argv) {
  if (constructed != 1) return 9;
  const char *what = argc > 1 ? argv[1] : "clean";
  printf("ran %s\n", what);
  fflush(stdout);
  if (!strcmp(what, "leak")) { char *volatile p = leak_here(); p = NULL; (void)p; }
  if (!strcmp(what, "fd")) open("/dev/null", O_RDONLY);
  if (!strcmp(what, "uninit")) { int *f = make_flag(), r = 0; if (*f > 0) r = 1; free(f); return r - r; }
  if (!strcmp(what, "crash")) { volatile int *p = NULL; return *p; }
  if (!strcmp(what, "three")) return 3;
  if (!strcmp(what, "race")) {
    pthread_t a, b;
    pthread_create(&a, NULL, racer, NULL);
    pthread_create(&b, NULL, racer, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
  }
  if (!strcmp(what, "hang")) { if (fork() == 0) sleep(120); sleep(120); }
  if (!strncmp(what, "read:", 5)) { FILE *f = fopen(what + 5, "r"); if (!f) return 5; fclose(f); }
  if (!strcmp(what, "tmp")) { int fd = open("/tmp/sohound-shared-start", O_CREAT | O_EXCL | O_WRONLY, 0600); if (fd < 0) return 4; close(fd); }
  if (!strcmp(what, "forks")) {
    pid_t pid = fork();
    if (pid == 0) { char *volatile p = leak_here(); p = NULL; (void)p; exit(0); }
    int status = 0;
    waitpid(pid, &status, 0);
  }
  if (!strcmp(what, "child")) {
    pid_t pid = fork();
    if (pid == 0) { execl(argv[0], argv[0], "leak", (char *)NULL); _exit(127); }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  return 0;
}
)";

// Empties `dir` and builds k_program there as `runs`.
bool fresh_folder_with_program(const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/runs.c") << k_program;
  return std::system(fmt::format("cc -g -O0 -o '{0}/runs' '{0}/runs.c'", dir).c_str()) == 0;
}

struct Seen {
  std::string outcome;
  std::set<std::string> findings;  // "kind in function", every new finding
};

// By "feature/tool".
std::map<std::string, Seen> seen(const json& results) {
  std::map<std::string, Seen> out;
  for (const auto& j : results["jobs"]) {
    auto& s = out[j["feature"].get<std::string>() + "/" + j["tool"].get<std::string>()];
    s.outcome = j["outcome"];
    for (const auto& f : j["findings"]) {
      std::string where;
      for (const auto& frame : f["stack"]) {
        const auto fn = frame.value("function", "");
        if (fn == "leak_here" || fn == "make_flag" || fn == "racer" || fn == "main") {
          where = fn;
          break;
        }
      }
      s.findings.insert(f["kind"].get<std::string>() + " in " + where);
    }
  }
  return out;
}

TEST(SharedStart, EachRunOfOneProgramHasTheFindingsItHasAlone) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/shared-start";
  ASSERT_TRUE(fresh_folder_with_program(dir));
  {
    std::ofstream spec(dir + "/spec.yaml");
    // Each tool scales the limit: memcheck 6 s, Helgrind and DRD 15 s (the hang runs under memcheck).
    spec << "suite: shared\ntools: [memcheck, helgrind, drd]\ntimeout: 0.3\nprograms:\n";
    for (const char* what :
         {"clean", "leak", "fd", "uninit", "crash", "three", "tmp", "tmp_again", "forks", "child", "race", "hang"}) {
      const std::string w = what;
      spec << fmt::format("  - name: {0}\n    program: {1}/runs\n    args: [{2}]\n    cwd: .\n{3}{4}", what, dir,
                          w == "tmp_again" ? "tmp" : what, w == "three" ? "    exit_status: 3\n" : "",
                          w == "hang" ? "    tools: [memcheck]\n" : "");
    }
  }
  auto run = [&](const std::string& name, const std::string& extra) {
    const auto out = run_sohound(
        fmt::format("run '{0}/spec.yaml' --no-cache --no-progress --report json -j 2 --out '{0}/{1}' {2}", dir, name, extra));
    EXPECT_EQ(out.exit_code, 1) << out.text;  // the leak, the descriptor, the value and the crash fail it
    return read_results(dir + "/" + name);
  };
  const auto shared = run("shared", "");
  const auto alone = run("alone", "--isolation process");
  // A start or two per tool (one per core) served the runs, not one per run, and uninit again with
  // origins; each run says so.
  EXPECT_LE(shared["execution"]["processes"].get<int>(), 7) << shared["execution"].dump();
  // 12 + 11 + 11; uninit again with origins; alone, each over the C library's symbols first, and
  // again over its full debug information where a finding has frames in it: fd (open), crash,
  // race under helgrind and DRD (start_thread). Not hang: it timed out, and would again
  // (docs/ARCHITECTURE.md, "Symbols first").
  EXPECT_EQ(alone["execution"]["processes"].get<int>(), 39) << alone["execution"].dump();
  const auto* hang_alone = job_in(alone, "hang", "memcheck");
  ASSERT_NE(hang_alone, nullptr);
  EXPECT_EQ((*hang_alone)["outcome"], "timeout");
  EXPECT_NE((*hang_alone)["notes"].dump().find("named from the library's symbols only"), std::string::npos)
      << (*hang_alone)["notes"].dump();
  for (const auto& j : shared["jobs"]) {
    if (j["feature"] == "uninit" && j["tool"] == "memcheck") continue;  // its last run was its own, with origins
    if (j["feature"] == "hang") continue;                               // the only memcheck-only run
    EXPECT_NE(j["notes"].dump().find(fmt::format("ran in one {} start with ", j["tool"].get<std::string>())), std::string::npos)
        << j["feature"] << " " << j["tool"] << ": " << j["notes"].dump();
  }
  const auto a = seen(alone), s_all = seen(shared);
  EXPECT_EQ(a.size(), 34u);
  for (const auto& [job, expected] : a) {
    SCOPED_TRACE(job);
    ASSERT_TRUE(s_all.count(job));
    EXPECT_EQ(s_all.at(job).outcome, expected.outcome);
    EXPECT_EQ(s_all.at(job).findings, expected.findings);
  }
  // And they are the right ones.
  using Set = std::set<std::string>;
  std::map<std::string, Seen> s;  // memcheck's, by feature
  for (const auto& [job, found] : s_all)
    if (job.ends_with("/memcheck")) s[job.substr(0, job.size() - 9)] = found;
  for (const char* tool : {"helgrind", "drd"}) {
    SCOPED_TRACE(tool);
    EXPECT_EQ(s_all.at(fmt::format("race/{}", tool)).findings, Set{"race.data in racer"});
    EXPECT_EQ(s_all.at(fmt::format("clean/{}", tool)).findings, Set{});
    EXPECT_EQ(s_all.at(fmt::format("crash/{}", tool)).outcome, "crashed");
  }
  EXPECT_EQ(s.at("clean").outcome, "ok");
  EXPECT_EQ(s.at("clean").findings, Set{});
  EXPECT_EQ(s.at("leak").findings, Set{"leak.definite in leak_here"});
  EXPECT_EQ(s.at("fd").findings, Set{"fd.leak in main"});
  EXPECT_EQ(s.at("uninit").findings, Set{"mem.uninit in main"});
  EXPECT_EQ(s.at("crash").outcome, "crashed");
  EXPECT_EQ(s.at("three").outcome, "ok");
  // Stopped alone, with the child it forked (in its process group, as alone): no process is left,
  // so the other runs' results are kept, not run again alone (the process count above).
  EXPECT_EQ(s.at("hang").outcome, "timeout");
  // Each run starts with an empty /tmp, as alone (the second would find the first's file).
  EXPECT_EQ(s.at("tmp").outcome, "ok");
  EXPECT_EQ(s.at("tmp_again").outcome, "ok");
  // A child that forks without exec is not checked (--child-silent-after-fork), as alone; one that
  // execs is followed, and its report is the run's.
  EXPECT_EQ(s.at("forks").findings, Set{});
  EXPECT_EQ(s.at("child").findings, Set{"leak.definite in leak_here"});
  // Each run's output is its own.
  const auto out_of = [&](const std::string& feature) {
    return slurp(dir + "/shared/jobs/shared/" + feature + "/memcheck/stdout.txt");
  };
  EXPECT_EQ(out_of("leak"), "ran leak\n");
  EXPECT_EQ(out_of("three"), "ran three\n");
}

// With the result cache, each run is keyed on what it opened itself (its part of the start's input
// record), not on what every run of the start opened: an edited input runs again only its reader.
TEST(SharedStart, AnEditedInputRunsAgainOnlyTheRunThatReadIt) {
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/shared-start-cache";
  ASSERT_TRUE(fresh_folder_with_program(dir));
  std::ofstream(dir + "/a.txt") << "a\n";
  std::ofstream(dir + "/b.txt") << "b\n";
  std::ofstream(dir + "/spec.yaml") << fmt::format(
      "suite: cached\ntools: [memcheck]\nprograms:\n"
      "  - {{name: reads_a, program: {0}/runs, args: ['read:a.txt'], cwd: .}}\n"
      "  - {{name: reads_b, program: {0}/runs, args: ['read:b.txt'], cwd: .}}\n"
      "  - {{name: clean, program: {0}/runs, args: [clean], cwd: .}}\n",
      dir);
  auto cached = [&](const std::string& name) {
    const auto out = run_sohound(
        fmt::format("run '{0}/spec.yaml' --cache-dir '{0}/cache' --no-progress --report json --out '{0}/{1}'", dir, name));
    EXPECT_EQ(out.exit_code, 0) << out.text;
    std::set<std::string> names;
    const auto r = read_results(dir + "/" + name);
    for (const auto& j : r["jobs"]) {
      if (j["cached"].get<bool>()) names.insert(j["feature"].get<std::string>());
      EXPECT_EQ(j["notes"].dump().find("not cached"), std::string::npos) << j["notes"].dump();
    }
    return names;
  };
  using Names = std::set<std::string>;
  EXPECT_EQ(cached("first"), Names{});
  EXPECT_EQ(cached("again"), (Names{"reads_a", "reads_b", "clean"}));
  std::ofstream(dir + "/a.txt") << "edited\n";
  EXPECT_EQ(cached("edited"), (Names{"reads_b", "clean"}));
  const auto first = read_results(dir + "/first");
  EXPECT_NE(first["jobs"][0]["notes"].dump().find("ran in one memcheck start"), std::string::npos) << first["jobs"][0].dump();
}

// sohound ctest shares a start among the runs of one test program, each judged as ctest judges it;
// --isolation process runs each alone, with the same verdicts (tests of e2e_ctest_props_test.cpp's
// project that keep no state).
TEST(SharedStart, CtestRunsShareAStartUnlessIsolationProcess) {
  const auto build = std::string(SOHOUND_E2E_OUT) + "/ctest_props/fidelity/plain";
  const auto dir = std::string(SOHOUND_E2E_OUT) + "/shared-start-ctest";
  std::filesystem::remove_all(dir);
  std::map<std::string, std::map<std::string, std::string>> outcomes;
  for (const char* isolation : {"batch", "process"}) {
    const auto out = run_sohound(fmt::format(
        "ctest '{}' -R '^(fails|will_fail|skips|pass_regex)$' --tools memcheck --isolation {} --no-cache --no-progress "
        "--report json --out '{}/{}'",
        build, isolation, dir, isolation));
    EXPECT_EQ(out.exit_code, 1) << out.text;  // `fails` fails
    const auto r = read_results(dir + "/" + isolation);
    EXPECT_EQ(r["execution"]["processes"].get<int>(), std::string(isolation) == "batch" ? 1 : 4) << isolation;
    for (const auto& j : r["jobs"]) outcomes[isolation][j["feature"]] = j["outcome"];
  }
  EXPECT_EQ(outcomes["batch"], outcomes["process"]);
  EXPECT_EQ(outcomes["batch"]["fails"], "crashed");
  EXPECT_EQ(outcomes["batch"]["will_fail"], "ok");
  EXPECT_EQ(outcomes["batch"]["skips"], "skipped");
  EXPECT_EQ(outcomes["batch"]["pass_regex"], "ok");
}

}  // namespace
}  // namespace e2e
