#include "harness/exec/job_reports.hpp"

#include "harness/exec/tool_commands.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_fds.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>

namespace harness::exec {
namespace fs = std::filesystem;
using model::JobOutcome;

namespace {


void append_findings(model::JobResult& job, std::vector<model::Finding> findings) {
  for (auto& f : findings) job.findings.push_back(std::move(f));
}

void read_valgrind_reports(model::JobResult& job, const ProcessResult& process) {
  bool any = false;
  for (const auto& entry : fs::directory_iterator(job.job_dir)) {
    const auto name = entry.path().filename().string();
    if (!util::starts_with(name, "vg.") || !util::ends_with(name, ".xml")) continue;
    any = true;
    job.reports.push_back(entry.path().string());
    auto report = parse::valgrind_xml_file(entry.path().string());
    if (!report) {
      job.outcome = JobOutcome::tool_failed;
      job.message = report.error().message;
      continue;
    }
    append_findings(job, parse::valgrind_findings(*report));
    if (job.tool == model::Tool::memcheck) {
      // vg.PID.xml's text twin vg.PID.log lists the descriptors left open (--track-fds).
      auto log = entry.path();
      log.replace_extension(".log");
      append_findings(job, parse::fd_leak_findings(parse::open_fds(util::read_file_or_empty(log.string())), report->orphan_stacks, report->pid));
    }
    if (report->fatal_signal) {
      model::Finding crash;
      crash.kind = "crash.signal";
      crash.tool_kind = report->fatal_signal->signame;
      crash.message = report->fatal_signal->signame +
                       (report->fatal_signal->event.empty() ? "" : ": " + report->fatal_signal->event);
      crash.stack = report->fatal_signal->stack;
      crash.pid = report->pid;
      job.findings.push_back(std::move(crash));
      if (job.outcome == JobOutcome::ok) {
        job.outcome = JobOutcome::crashed;
        job.message = "the driver died of " + report->fatal_signal->signame;
      }
    }
    if (!report->complete && job.outcome == JobOutcome::ok) {
      job.outcome = JobOutcome::tool_failed;
      job.message = fmt::format("{}: {} (findings before the cut are kept)", name, report->problem);
    }
  }
  if (!any && job.outcome == JobOutcome::ok) {
    job.outcome = JobOutcome::tool_failed;
    job.message = "valgrind wrote no XML report";
    if (process.exit_code >= 0) job.message += fmt::format(" (exit status {})", process.exit_code);
  }
}

void read_sanitizer_reports(model::JobResult& job, const ProcessResult& process) {
  const auto& tool = model::info(job.tool);
  const auto prefix = std::string(tool.log_prefix) + ".";
  bool saw_report = false;
  std::vector<std::string> messages;
  for (const auto& entry : fs::directory_iterator(job.job_dir)) {
    const auto name = entry.path().filename().string();
    if (!util::starts_with(name, prefix)) continue;
    job.reports.push_back(entry.path().string());
    const auto report = parse::sanitizer_log_file(entry.path().string());
    saw_report = saw_report || report.saw_report_header;
    util::append(messages, report.tool_messages);
    append_findings(job, report.findings);
    if (report.crashed && job.outcome == JobOutcome::ok) {
      job.outcome = JobOutcome::crashed;
      job.message = std::string(tool.name) + " caught " + report.crash_signal;
    }
  }
  // A runtime that could not work (TSan's "unexpected memory mapping", LSan under ptrace) is an
  // infrastructure failure even when it reported something first: its verdict is incomplete.
  const auto err = util::read_file_or_empty(job.job_dir + "/stderr.txt");
  for (auto line : util::split_lines(err))
    if (util::starts_with(line, "FATAL: ") || line.find("Sanitizer has encountered a fatal error") != std::string_view::npos ||
        line.find("Sanitizer: CHECK failed") != std::string_view::npos)
      messages.emplace_back(line);
  std::string fatal;
  for (const auto& m : messages)
    if (fatal.empty() && (m.find("FATAL") != std::string::npos || m.find("fatal error") != std::string::npos ||
                          m.find("CHECK failed") != std::string::npos))
      fatal = m;
  if (!fatal.empty() && job.outcome == JobOutcome::ok) {
    job.outcome = JobOutcome::tool_failed;
    job.message = fatal;
    return;
  }
  // Start-up problems (runtime not first, shadow mapping) go to stderr before log_path applies.
  if (job.outcome == JobOutcome::ok && process.exit_code != 0 && process.signal == 0 && !saw_report) {
    if (process.exit_code == k_sanitizer_exit_code || err.find("Sanitizer") != std::string::npos ||
        !messages.empty()) {
      job.outcome = JobOutcome::tool_failed;
      job.message = messages.empty() ? std::string(util::trim(err.substr(0, 400))) : messages.front();
      if (job.message.empty()) job.message = std::string(tool.name) + " exited with its error status but left no report";
    }
  }
}


}  // namespace

void read_job_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message) {
  if (!process.started) {
    job.outcome = JobOutcome::tool_failed;
    job.message = process.start_error;
    return;
  }
  const auto& tool = model::info(job.tool);
  if (tool.family == model::ToolFamily::valgrind)
    read_valgrind_reports(job, process);
  else
    read_sanitizer_reports(job, process);
  if (!timeout_message.empty()) {
    job.outcome = JobOutcome::timeout;
    job.message = timeout_message;
  } else if (job.outcome == JobOutcome::ok && process.signal != 0) {
    job.outcome = JobOutcome::crashed;
    job.message = "the driver died of " + signal_name(process.signal);
  } else if (job.outcome == JobOutcome::ok && process.exit_code != 0 &&
             !(tool.family == model::ToolFamily::sanitizer && process.exit_code == k_sanitizer_exit_code)) {
    job.outcome = JobOutcome::crashed;
    job.message = fmt::format("the driver exited with status {}", process.exit_code);
  }
}

}  // namespace harness::exec
