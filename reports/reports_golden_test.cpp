// Golden-file tests: each renderer's output for a fixed run is compared with its approved file in
// testdata/golden/ after masking what changes from run to run (the HTML's CSP nonce). After a
// deliberate change, re-approve with SOHOUND_UPDATE_GOLDEN=1 and review the diff.
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/merge.hpp"
#include "reports/registry.hpp"
#include "reports/results_reader.hpp"
#include "reports/sarif_report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <tuple>

namespace reports {
namespace {
namespace model = harness::model;

model::RunSummary fixed_run() {
  model::RunSummary s;
  s.sohound_version = "0.1.0";
  s.started_at = "2026-01-01T00:00:00Z";
  s.duration_s = 2.5;
  s.specs = {"suites/demo.yaml"};
  s.sandbox = "bubblewrap";
  s.sandbox_debug_copies = {"/usr/lib/debug/.build-id/93/ac61ec5a8eb1396f9fbd350e3169a558528a40.debug"};
  s.suppressions = {{"cxx-function-local-static-init", "<default>:4", 1}};
  model::Finding leak;
  leak.kind = "leak.definite";
  leak.tool_kind = "Leak_DefinitelyLost";
  leak.fingerprint = "d5cb9422882277a3";
  leak.message = "16 bytes in 1 blocks are definitely lost in loss record 1 of 1";
  leak.bytes = 16;
  leak.blocks = 1;
  leak.stack = {{"malloc", "", 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"},
                {"make_label", "/src/lib/demo.c", 12, "/out/lib/libdemo.so"},
                {"feature_leaky", "/src/suites/demo.yaml", 9, "/out/driver"},
                // The harness below the feature (folded in SARIF and HTML), and a glibc build path
                // that exists nowhere (no physical location in SARIF).
                {"sohound_body_thread", "/out/runtime/sohound_rt.h", 100, "/out/driver"},
                {"start_thread", "/build/glibc/nptl/pthread_create.c", 442, "/usr/lib/x86_64-linux-gnu/libc.so.6"}};
  model::Finding race;
  race.kind = "race.data";
  race.tool_kind = "Race";
  race.fingerprint = "089d6bc0c3f23b53";
  race.message = "Possible data race during read of size 4 <at> 0x10 & co";
  race.status = model::FindingStatus::expected;
  race.expected_by = "race.data in bump";
  race.stack = {{"bump", "/src/lib/demo.c", 20, "/out/lib/libdemo.so"}};
  race.aux_stacks = {{"This conflicts with a previous write of size 4 by thread #2", {{"bump", "/src/lib/demo.c", 20, ""}}}};
  model::Finding noise = race;
  noise.fingerprint = "1111111111111111";
  noise.status = model::FindingStatus::suppressed;
  noise.suppressed_by = "cxx-function-local-static-init";
  noise.expected_by.clear();

  // An indirect leak the definite one owns: a follow-on, shown under it.
  model::Finding owned = leak;
  owned.kind = "leak.indirect";
  owned.tool_kind = "Leak_IndirectlyLost";
  owned.fingerprint = "ee00000000000001";
  owned.message = "8 bytes in 1 blocks are indirectly lost in loss record 2 of 2";
  owned.bytes = 8;
  owned.root = leak.fingerprint;

  model::JobResult a;
  a.suite = "demo";
  a.feature = "leaky";
  a.tool = model::Tool::memcheck;
  a.passed = false;
  a.duration_s = 0.5;
  a.sandboxed = true;
  a.exit_code = 0;
  a.findings = {leak, owned};
  a.phases = {{"build", 0, 0.2}, {"run", 0.2, 0.7}, {"parse", 0.7, 0.71}};
  a.driver_source = "/* driver */\nint main(void) { return 0; }\n";
  a.run_command = "cd /out && valgrind --tool=memcheck -- /out/driver";
  model::JobResult b = a;
  b.tool = model::Tool::asan;
  model::JobResult c;
  c.suite = "demo";
  c.feature = "racy";
  c.tool = model::Tool::helgrind;
  c.passed = true;
  c.duration_s = 1.25;
  c.findings = {race, noise};
  c.unmatched_expectations = {"race.lock_order in lock_*"};
  model::JobResult d;
  d.suite = "demo";
  d.feature = "broken";
  d.tool = model::Tool::memcheck;
  d.passed = false;
  d.outcome = model::JobOutcome::build_failed;
  d.message = "gcc exited with status 1";
  d.log = "demo.yaml:12:9: error: expected expression before ';' token\n";
  // TSan's race through an uninstrumented library: the feature's frame is one Sohound restored
  // (model::Frame::restored), said so in every report.
  model::Finding through_library;
  through_library.kind = "race.data";
  through_library.tool_kind = "data race";
  through_library.fingerprint = "2222222222222222";
  through_library.message = "data race";
  through_library.stack = {{"g_hash_table_insert", "", 0, "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0"},
                           {"feature_racy", "/src/suites/demo.yaml", 14, "/out/driver", true},
                           {"sohound_body_thread", "/out/runtime/sohound_rt.h", 100, "/out/driver"}};
  // A race entirely inside a prebuilt library on its own static data (aggregate/ownership):
  // third_party, its owner and evidence in every report, apart from what fails.
  model::Finding library_race;
  library_race.kind = "race.data";
  library_race.tool_kind = "Race";
  library_race.fingerprint = "3333333333333333";
  library_race.message = "Possible data race during write of size 8 at 0x4938050 by thread #12";
  library_race.status = model::FindingStatus::third_party;
  library_race.owner = "libcjson.so.1.7.15";
  library_race.ownership =
      "Every access is inside libcjson.so.1.7.15 (cJSON_ParseWithLengthOpts), on static data (BSS) of "
      "libcjson.so.1.7.15: a race in code you did not write, on its own data.";
  library_race.stack = {{"cJSON_ParseWithLengthOpts", "", 0, "/usr/lib/x86_64-linux-gnu/libcjson.so.1.7.15"},
                        {"feature_racy", "/src/suites/demo.yaml", 15, "/out/driver"}};
  library_race.aux_stacks = {{"Address 0x4938050 is in the BSS segment of /usr/lib/x86_64-linux-gnu/libcjson.so.1.7.15", {}}};
  c.findings.push_back(library_race);
  model::JobResult t = c;
  t.tool = model::Tool::tsan;
  t.passed = false;
  t.findings = {through_library};
  t.unmatched_expectations.clear();
  model::JobResult e = d;
  e.tool = model::Tool::tsan;
  e.outcome = model::JobOutcome::cancelled;
  e.message = "cancelled before it finished";
  e.log.clear();
  // A coroutine's frame leaked (aggregate/coroutines), and a race between two coroutines resumed on
  // two threads by an event loop's scheduler: named, titled and folded in every report.
  model::Finding frame_leak;
  frame_leak.kind = "leak.definite";
  frame_leak.tool_kind = "Leak_DefinitelyLost";
  frame_leak.fingerprint = "4444444444444444";
  frame_leak.message = "56 bytes in 1 blocks are definitely lost in loss record 1 of 1";
  frame_leak.bytes = 56;
  frame_leak.blocks = 1;
  frame_leak.stack = {{"operator new(unsigned long)", "", 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"},
                      {"count_to(int)", "/src/coro.cpp", 19, "/out/driver"},
                      {"start_and_forget()", "/src/coro.cpp", 25, "/out/driver"},
                      {"feature_coro", "/src/suites/demo.yaml", 20, "/out/driver"}};
  frame_leak.leaked_coroutine =
      model::LeakedCoroutine{"count_to(int)", "/src/coro.cpp", 19, "start_and_forget()", "/src/coro.cpp", 25, "finished"};
  model::Finding coroutine_race;
  coroutine_race.kind = "race.data";
  coroutine_race.tool_kind = "Race";
  coroutine_race.fingerprint = "5555555555555555";
  coroutine_race.message = "Possible data race during write of size 8 at 0x10c0e0 by thread #3";
  auto resumed = [](const char* clone, const char* coroutine, int line) {
    return std::vector<model::Frame>{
        {clone, "/src/coro.cpp", line, "/out/driver", false, false, coroutine, "resumed"},
        {"std::__n4861::coroutine_handle<void>::resume() const", "/usr/include/c++/12/coroutine", 135, "/out/driver", false,
         false, "", "", true},
        {"boost::asio::detail::scheduler::do_run_one(...)", "/usr/include/boost/asio/detail/impl/scheduler.ipp", 493,
         "/out/driver", false, false, "", "", true},
        {"boost::asio::detail::scheduler::run(boost::system::error_code&)", "/usr/include/boost/asio/detail/impl/scheduler.ipp",
         210, "/out/driver", false, false, "", "", true},
        {"boost::asio::io_context::run()", "/usr/include/boost/asio/impl/io_context.ipp", 63, "/out/driver", false, false, "", "",
         true},
        {"serve()", "/src/coro.cpp", 60, "/out/driver"}};
  };
  coroutine_race.stack = resumed("withdraw(int) [clone .resume]", "withdraw(int)", 44);
  coroutine_race.aux_stacks = {{"This conflicts with a previous write of size 8 by thread #2",
                                resumed("deposit(int) [clone .resume]", "deposit(int)", 38)}};
  coroutine_race.coroutines = {"withdraw(int)", "deposit(int)"};
  model::JobResult co;
  co.suite = "demo";
  co.feature = "coro";
  co.tool = model::Tool::helgrind;
  co.passed = false;
  co.duration_s = 0.75;
  co.findings = {frame_leak, coroutine_race};
  s.jobs = {a, b, c, t, d, e, co};
  return s;
}

std::string mask(std::string text) {
  return std::regex_replace(text, std::regex("nonce-[0-9a-f]+|nonce=\"[0-9a-f]+\""), "NONCE");
}

// The page without the stylesheet and the script it embeds (reports/html/report.{css,js}, files
// of their own, checked by the browser tests): the golden file keeps the data and the markup, so a
// change to the script does not re-approve every golden report.
std::string without_embedded_files(const std::string& page) {
  std::string out = page;
  for (const auto& [open, close, name] : {std::tuple{std::string("<style NONCE>\n"), std::string("</style>"), "report.css"},
                                          std::tuple{std::string("<script NONCE>\n"), std::string("</script>"), "report.js"}}) {
    const auto begin = out.find(open);
    const auto end = begin == std::string::npos ? begin : out.find(close, begin);
    if (end != std::string::npos) out.replace(begin + open.size(), end - begin - open.size(), fmt::format("[{}]\n", name));
  }
  return out;
}

void check_golden(const std::string& name, const std::string& actual) {
  const auto path = std::string(SOHOUND_TESTDATA_DIR) + "/golden/" + name;
  if (const char* update = std::getenv("SOHOUND_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    harness::util::write_file(path, actual);
    return;
  }
  std::string approved;
  ASSERT_TRUE(harness::util::read_file(path, approved)) << "no approved file " << path << " (SOHOUND_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(actual, approved) << name << " differs from its approved file; if the change is intended, re-approve "
                              << "with SOHOUND_UPDATE_GOLDEN=1 and review the diff";
}

ReportOptions options() {
  ReportOptions o;
  o.source_root = "/src";
  o.read_sources = false;  // deterministic: no snippets from this machine's disk
  // The fixed run's sources "exist" (nothing else does: glibc's build paths, the runtime header).
  o.file_exists = [](const std::string& path) { return path == "/src/lib/demo.c" || path == "/src/suites/demo.yaml"; };
  return o;
}

TEST(ReportsGolden, Json) {
  std::ostringstream out;
  write_json(fixed_run(), out);
  check_golden("results.json.approved", out.str());
}

TEST(ReportsGolden, Junit) {
  std::ostringstream out;
  write_junit(fixed_run(), out, options());
  check_golden("junit.xml.approved", out.str());
}

TEST(ReportsGolden, Sarif) {
  std::ostringstream out;
  write_sarif(fixed_run(), out, options());
  check_golden("results.sarif.approved", out.str());
}

TEST(ReportsGolden, Html) {
  std::ostringstream out;
  write_html(fixed_run(), out, options());
  check_golden("report.html.approved", without_embedded_files(mask(out.str())));
}

TEST(Reports, ResultsJsonRoundTrips) {
  const auto dir = std::filesystem::temp_directory_path() / ("sohound-rt-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "results.json").string();
  std::ostringstream first;
  write_json(fixed_run(), first);
  harness::util::write_file(path, first.str());
  auto read = read_results(path);
  ASSERT_TRUE(read) << read.error().message;
  std::ostringstream second;
  write_json(*read, second);
  EXPECT_EQ(first.str(), second.str());
  std::filesystem::remove_all(dir);
}

TEST(Reports, MergeRejectsOverlappingShardsUnlessAllowed) {
  const auto run = fixed_run();
  auto shard_a = run, shard_b = run;
  shard_a.jobs = {run.jobs[0], run.jobs[2]};
  shard_b.jobs = {run.jobs[1], run.jobs[3]};
  auto merged = merge_runs({shard_a, shard_b}, {"a.json", "b.json"}, false);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->jobs.size(), 4u);
  EXPECT_EQ(merged->suppressions.at(0).matched, 2u) << "usage adds up across shards";
  auto overlap = merge_runs({shard_a, shard_a}, {"a.json", "again.json"}, false);
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().message,
            "job demo/leaky [memcheck] is in both a.json and again.json; shards must not overlap "
            "(--allow-duplicates keeps the later one)");
  EXPECT_TRUE(merge_runs({shard_a, shard_a}, {"a", "b"}, true));
}

TEST(Reports, UnknownReportNameSuggests) {
  auto r = select_renderers({"html", "sarf"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unknown report 'sarf' (did you mean 'sarif'?); known reports: json, junit, sarif, html");
}

TEST(Reports, XmlEscapingKeepsDocumentsValid) {
  auto run = fixed_run();
  run.jobs[0].findings[0].message = std::string("bad \x01 byte \xff and </testcase><x>", 32);
  std::ostringstream out;
  write_junit(run, out, options());
  const auto xml = out.str();
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find("\xff"), std::string::npos);
  EXPECT_NE(xml.find("&lt;/testcase&gt;&lt;x&gt;"), std::string::npos);
  EXPECT_NE(xml.find("\xEF\xBF\xBD"), std::string::npos) << "invalid bytes become U+FFFD";
}

}  // namespace
}  // namespace reports
