#include "harness/exec/job_reports.hpp"

#include "harness/testing/temp_dir.hpp"
#include "harness/testing/testdata.hpp"

#include <gtest/gtest.h>

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
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = 66, .strays = {}}, "");
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
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = -1, .signal = 9, .strays = {}}, "stopped after 6.0 s (2 s x3 for asan)");
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
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = -1, .signal = SIGSEGV, .strays = {}}, "");
  EXPECT_EQ(j.outcome, JobOutcome::tool_failed);
  EXPECT_EQ(j.message, "the tsan runtime died of SIGSEGV without a word: it did not start");
  // Only the shadow-memory runtimes (ASan, TSan) are read this way; for others it stays a crash.
  auto v = job(model::Tool::ubsan, "");
  read_job_reports(v, ProcessResult{.start_error = {}, .exit_code = -1, .signal = SIGSEGV, .strays = {}}, "");
  EXPECT_EQ(v.outcome, JobOutcome::crashed);
}

TEST_F(JobReports, ATimeoutWithOtherOutputStaysATimeout) {
  auto j = job(model::Tool::asan, "AddressSanitizer:DEADLYSIGNAL\nworking on item 7\n");
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = -1, .signal = 9, .strays = {}}, "stopped after 6.0 s");
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
  read_job_reports(j, ProcessResult{.start_error = {}, .exit_code = signal ? -1 : 0, .signal = signal, .strays = {}},
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

}  // namespace
}  // namespace harness::exec
