#include "harness/exec/job_reports.hpp"

#include "harness/exec/report_proof.hpp"
#include "harness/exec/tool_commands.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

namespace harness::exec {
namespace {

namespace fs = std::filesystem;
using model::JobOutcome;

class JobReports : public ::testing::Test {
 protected:
  model::JobResult job(model::Tool tool, const std::string& stderr_text) {
    std::ofstream(m_dir / "stderr.txt", std::ios::binary) << stderr_text;
    model::JobResult j;
    j.tool = tool;
    j.job_dir = m_dir.string();
    return j;
  }

  testing::TempDir m_tmp{"sohound-job-reports"};
  const fs::path& m_dir = m_tmp.path();
};

TEST_F(JobReports, TsanThatCannotMapItsShadowIsAToolFailureWithTheFix) {
  auto j = job(model::Tool::tsan, testing::testdata("sanitizers/tsan-gcc-unexpected-mapping-stderr.txt"));
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 66, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::tool_failed);
  EXPECT_EQ(j.message, "FATAL: ThreadSanitizer: unexpected memory mapping 0x64d84831b000-0x64d84831c000");
  ASSERT_EQ(j.notes.size(), 1u);
  EXPECT_NE(j.notes[0].find("sysctl vm.mmap_rnd_bits=28"), std::string::npos);
}

TEST_F(JobReports, EndlessAsanDeadlySignalIsAToolFailureNotTheFeaturesTimeout) {
  // The real flood's first lines, repeated to the size that matters (the real file was 1.4 GB).
  const auto head = testing::testdata("sanitizers/asan-gcc-deadlysignal-head.txt");
  std::string flood;
  while (flood.size() < 1024 * 1024) flood += head;
  auto j = job(model::Tool::asan, flood);
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = -1, .signal = 9, .strays = {}, .notes = {}},
                   "stopped after 6.0 s (2 s x3 for asan)");
  EXPECT_EQ(j.outcome, JobOutcome::tool_failed);
  EXPECT_EQ(j.message,
            "AddressSanitizer:DEADLYSIGNAL, printed without end until the job's time ran out (stopped after 6.0 s "
            "(2 s x3 for asan))");
  ASSERT_EQ(j.notes.size(), 2u);
  EXPECT_NE(j.notes[0].find("setarch -R"), std::string::npos);
  EXPECT_EQ(j.notes[1], "stderr.txt held " + std::to_string(flood.size()) + " bytes of that line; cut to its first 64 KiB");
  EXPECT_EQ(fs::file_size(m_dir / "stderr.txt"), 64u * 1024);
}

TEST_F(JobReports, ASanitizedDriverDyingOfSegvInSilenceIsItsRuntimeFailing) {
  auto j = job(model::Tool::tsan, "");
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = -1, .signal = SIGSEGV, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::tool_failed);
  EXPECT_EQ(j.message, "the tsan runtime died of SIGSEGV without a word: it did not start");
  // Only the shadow-memory runtimes (ASan, TSan) are read this way; for others it stays a crash.
  auto v = job(model::Tool::ubsan, "");
  read_job_reports(v, ProcessResult{.start_error = {}, .exit_code = -1, .signal = SIGSEGV, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(v.outcome, JobOutcome::crashed);
}

TEST_F(JobReports, ATimeoutWithOtherOutputStaysATimeout) {
  auto j = job(model::Tool::asan, "AddressSanitizer:DEADLYSIGNAL\nworking on item 7\n");
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = -1, .signal = 9, .strays = {}, .notes = {}},
                   "stopped after 6.0 s");
  EXPECT_EQ(j.outcome, JobOutcome::timeout);
  EXPECT_TRUE(j.notes.empty());
}

// memcheck's descriptor listing at a kill says what was open at that moment (in CI: the library
// ld.so was mapping when a timeout landed), not what a feature left open.
class KilledValgrindJob : public JobReports, public ::testing::WithParamInterface<int> {};

TEST_P(KilledValgrindJob, DescriptorsOpenAtTheKillAreNotLeaksUnlessTheProcessEndedItself) {
  auto j = job(model::Tool::memcheck, "");
  fs::copy_file(testing::testdata_path("valgrind/memcheck-sigterm-openfd.xml"), m_dir / "vg.1077.xml");
  fs::copy_file(testing::testdata_path("valgrind/memcheck-sigterm-openfd.log"), m_dir / "vg.1077.log");
  const int signal = GetParam();
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = signal ? -1 : 0, .signal = signal, .strays = {}, .notes = {}},
                   signal ? "stopped after 0.3 s" : "");
  std::vector<std::string> fds;
  for (const auto& f : j.findings)
    if (f.kind == "fd.leak") fds.push_back(f.message);
  if (signal == SIGTERM || signal == SIGKILL) {
    EXPECT_TRUE(fds.empty()) << fds.front();
    EXPECT_EQ(j.outcome, JobOutcome::timeout);
  } else {
    ASSERT_EQ(fds.size(), 1u);
    EXPECT_NE(fds[0].find("/etc/hostname"), std::string::npos) << fds[0];
  }
}

INSTANTIATE_TEST_SUITE_P(Signals, KilledValgrindJob, ::testing::Values(SIGTERM, SIGKILL, 0));

// What the driver read in each leaked block (drivers/sohound_rt_frames.h) is pinned to its loss
// record. Real capture, GCC, memcheck batch of three features: a task whose frame was never
// destroyed (its resume pointer null: finished), a generator left at a co_yield (suspended), a
// clean control. The end-of-run check lists both records again under other numbers (4 and 5 of 5,
// after the last marker): those repeats are dropped, and no state lands on them.
TEST_F(JobReports, AFramesStateGoesToItsLossRecordOnly) {
  auto j = job(model::Tool::memcheck, "");
  fs::copy_file(testing::testdata_path("valgrind/memcheck-coroutine-frames.xml"), m_dir / "vg.1170.xml");
  fs::copy_file(testing::testdata_path("valgrind/memcheck-coroutine-frames.log"), m_dir / "vg.1170.log");
  std::vector<ProcessStream> streams;
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 0, .signal = 0, .strays = {}, .notes = {}}, "", &streams);
  ASSERT_EQ(streams.size(), 1u);
  std::vector<std::string> states;
  for (const auto& owned : streams[0].findings) {
    if (owned.finding.kind != "leak.definite") continue;
    const auto& c = owned.finding.leaked_coroutine;
    states.push_back(owned.owner + ":" + (c ? c->state : "-"));
  }
  EXPECT_EQ(states, (std::vector<std::string>{"frame_never_destroyed:finished", "generator_left_pending:suspended"}));
}

// The sanitizer report channel (drivers/sohound_rt.h): a finished driver's clean verdict needs the
// runtime's completion record and every report it counted. Real capture: a GCC ASan batch whose
// features closed (closefrom) or took over (dup2) the channel's descriptor; the driver restored it.
class Channel : public JobReports {
 protected:
  model::JobResult finished_asan_job(const std::string& channel) {
    auto j = job(model::Tool::asan, "");
    std::ofstream(m_dir / "asan.report", std::ios::binary) << channel;
    std::ofstream(m_dir / k_driver_done_file) << "done\n";
    return j;
  }
  const std::string m_capture = testing::testdata("sanitizers/asan-gcc-channel-restored.report");
};

TEST_F(Channel, ACaptureWithItsCompletionRecordProvesTheRunAndNamesWhoClosedTheChannel) {
  const auto proof = read_channel_proof(m_capture);
  EXPECT_TRUE(proof.complete);
  EXPECT_EQ(proof.reports_made, 6u);
  EXPECT_EQ(proof.reports_seen, 6u);
  ASSERT_EQ(proof.restored.size(), 3u);
  EXPECT_EQ(proof.restored[0].feature, "leak_after_closefrom");
  EXPECT_EQ(proof.restored[0].fd, "900");
  EXPECT_EQ(proof.restored[2].feature, "overflow_while_channel_replaced");

  auto j = finished_asan_job(m_capture);
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 0, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::ok) << j.message;
  ASSERT_EQ(j.notes.size(), 3u);
  EXPECT_EQ(j.notes[0],
            "the feature leak_after_closefrom closed or replaced descriptor 900, which carried asan's reports (asan.report); the "
            "driver restored the channel and wrote what asan printed meanwhile again, so nothing was lost");
}

TEST_F(Channel, AFinishedDriverWithoutTheCompletionRecordIsReportLost) {
  auto cut = m_capture.substr(0, m_capture.find("sohound:complete"));
  auto j = finished_asan_job(cut);
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 0, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::report_lost);
  EXPECT_NE(j.message.find("asan.report does not end with the driver's completion record"), std::string::npos) << j.message;
  EXPECT_FALSE(j.findings.empty()) << "what did arrive is still reported";
}

TEST_F(Channel, AReportCountedButMissingIsReportLost) {
  auto text = m_capture;
  const auto at = text.find("SUMMARY: AddressSanitizer: heap-buffer-overflow");
  text.erase(at, text.find('\n', at) + 1 - at);
  auto j = finished_asan_job(text);
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 0, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::report_lost);
  EXPECT_EQ(
      j.message,
      "asan printed 6 report(s) but 5 arrived in asan.report: the rest were lost on the way, so the findings are incomplete");
}

TEST_F(Channel, TheDriversChannelLostExitIsReportLost) {
  auto j = job(model::Tool::ubsan, "");
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = k_driver_channel_lost_exit, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::report_lost);
  EXPECT_NE(j.message.find("the driver could not reopen it"), std::string::npos) << j.message;
}

// The user's programs report through Sohound's channel library (drivers/sohound_channel.c). Real
// captures: a Clang ASan build (runtime linked in: no report count) that replaced every descriptor
// with dup2, and a shell script running a GCC ASan build twice, the second ending with _exit.
class ProgramChannel : public Channel {
 protected:
  model::JobResult program_job(const std::string& capture) {
    auto j = job(model::Tool::asan, "");
    std::ofstream(m_dir / "asan.report", std::ios::binary) << testing::testdata("sanitizers/" + capture);
    return j;
  }
  static model::ProgramSpec script() {
    model::ProgramSpec program;
    program.argv = {"/bin/sh"};
    program.builds[model::Flavour::asan] = "/bin/sh";
    return program;
  }
  const ProcessResult m_exited{.start_error = {}, .exit_code = k_sanitizer_exit_code, .strays = {}, .notes = {}};
};

TEST_F(ProgramChannel, TheRecordWithTheRunsSecretProvesTheRunWhereTheRuntimeCountsNothing) {
  const auto text = testing::testdata("sanitizers/asan-clang-program-dup2.report");
  const auto proof = read_channel_proof(text);
  EXPECT_TRUE(proof.complete);
  EXPECT_EQ(proof.nonce, "c2bd639a2b09bcad5f692f5e7fafd788");
  EXPECT_EQ(proof.reports_made, 0u) << "reports=- : the hook is not reached in a program with the runtime linked in";
  EXPECT_EQ(proof.reports_seen, 1u);
  const auto program = script();
  auto j = program_job("asan-clang-program-dup2.report");
  read_job_reports(j, m_exited, "", nullptr, &program, "c2bd639a2b09bcad5f692f5e7fafd788");
  EXPECT_EQ(j.outcome, JobOutcome::ok) << j.message;
  ASSERT_EQ(j.findings.size(), 1u);
  EXPECT_EQ(j.findings[0].kind, "leak.definite");
  EXPECT_EQ(j.findings[0].stack.at(1).function, "main");

  auto forged = program_job("asan-clang-program-dup2.report");
  read_job_reports(forged, m_exited, "", nullptr, &program, "another-runs-secret");
  EXPECT_EQ(forged.outcome, JobOutcome::report_lost);
  EXPECT_NE(forged.message.find("completion record is not this run's"), std::string::npos) << forged.message;
}

TEST_F(ProgramChannel, EveryProcessThatOpenedTheChannelNeedsItsRecord) {
  const auto proof = read_channel_proof(testing::testdata("sanitizers/asan-gcc-program-two-owners.report"));
  EXPECT_FALSE(proof.complete);
  EXPECT_EQ(proof.reports_made, 1u);
  EXPECT_EQ(proof.reports_seen, 1u);
  EXPECT_EQ(proof.unfinished, std::vector<std::string>{"21677"});
  const auto program = script();
  auto j = program_job("asan-gcc-program-two-owners.report");
  read_job_reports(j, m_exited, "", nullptr, &program, "187a4eda0cce4ffe4753fc654e59a14f");
  EXPECT_EQ(j.outcome, JobOutcome::report_lost);
  EXPECT_NE(j.message.find("completion record of Sohound's channel library (process 21677): the process skipped its "
                           "exit handlers (_exit"),
            std::string::npos)
      << j.message;
  ASSERT_EQ(j.findings.size(), 1u) << "what did arrive is still reported";
}

TEST_F(ProgramChannel, AProgramThatRanNothingUnderTheToolClaimsNothing) {
  const auto program = script();
  auto j = job(model::Tool::asan, "");
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 0, .strays = {}, .notes = {}}, "", nullptr, &program,
                   "secret");
  EXPECT_EQ(j.outcome, JobOutcome::skipped);
  EXPECT_EQ(j.message,
            "/bin/sh is not built with asan and started no program that is: asan checked nothing, so the job claims "
            "nothing (give the asan build of the program, or leave asan out of its tools)");
  // The same script failing is still its failure, not a skip.
  auto failed = job(model::Tool::asan, "");
  read_job_reports(failed, ProcessResult{.start_error = {}, .exit_code = 1, .strays = {}, .notes = {}}, "", nullptr, &program,
                   "secret");
  EXPECT_EQ(failed.outcome, JobOutcome::crashed) << failed.message;
}

// LeakSanitizer lists at most 5,000 leaks (a constant of its own, no option raises it): a report it
// cut fails the job, and the leaks it did list are kept. Real capture, cut to its head and end.
TEST_F(Channel, LeakSanitizersCapIsReportTruncated) {
  const auto capture = testing::testdata("sanitizers/lsan-gcc-too-many-leaks.report");
  EXPECT_EQ(report_truncation(capture), "Too many leaks! Only the first 5000 leaks encountered will be reported.");
  EXPECT_EQ(report_truncation(m_capture), "");
  auto j = finished_asan_job(capture);
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 0, .strays = {}, .notes = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::report_truncated);
  EXPECT_NE(j.message.find("asan cut its report in asan.report: \"Too many leaks!"), std::string::npos) << j.message;
  ASSERT_FALSE(j.findings.empty());
  EXPECT_EQ(j.findings.front().kind, "leak.definite");
}

}  // namespace
}  // namespace harness::exec

namespace harness::exec {
namespace {

// One outcome table for every tool (issue 21): the same three faults in a feature (testdata/outcomes/
// otab.yaml: a SEGV, a double free, an abort()) under each of the six tools, from real job folders
// (one process per feature; /out is the output folder, /src the spec's). A fault in the feature is
// `crashed` with a crash.signal finding that carries the tool's stack down to the feature's frame;
// a tool's own failure is `tool_failed` with its message; glibc's abort message is the finding's.
struct Cell {
  const char* tool;
  const char* feature;
  JobOutcome outcome;
  const char* kind;     // the finding that must be there ("" for none at all)
  const char* message;  // a part of its message (or of the job's, for tool_failed)
};

class OutcomeTable : public ::testing::TestWithParam<Cell> {
 protected:
  testing::TempDir m_tmp{"sohound-outcome-table"};
};

std::string cell_name(const ::testing::TestParamInfo<Cell>& info) {
  return std::string(info.param.tool) + "_" + info.param.feature;
}

TEST_P(OutcomeTable, EachToolNamesTheFaultTheSameWay) {
  const auto& cell = GetParam();
  const auto name = std::string(cell.tool) + "-" + cell.feature;
  const fs::path capture = fs::path(SOHOUND_TESTDATA_DIR) / "outcomes" / name;
  fs::copy(capture, m_tmp.path());
  const auto processes = nlohmann::json::parse(testing::testdata("outcomes/processes.json"));
  ProcessResult process;
  for (const auto& p : processes)
    if (p["case"] == name) {
      process.exit_code = p["exit_code"];
      process.signal = p["signal"];
    }
  model::JobResult job;
  job.tool = *model::tool_from_name(cell.tool);
  job.job_dir = m_tmp.path().string();
  read_job_reports(job, process, "");
  std::string seen;
  for (const auto& f : job.findings) seen += f.kind + ": " + f.message + "\n";
  EXPECT_EQ(job.outcome, cell.outcome) << name << ": " << job.message << "\n" << seen;
  if (cell.outcome == JobOutcome::tool_failed) {
    EXPECT_NE(job.message.find(cell.message), std::string::npos) << job.message;
    return;
  }
  if (!*cell.kind) {
    EXPECT_TRUE(job.findings.empty()) << seen;
    return;
  }
  const model::Finding* found = nullptr;
  for (const auto& f : job.findings)
    if (f.kind == cell.kind && f.message.find(cell.message) != std::string::npos) found = &f;
  ASSERT_NE(found, nullptr) << name << " has no " << cell.kind << " with '" << cell.message << "':\n" << seen;
  bool feature_frame = false;
  for (const auto& frame : found->stack) feature_frame = feature_frame || frame.function.find(cell.feature) != std::string::npos;
  EXPECT_TRUE(feature_frame) << name << ": the feature's frame is on the stack";
}

INSTANTIATE_TEST_SUITE_P(
    Captured, OutcomeTable,
    ::testing::Values(
        Cell{"memcheck", "segv", JobOutcome::crashed, "crash.signal", "SIGSEGV"},
        Cell{"helgrind", "segv", JobOutcome::crashed, "crash.signal", "SIGSEGV"},
        Cell{"drd", "segv", JobOutcome::crashed, "crash.signal", "SIGSEGV"},
        Cell{"asan", "segv", JobOutcome::crashed, "crash.signal", "SEGV on unknown address"},
        Cell{"tsan", "segv", JobOutcome::crashed, "crash.signal", "SEGV on unknown address"},
        Cell{"ubsan", "segv", JobOutcome::crashed, "crash.signal", "SIGSEGV, caught by Sohound's driver runtime"},
        Cell{"memcheck", "abort_call", JobOutcome::crashed, "crash.signal", "SIGABRT"},
        Cell{"helgrind", "abort_call", JobOutcome::crashed, "crash.signal", "SIGABRT"},
        Cell{"drd", "abort_call", JobOutcome::crashed, "crash.signal", "SIGABRT"},
        Cell{"asan", "abort_call", JobOutcome::crashed, "crash.signal", "ABRT on unknown address"},
        Cell{"tsan", "abort_call", JobOutcome::crashed, "crash.signal", "ABRT on unknown address"},
        Cell{"ubsan", "abort_call", JobOutcome::crashed, "crash.signal", "SIGABRT, caught by Sohound's"},
        // A double free: the checkers report it and go on; DRD 3.19 fails its own
        // assertion; glibc aborts under UBSan and says why; Helgrind and TSan do not
        // check frees (their allocators accept it), so they see nothing.
        Cell{"memcheck", "double_free", JobOutcome::ok, "mem.invalid_free", "Invalid free()"},
        Cell{"asan", "double_free", JobOutcome::ok, "mem.invalid_free", "attempting double-free"},
        Cell{"drd", "double_free", JobOutcome::tool_failed, "", "drd failed its own assertion: drd_malloc_wrappers.c"},
        Cell{"ubsan", "double_free", JobOutcome::crashed, "crash.signal", "SIGABRT: free(): double free detected in tcache 2"},
        Cell{"helgrind", "double_free", JobOutcome::ok, "", ""}, Cell{"tsan", "double_free", JobOutcome::ok, "", ""}),
    cell_name);

}  // namespace
}  // namespace harness::exec
