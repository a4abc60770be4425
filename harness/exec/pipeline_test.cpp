// The pipeline end to end on a scripted launcher (as ninja's build_test.cc drives its Builder with
// a fake command runner): compiles write a minimal ELF object, links a file, and the ASan driver
// writes the report channel the real driver runtime writes (markers, LeakSanitizer's text, the
// completion record with the run's secret). No compiler or tool runs; every case takes
// milliseconds: a batch that stops inside a feature, link failures, a cache hit, a missing
// sanitizer runtime, a timeout.
#include "harness/exec/pipeline.hpp"

#include "harness/exec/output_dir.hpp"
#include "harness/exec/scheduler.hpp"
#include "harness/spec/spec_loader.hpp"
#include "harness/testing/fake_process_launcher.hpp"
#include "harness/testing/scripted_launcher.hpp"
#include "harness/testing/temp_dir.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <set>

namespace harness::model {
void PrintTo(JobOutcome outcome, std::ostream* os) { *os << to_string(outcome); }
}  // namespace harness::model

namespace harness::exec {
namespace {
namespace asio = boost::asio;
using model::JobOutcome;

// The smallest ELF relocatable object libelf accepts: a header, no sections, no symbols.
std::string minimal_elf_object() {
  std::string elf(64, '\0');
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(elf.data(), ident, sizeof ident);
  auto put16 = [&](std::size_t at, unsigned v) {
    elf[at] = static_cast<char>(v & 0xff);
    elf[at + 1] = static_cast<char>(v >> 8);
  };
  put16(16, 1);   // e_type: ET_REL
  put16(18, 62);  // e_machine: x86-64
  elf[20] = 1;    // e_version
  put16(52, 64);  // e_ehsize
  put16(58, 64);  // e_shentsize
  return elf;
}

std::string value_after(const std::vector<std::string>& argv, const std::string& flag) {
  const auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? std::string() : *(it + 1);
}

std::string env_of(const Command& c, const std::string& key) {
  const auto it = c.env.find(key);
  return it == c.env.end() ? std::string() : it->second;
}

ProcessResult exited(int status) {
  ProcessResult result;
  result.exit_code = status;
  return result;
}

// What the fake toolchain and driver do.
struct Script {
  std::set<std::string> failing_links;  // output file names ("driver", "driver-leaks") whose link fails
  std::string link_error = "collect2: error: ld returned 1 exit status\n";
  int driver_runs = 0;
  std::vector<std::vector<std::string>> seen;  // every command's argv, in order

  std::optional<ProcessResult> operator()(const Command& c) {
    const auto& argv = c.argv;
    seen.push_back(argv);
    const bool compile = std::find(argv.begin(), argv.end(), "-c") != argv.end();
    const auto output = value_after(argv, "-o");
    if (compile) {
      if (source_says(argv.at(argv.size() - 3), "SYNTAX ERROR")) {
        util::write_file(c.stderr_path, "error: expected ';' before 'ERROR'\n");
        return exited(1);
      }
      util::write_file(output, minimal_elf_object());
      return exited(0);
    }
    if (!output.empty()) {  // a link
      const auto name = std::filesystem::path(output).filename().string();
      if (failing_links.count(name)) {
        util::write_file(c.stderr_path, link_error);
        return exited(1);
      }
      util::write_file(output, "#!/bin/false\n");
      return exited(0);
    }
    if (!env_of(c, "SOHOUND_REPORT_FILE").empty()) return driver(c);
    return exited(0);
  }

  // Whether a source, or a file it includes by a quoted name (a shared translation unit), says `text`.
  static bool source_says(const std::string& source, const std::string& text) {
    const auto body = util::read_file_or_empty(source);
    if (body.find(text) != std::string::npos) return true;
    for (auto line : util::split_lines(body))
      if (util::starts_with(line, "#include \""))
        if (source_says((std::filesystem::path(source).parent_path() / line.substr(10, line.size() - 11)).string(), text))
          return true;
    return false;
  }

  // The ASan driver: features by name ("leaks", "crashes", "hangs", anything else is clean).
  std::optional<ProcessResult> driver(const Command& c) {
    ++driver_runs;
    const auto at = std::find_if(c.argv.begin(), c.argv.end(), [](const std::string& a) {
      const auto name = std::filesystem::path(a).filename().string();
      return name == "driver" || util::starts_with(name, "driver-");
    });
    const std::vector<std::string> features(at + 1, c.argv.end());
    std::string channel, nonce;
    util::read_file(env_of(c, "SOHOUND_NONCE_FILE"), nonce);
    nonce = std::string(util::trim(nonce));
    int reports = 0;
    auto result = exited(0);
    for (const auto& f : features) {
      channel += fmt::format("sohound:begin {} t=1.000\n", f);
      if (f == "crashes" || f == "hangs") {
        util::write_file(env_of(c, "SOHOUND_REPORT_FILE"), channel);
        if (f == "hangs") return std::nullopt;
        result.exit_code = -1;
        result.signal = SIGSEGV;
        return result;
      }
      int own = 0;
      if (f == "leaks") {
        channel +=
            "=================================================================\n"
            "==42==ERROR: LeakSanitizer: detected memory leaks\n\n"
            "Direct leak of 40 byte(s) in 1 object(s) allocated from:\n"
            "    #0 0x7ffff78b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69\n"
            "    #1 0x55555556176f in feature_leaks /src/demo.yaml:9\n"
            "    #2 0x55555555d905 in sohound_body_thread /out/runtime/sohound_rt.h:259\n\n"
            "SUMMARY: AddressSanitizer: 40 byte(s) leaked in 1 allocation(s).\n";
        own = 1;
      }
      reports += own;
      channel += fmt::format("sohound:end {} t=1.100 fds= kids= reports={}\n", f, reports);
    }
    channel += fmt::format("sohound:complete reports={} channel_restored=0 nonce={}\n", reports, nonce);
    util::write_file(env_of(c, "SOHOUND_REPORT_FILE"), channel);
    util::write_file(env_of(c, "SOHOUND_DONE_FILE"), "");
    result.exit_code = reports ? 86 : 0;
    return result;
  }
};

struct PipelineRun : ::testing::Test {
  harness::testing::TempDir tmp{"sohound-pipeline"};
  Script script;
  std::vector<model::SuiteSpec> suites;
  PipelineStats stats;
  HostFacts host;  // this machine's facts play no part: each test says what it needs

  void load(const std::string& features, const std::string& extra = "") {
    const auto text = "suite: demo\ntools: [asan]\n" + extra + "features:\n" + features;
    auto suite = spec::load(text, tmp / "demo.yaml", tmp.path().string());
    ASSERT_TRUE(suite) << suite.error().message;
    suites = {std::move(*suite)};
  }

  std::vector<model::JobResult> run(const std::string& cache_dir = "") {
    asio::io_context io;
    harness::testing::ScriptedLauncher launcher(io.get_executor(), std::ref(script));
    harness::testing::ManualTimers timers(io.get_executor());
    Scheduler scheduler(io.get_executor(), launcher, timers, 1);
    auto out = OutputDir::claim(tmp / "out");
    EXPECT_TRUE(out) << out.error().message;
    PipelineOptions options;
    options.out = &*out;
    options.cache_dir = cache_dir;
    options.sohound_version = "test";
    options.parallel = 1;
    options.host = host;
    Pipeline pipeline(scheduler, suites, options);
    std::vector<model::JobResult> results;
    bool done = false;
    plan::PlanOptions plan_options;
    const auto jobs = plan::make_jobs(suites, plan_options);
    asio::co_spawn(io, pipeline.run_all(jobs, results, nullptr), [&](std::exception_ptr e) {
      done = true;
      if (e) std::rethrow_exception(e);
    });
    // Until the run ends; a process that hangs ends when its timeout fires.
    for (int round = 0; round < 100 && !done; ++round) {
      io.poll();
      io.restart();
      if (!done) timers.fire_all();
    }
    EXPECT_TRUE(done);
    stats = pipeline.stats();
    return results;
  }

  static const model::JobResult& job(const std::vector<model::JobResult>& results, const std::string& feature) {
    for (const auto& j : results)
      if (j.feature == feature) return j;
    throw std::runtime_error("no job " + feature);
  }
  static bool has_leak_in(const model::JobResult& job, const std::string& function) {
    for (const auto& f : job.findings)
      if (f.kind == "leak.definite")
        for (const auto& frame : f.stack)
          if (frame.function == function) return true;
    return false;
  }
};

const std::string k_three =
    "  - name: clean\n    code: 'int x = 0; (void)x;'\n"
    "  - name: crashes\n    code: 'int y = 0; (void)y;'\n"
    "  - name: leaks\n    code: 'int z = 0; (void)z;'\n";

TEST_F(PipelineRun, ABatchThatStopsInAFeatureRunsItAloneAndTheRestInANewBatch) {
  load(k_three);
  const auto results = run();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(job(results, "clean").outcome, JobOutcome::ok);
  EXPECT_TRUE(job(results, "clean").passed);
  EXPECT_EQ(job(results, "crashes").outcome, JobOutcome::crashed) << job(results, "crashes").message;
  EXPECT_EQ(job(results, "crashes").signal, SIGSEGV);
  EXPECT_EQ(job(results, "leaks").outcome, JobOutcome::ok) << job(results, "leaks").message;
  EXPECT_TRUE(has_leak_in(job(results, "leaks"), "feature_leaks"));
  EXPECT_FALSE(job(results, "leaks").passed);
  // One batch stopped in "crashes": it ran again alone, "leaks" in a batch of its own.
  EXPECT_EQ(script.driver_runs, 3);
  EXPECT_EQ(stats.processes, 3u);
  EXPECT_EQ(stats.reruns, 1u);
  EXPECT_EQ(job(results, "clean").unit_features, (std::vector<std::string>{"clean", "crashes", "leaks"}));
}

// Inline features share one compile; when it fails, each is compiled alone: the one that does not
// compile is build_failed with its own error, and the others run.
TEST_F(PipelineRun, FeaturesShareACompileAndOneThatDoesNotCompileStopsNoOther) {
  load(k_three);
  run();
  std::vector<std::string> sources;
  for (const auto& argv : script.seen)
    if (std::find(argv.begin(), argv.end(), "-c") != argv.end()) sources.push_back(argv.at(argv.size() - 3));
  ASSERT_EQ(sources.size(), 3u) << util::join(sources, " ");
  EXPECT_EQ(
      std::count_if(sources.begin(), sources.end(), [](const auto& s) { return s.find("/+unit-1.c") != std::string::npos; }), 1);

  std::filesystem::remove_all(tmp / "out");
  script.seen.clear();
  load(
      "  - name: clean\n    code: 'int x = 0; (void)x;'\n"
      "  - name: broken\n    code: 'SYNTAX ERROR'\n"
      "  - name: leaks\n    code: 'int z = 0; (void)z;'\n");
  const auto results = run();
  EXPECT_EQ(job(results, "broken").outcome, JobOutcome::build_failed);
  EXPECT_NE(job(results, "broken").log.find("expected ';'"), std::string::npos) << job(results, "broken").log;
  EXPECT_EQ(job(results, "clean").outcome, JobOutcome::ok) << job(results, "clean").message;
  EXPECT_TRUE(has_leak_in(job(results, "leaks"), "feature_leaks"));
  int compiles = 0;
  for (const auto& argv : script.seen) compiles += std::find(argv.begin(), argv.end(), "-c") != argv.end();
  EXPECT_EQ(compiles, 6);  // the shared unit (failed), each feature alone, the main object and the table
}

TEST_F(PipelineRun, WhenTheSharedLinkFailsEachFeatureGetsADriverOfItsOwn) {
  load(k_three);
  script.failing_links = {"driver", "driver-leaks"};
  const auto results = run();
  EXPECT_EQ(job(results, "clean").outcome, JobOutcome::ok);
  EXPECT_EQ(job(results, "crashes").outcome, JobOutcome::crashed);
  const auto& leaks = job(results, "leaks");
  EXPECT_EQ(leaks.outcome, JobOutcome::build_failed);
  EXPECT_NE(leaks.message.find("the driver did not link"), std::string::npos) << leaks.message;
  EXPECT_NE(leaks.log.find("ld returned 1 exit status"), std::string::npos) << leaks.log;
  EXPECT_EQ(script.driver_runs, 2);  // clean and crashes, each in its own driver
  // A driver of its own links the feature's own object: the shared unit's would bring the others'
  // undefined references along.
  int own_links = 0;
  for (const auto& argv : script.seen) {
    const auto name = std::filesystem::path(value_after(argv, "-o")).filename().string();
    if (!util::starts_with(name, "driver-") || std::find(argv.begin(), argv.end(), "-c") != argv.end()) continue;
    ++own_links;
    const auto feature = name.substr(7);
    EXPECT_TRUE(std::any_of(argv.begin(), argv.end(), [&](const auto& a) {
      return util::ends_with(a, "/obj/" + feature + ".o");
    })) << util::join(argv, " ");
    EXPECT_FALSE(std::any_of(argv.begin(), argv.end(), [](const auto& a) { return a.find("+unit-") != std::string::npos; }))
        << util::join(argv, " ");
  }
  EXPECT_EQ(own_links, 3);
}

TEST_F(PipelineRun, AMissingSanitizerRuntimeIsTheMachinesProblem) {
  load(k_three);
  script.failing_links = {"driver", "driver-clean", "driver-crashes", "driver-leaks"};
  script.link_error = "/usr/bin/ld: cannot find -lasan: No such file or directory\n";
  for (const auto& j : run()) {
    EXPECT_EQ(j.outcome, JobOutcome::tool_failed) << j.feature;
    EXPECT_NE(j.message.find("the asan runtime is not installed"), std::string::npos) << j.message;
  }
  EXPECT_EQ(script.driver_runs, 0);
}

TEST_F(PipelineRun, AnUnchangedRerunComesFromTheCacheAndIsJudgedAgain) {
  // clean first: the expectation added to leaks below then moves no feature's code.
  load("  - name: clean\n    code: 'int x = 0; (void)x;'\n  - name: leaks\n    code: 'int z = 0; (void)z;'\n");
  const auto cache = tmp / "cache";
  const auto first = run(cache);
  EXPECT_EQ(script.driver_runs, 1);
  const auto second = run(cache);
  EXPECT_EQ(script.driver_runs, 1);  // nothing ran again
  EXPECT_EQ(stats.cached, 2u);
  EXPECT_TRUE(job(second, "leaks").cached);
  EXPECT_TRUE(has_leak_in(job(second, "leaks"), "feature_leaks"));
  EXPECT_FALSE(job(second, "leaks").passed);
  // An expectation changes the verdict without running anything.
  load(
      "  - name: clean\n    code: 'int x = 0; (void)x;'\n  - name: leaks\n    code: 'int z = 0; (void)z;'\n"
      "    expect: [{kind: leak.definite}]\n");
  const auto third = run(cache);
  EXPECT_EQ(script.driver_runs, 1);
  EXPECT_TRUE(job(third, "leaks").passed);
}

TEST_F(PipelineRun, AFeatureThatHangsTimesOutAndTheOthersStillReport) {
  load("  - name: hangs\n    code: 'int h = 0; (void)h;'\n  - name: leaks\n    code: 'int z = 0; (void)z;'\n");
  const auto results = run();
  EXPECT_EQ(job(results, "hangs").outcome, JobOutcome::timeout) << job(results, "hangs").message;
  EXPECT_NE(job(results, "hangs").message.find("stopped after"), std::string::npos) << job(results, "hangs").message;
  EXPECT_TRUE(has_leak_in(job(results, "leaks"), "feature_leaks"));
}

}  // namespace
}  // namespace harness::exec

namespace harness::exec {
namespace {

// The machine's facts come in through PipelineOptions::host and nowhere else: a compiler launcher
// goes in front of compiles only, and sanitizer drivers start under setarch -R where it works.
TEST_F(PipelineRun, TheMachinesFactsShapeTheCommandsAndOnlyThroughTheOptions) {
  load(k_three);
  host.compiler_launcher = {"ccache"};
  host.without_aslr = true;
  run();
  int compiles = 0, links = 0, drivers = 0;
  for (const auto& argv : script.seen) {
    const bool compile = std::find(argv.begin(), argv.end(), "-c") != argv.end();
    if (compile) {
      ++compiles;
      EXPECT_EQ(argv.front(), "ccache") << util::join(argv, " ");
    } else if (!value_after(argv, "-o").empty()) {
      ++links;
      EXPECT_NE(argv.front(), "ccache") << util::join(argv, " ");
    } else if (argv.front() == "setarch") {
      ++drivers;
      EXPECT_EQ(argv.at(1), "-R");
    }
  }
  EXPECT_EQ(compiles, 3);  // three features in one translation unit, the driver's main object and its table
  EXPECT_GE(links, 1);
  EXPECT_GE(drivers, 1);

  script.seen.clear();
  host = {};
  run();
  for (const auto& argv : script.seen)
    EXPECT_TRUE(argv.front() != "ccache" && argv.front() != "setarch") << util::join(argv, " ");
}

}  // namespace
}  // namespace harness::exec
