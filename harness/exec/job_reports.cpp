#include "harness/exec/job_reports.hpp"
#include "harness/exec/program_verdict.hpp"

#include "harness/exec/attribution.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/report_proof.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_fds.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

namespace harness::exec {
namespace fs = std::filesystem;
using model::JobOutcome;

void read_process_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message,
                          std::vector<ProcessStream>& streams, const model::ProgramSpec* program, const std::string& nonce,
                          bool shadow_memory_risk);

namespace {

// "==26078== FATAL: in suppressions file "/x.supp" near line 3:" and the line after it, in one
// line; "" when the log has no fatal message.
std::string valgrind_fatal(const std::string& log) {
  const auto lines = util::split_lines(log);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = lines[i];
    if (const auto end = line.find("== "); util::starts_with(line, "==") && end != std::string_view::npos)
      line.remove_prefix(end + 3);
    // A tool's own assertion ("drd: drd_malloc_wrappers.c:113 (handle_free): Assertion 'success'
    // failed."): the tool stopped, whatever the code under test did to make it.
    for (std::string_view tool : {"drd: ", "helgrind: ", "memcheck: "})
      if (util::starts_with(line, tool) && line.find("Assertion '") != std::string_view::npos) {
        std::string message = fmt::format("{} failed its own assertion: {}", util::trim(tool.substr(0, tool.size() - 2)),
                                          util::trim(line.substr(tool.size())));
        if (line.find("handle_free") != std::string_view::npos)
          message +=
              " (DRD stops this way when the code frees memory that is not allocated: a double or invalid free, which "
              "memcheck and ASan report as mem.invalid_free)";
        return message;
      }
    if (!util::starts_with(line, "FATAL:") && !util::starts_with(line, "valgrind: ")) continue;
    std::string message = "valgrind: " + std::string(util::trim(line));
    if (i + 1 < lines.size()) {
      auto next = lines[i + 1];
      if (const auto end = next.find("== "); util::starts_with(next, "==") && end != std::string_view::npos)
        next.remove_prefix(end + 3);
      if (!util::trim(next).empty() && !util::starts_with(util::trim(next), "exiting now"))
        message += " " + std::string(util::trim(next));
    }
    return message;
  }
  return {};
}

// The last line of stderr in which glibc or an assert says why it aborts; "" when there is none.
std::string abort_message(const std::string& stderr_tail) {
  std::string found;
  for (auto line : util::split_lines(stderr_tail)) {
    line = util::trim(line);
    static constexpr std::string_view k_starts[] = {"free(): ",
                                                    "malloc(): ",
                                                    "realloc(): ",
                                                    "calloc(): ",
                                                    "munmap_chunk(): ",
                                                    "double free or corruption",
                                                    "corrupted size vs. prev_size",
                                                    "corrupted double-linked list",
                                                    "malloc_consolidate(): ",
                                                    "_int_free(): ",
                                                    "_int_malloc(): ",
                                                    "tcache_thread_shutdown(): ",
                                                    "*** stack smashing detected ***",
                                                    "*** buffer overflow detected ***",
                                                    "Fatal glibc error: "};
    bool match = line.find(": Assertion `") != std::string_view::npos && util::ends_with(line, "' failed.");
    for (auto start : k_starts) match = match || util::starts_with(line, start);
    if (match) found = std::string(line.substr(0, 300));
  }
  return found;
}

// One Valgrind XML report as a stream: its errors in order, each owned by the feature whose
// markers (client messages) enclose it.
ProcessStream valgrind_stream(const parse::ValgrindReport& report, std::vector<model::Finding> findings) {
  StreamOwner owner;
  std::size_t next_message = 0;
  auto messages_up_to = [&](std::size_t errors_before) {
    for (; next_message < report.client_messages.size() && report.client_messages[next_message].errors_before <= errors_before;
         ++next_message)
      if (auto m = parse_marker(report.client_messages[next_message].text)) owner.marker(std::move(*m));
  };
  for (std::size_t i = 0; i < findings.size(); ++i) {
    messages_up_to(i);
    owner.finding(std::move(findings[i]));
  }
  messages_up_to(report.fatal_signal ? report.fatal_signal_errors_before : findings.size());
  if (report.fatal_signal) {
    model::Finding crash;
    crash.kind = "crash.signal";
    crash.tool_kind = report.fatal_signal->signame;
    crash.message = report.fatal_signal->signame + (report.fatal_signal->event.empty() ? "" : ": " + report.fatal_signal->event);
    crash.stack = report.fatal_signal->stack;
    crash.pid = report.pid;
    owner.finding(std::move(crash));
  }
  messages_up_to(static_cast<std::size_t>(-1));
  return owner.take();
}

void read_valgrind_reports(model::JobResult& job, const ProcessResult& process, bool finished, bool timed_out,
                           std::vector<ProcessStream>& streams, bool name_processes, const std::string& nonce) {
  bool any = false, proven = false;
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
    for (const auto& message : report->client_messages)
      if (util::starts_with(util::trim(message.text), "sohound:complete ") && !nonce.empty() &&
          record_field(util::trim(message.text), "nonce") == nonce)
        proven = true;
    auto stream = valgrind_stream(*report, parse::valgrind_findings(*report));
    if (name_processes)
      for (auto& owned : stream.findings)
        owned.finding.process = report->ppid > 0 ? fmt::format("{} (pid {}, parent {})", report->exe, report->pid, report->ppid)
                                                 : fmt::format("{} (pid {})", report->exe, report->pid);
    // Valgrind says why it stopped in its text log ("FATAL: in suppressions file ... near line 3",
    // "valgrind: Bad option"), not in the XML.
    auto log = entry.path();
    log.replace_extension(".log");
    if (auto fatal = valgrind_fatal(util::read_file_ends(log.string(), 64 * 1024, 0)); !fatal.empty()) {
      streams.push_back(std::move(stream));
      job.outcome = JobOutcome::tool_failed;
      job.message = std::move(fatal);
      continue;
    }
    if (job.tool == model::Tool::memcheck) {
      // vg.PID.xml's text twin vg.PID.log lists the descriptors left open (--track-fds); each is
      // the finding of the feature whose end marker listed it.
      const auto fds = parse::open_fds(util::read_file_or_empty(log.string()));
      auto fd_findings = parse::fd_leak_findings(fds, report->orphan_stacks, report->pid);
      std::vector<int> numbers;
      std::vector<bool> scripts;  // a shell's descriptor on its own script: not the job's leak
      for (const auto& fd : fds)
        if (!fd.inherited) {
          numbers.push_back(fd.fd);
          scripts.push_back(parse::is_interpreters_script(fd, report->exe, report->args));
        }
      // A process Sohound stopped (a timeout, the batch watchdog) lists what was open at that
      // moment, e.g. the library ld.so was mapping, or the runtime's own listing of /proc/self/fd,
      // when the stop landed: only a finished feature's listing makes a descriptor a leak then.
      const bool killed = timed_out || process.signal == SIGKILL || process.signal == SIGTERM;
      for (std::size_t i = 0; i < fd_findings.size(); ++i) {
        auto owner = i < numbers.size() ? fd_owner(stream.markers, numbers[i]) : std::string();
        if ((killed && owner.empty()) || (i < scripts.size() && scripts[i])) continue;
        stream.findings.push_back({std::move(fd_findings[i]), std::move(owner)});
      }
    }
    if (report->fatal_signal && job.outcome == JobOutcome::ok) {
      job.outcome = JobOutcome::crashed;
      job.message = "the driver died of " + report->fatal_signal->signame;
    }
    streams.push_back(std::move(stream));
    if (!report->complete && job.outcome == JobOutcome::ok) {
      if (!finished && process.signal == 0 && process.exit_code == 0) {
        // The feature replaced the process (exec) or ended it in a way Valgrind could not follow to
        // the end of its report: the job is exited_early (below), not a tool failure.
        job.notes.push_back(
            fmt::format("{} was cut short ({}): the feature ended or replaced the process (exec) before "
                        "Valgrind finished its report; findings before the cut are kept",
                        name, report->problem));
        continue;
      }
      // Killed (a timeout, the batch watchdog): the outcome below says so; the cut is expected.
      if (process.signal == SIGKILL || process.signal == SIGTERM) continue;
      job.outcome = JobOutcome::tool_failed;
      job.message = fmt::format("{}: {} (findings before the cut are kept)", name, report->problem);
    }
  }
  if (!any && job.outcome == JobOutcome::ok) {
    // A program Valgrind could not start (set-user-ID, a #! naming no interpreter) is not its failure.
    job.message = name_processes ? program_not_started(util::read_file_ends(job.job_dir + "/stderr.txt", 8192, 0)) : "";
    job.outcome = job.message.empty() ? JobOutcome::tool_failed : JobOutcome::not_run;
    if (job.message.empty()) job.message = "valgrind wrote no XML report";
    if (process.exit_code >= 0) job.message += fmt::format(" (exit status {})", process.exit_code);
  }
  if (any && finished && !nonce.empty() && !proven && job.outcome == JobOutcome::ok) {
    job.outcome = JobOutcome::report_lost;
    job.message =
        "every feature returned, but no Valgrind report in the job folder carries the driver's completion record for "
        "this run: the report was replaced, moved or edited after Valgrind wrote it, so a clean result proves nothing "
        "(does the code write into the folder above its working folder?)";
  }
}

constexpr std::size_t k_kept_output_head = 1024 * 1024;
constexpr std::size_t k_kept_output_tail = 256 * 1024;

constexpr const char* k_shadow_memory_note =
    "the sanitizer runtime could not map its shadow memory: this kernel randomises mmap with more bits than "
    "the runtime supports. Sohound starts ASan and TSan under `setarch -R` where the system allows that "
    "persona (see run.sh); otherwise lower the randomisation: sysctl vm.mmap_rnd_bits=28";

// ASan that cannot map its shadow memory faults in its own SEGV handler and prints
// "AddressSanitizer:DEADLYSIGNAL" without end (1.4 GB of stderr in 3 minutes, measured): true when
// the file starts with nothing else.
bool only_deadly_signal(const std::string& stderr_path, std::size_t at_least) {
  auto head = util::read_file_ends(stderr_path, 64 * 1024, 0);
  if (const auto cut = head.find("\n[... "); cut != std::string::npos) head.resize(cut);
  const auto last = head.rfind('\n');
  head.resize(last == std::string::npos ? 0 : last);  // whole lines only
  std::size_t count = 0;
  for (auto line : util::split_lines(head)) {
    if (line.empty()) continue;
    if (line != "AddressSanitizer:DEADLYSIGNAL") return false;
    ++count;
  }
  return count >= at_least;
}

// One sanitizer log as a stream: the text between markers is parsed on its own and owned by the
// feature whose markers enclose it.
ProcessStream sanitizer_stream(std::string_view text, bool& saw_report, std::vector<std::string>& messages,
                               std::string& crash_signal) {
  StreamOwner owner;
  std::size_t segment_start = 0;
  auto parse_segment = [&](std::size_t end) {
    if (end <= segment_start) return;
    auto report = parse::sanitizer_log(std::string_view(text).substr(segment_start, end - segment_start));
    saw_report = saw_report || report.saw_report_header;
    util::append(messages, report.tool_messages);
    for (auto& f : report.findings) owner.finding(std::move(f));
    if (report.crashed && crash_signal.empty()) crash_signal = report.crash_signal;
  };
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, 8, "sohound:") == 0) {
      if (auto m = parse_marker(std::string_view(text).substr(at, end - at))) {
        parse_segment(at);
        owner.marker(std::move(*m));
        segment_start = end + 1;
      }
    }
    at = end + 1;
  }
  parse_segment(text.size());
  return owner.take();
}

void read_sanitizer_reports(model::JobResult& job, const ProcessResult& process, std::vector<ProcessStream>& streams,
                            bool finished, const model::ProgramSpec* program, const std::string& nonce) {
  const auto& tool = model::info(job.tool);
  const auto prefix = std::string(tool.log_prefix) + ".";
  if (!program && process.signal == 0 && process.exit_code == k_driver_channel_lost_exit) {
    job.outcome = JobOutcome::report_lost;
    job.message = fmt::format(
        "the code under test closed or replaced the descriptor that carried {0}'s reports ({1}.report), and the "
        "driver could not reopen it (every descriptor taken, or the file gone): what {0} reported after that is "
        "lost, so the job cannot pass; close only the descriptors the code opened",
        tool.name, tool.log_prefix);
  }
  bool saw_report = false;
  std::vector<std::string> messages;
  std::vector<std::string> logs;
  for (const auto& entry : fs::directory_iterator(job.job_dir))
    if (util::starts_with(entry.path().filename().string(), prefix)) logs.push_back(entry.path().string());
  std::sort(logs.begin(), logs.end());
  std::string truncated, channel_text;
  // The driver's (drivers/sohound_rt.h), or the channel library's in a program (drivers/sohound_channel.c).
  const auto channel = std::string(tool.log_prefix) + ".report";
  for (const auto& log : logs) {
    job.reports.push_back(log);
    std::string crash_signal;
    const auto text = util::read_file_or_empty(log);  // read once: findings, the cap, the proof
    streams.push_back(sanitizer_stream(text, saw_report, messages, crash_signal));
    if (!crash_signal.empty() && job.outcome == JobOutcome::ok) {
      job.outcome = JobOutcome::crashed;
      job.message = std::string(tool.name) + " caught " + crash_signal;
    }
    if (truncated.empty())
      if (auto cut = report_truncation(text); !cut.empty())
        truncated = fmt::format("{} cut its report in {}: \"{}\"", tool.name, fs::path(log).filename().string(), cut);
    if (fs::path(log).filename() == channel) channel_text = text;
  }
  if (finished && program && logs.empty() && !uses_sanitizer_runtime(program->program_for(tool.flavour))) {
    // A script or a program of no sanitizer build that started none: nothing ran under the tool.
    // (One that failed is judged by its exit status below.)
    if (job.outcome == JobOutcome::ok &&
        judge_exit(*program, process.exit_code, printed_by(job.job_dir)).outcome == JobOutcome::ok)
      job.outcome = JobOutcome::skipped;
    if (job.outcome == JobOutcome::skipped)
      job.message = fmt::format(
          "{} is not built with {} and started no program that is: {} checked nothing, so the job claims nothing (give "
          "the {} build of the program, or leave {} out of its tools)",
          program->program_for(tool.flavour), tool.name, tool.name, model::name(tool.flavour), tool.name);
  } else if (finished) {
    judge_channel(job, channel, channel_text, streams, nonce, program ? ChannelSource::program : ChannelSource::driver);
  }
  if (!truncated.empty() && (job.outcome == JobOutcome::ok || job.outcome == JobOutcome::report_lost)) {
    job.outcome = JobOutcome::report_truncated;
    job.message = truncated +
                  "; findings past the cut are unknown, so the job cannot pass. Split the feature, or "
                  "fix the leaks it reports, until the report fits";
  }
  // A runtime that could not work (TSan's "unexpected memory mapping", LSan under ptrace) is an
  // infrastructure failure even when it reported something first: its verdict is incomplete.
  // Runtimes say so on stderr, before log_path applies; the same parser picks those lines out.
  const auto err = util::read_file_ends(job.job_dir + "/stderr.txt", 1024 * 1024, 256 * 1024);
  util::append(messages, parse::sanitizer_log(err).tool_messages);
  std::string fatal;
  for (const auto& m : messages)
    if (fatal.empty() &&
        (m.find("FATAL") != std::string::npos || m.find("fatal error") != std::string::npos ||
         m.find("CHECK failed") != std::string::npos || m.find("cannot proceed correctly") != std::string::npos ||
         m.find("ERROR: AddressSanitizer failed to allocate") != std::string::npos ||
         m.find("ERROR: Failed to mmap") != std::string::npos || m.find("ReserveShadowMemoryRange failed") != std::string::npos))
      fatal = m;
  if (!fatal.empty() && job.outcome == JobOutcome::ok) {
    job.outcome = JobOutcome::tool_failed;
    job.message = fatal;
    // TSan: "unexpected memory mapping"; ASan: "Shadow memory range interleaves with an existing
    // memory mapping. ASan cannot proceed correctly."
    if (fatal.find("memory mapping") != std::string::npos || fatal.find("shadow memory") != std::string::npos)
      job.notes.push_back(k_shadow_memory_note);
    if (fatal.find("failed to allocate") != std::string::npos || fatal.find("ReserveShadowMemoryRange") != std::string::npos ||
        fatal.find("Failed to mmap") != std::string::npos)
      job.notes.push_back(
          "the sanitizer runtime could not map memory: it reserves terabytes of address space for its shadow memory, "
          "and a memory limit (ulimit -v, RLIMIT_AS, RLIMIT_DATA, a cgroup) stops it or its allocator; run the "
          "sanitizer jobs without one, or with more room");
    return;
  }
  // Start-up problems (runtime not first, shadow mapping) go to stderr before log_path applies.
  if (job.outcome == JobOutcome::ok && process.exit_code != 0 && process.signal == 0 && !saw_report) {
    if (process.exit_code == k_sanitizer_exit_code || err.find("Sanitizer") != std::string::npos || !messages.empty()) {
      job.outcome = JobOutcome::tool_failed;
      job.message = messages.empty() ? std::string(util::trim(err.substr(0, 400))) : messages.front();
      if (job.message.empty()) job.message = std::string(tool.name) + " exited with its error status but left no report";
    }
  }
}

}  // namespace

void read_job_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message,
                      std::vector<ProcessStream>* streams_out, const model::ProgramSpec* program, const std::string& nonce,
                      bool shadow_memory_risk) {
  std::vector<ProcessStream> local;
  auto& streams = streams_out ? *streams_out : local;
  streams.clear();
  read_process_reports(job, process, timeout_message, streams, program, nonce, shadow_memory_risk);
  for (auto& stream : streams) subtract_repeated_leaks(stream, program != nullptr);
  if (streams_out) return;
  for (auto& stream : streams) {
    for (auto& owned : stream.findings) job.findings.push_back(std::move(owned.finding));
    for (auto& note : stream.notes) job.notes.push_back(std::move(note.text));
  }
}

void read_process_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message,
                          std::vector<ProcessStream>& streams, const model::ProgramSpec* program, const std::string& nonce,
                          bool shadow_memory_risk) {
  if (!process.started) {
    job.outcome = JobOutcome::tool_failed;
    job.message = process.start_error;
    return;
  }
  const auto& tool = model::info(job.tool);
  // The runtime's mark that every feature returned (sohound_rt.h); without it the feature ended the
  // process itself. Exit statuses 124/125 are the runtime's own failures, which it explains.
  const bool finished = program || fs::exists(fs::path(job.job_dir) / k_driver_done_file);
  if (tool.family == model::ToolFamily::valgrind)
    read_valgrind_reports(job, process, finished, !timeout_message.empty(), streams, program != nullptr, nonce);
  else
    // A program's channel is judged when it ended on its own (a signal or a timeout is its outcome).
    read_sanitizer_reports(job, process, streams, program ? process.signal == 0 && timeout_message.empty() : finished, program,
                           nonce);
  // Processes left running (killed by the launcher when the job ended): attribution.hpp's owner's.
  if (!process.strays.empty()) {
    std::vector<Marker> markers;
    for (const auto& stream : streams) markers.insert(markers.end(), stream.markers.begin(), stream.markers.end());
    ProcessStream strays;
    for (const auto& stray : process.strays) {
      model::Finding f;
      f.kind = "process.leak";
      f.tool_kind = "left running";
      f.message = fmt::format("a process the feature started was still running when the job ended (killed by Sohound): {} {}",
                              stray.pid, stray.command);
      strays.findings.push_back(
          {std::move(f), process_owner(markers, stray.pid, stray.started_ms, stray.parent, stray.feature_slot)});
    }
    streams.push_back(std::move(strays));
  }
  const auto stderr_path = job.job_dir + "/stderr.txt";
  if (!timeout_message.empty() && job.tool == model::Tool::asan && only_deadly_signal(stderr_path, 100)) {
    // Not the feature's time: the runtime never started it. Keep a sample of the flood, not gigabytes.
    job.outcome = JobOutcome::tool_failed;
    job.message = "AddressSanitizer:DEADLYSIGNAL, printed without end until the job's time ran out (" + timeout_message + ")";
    job.notes.push_back(k_shadow_memory_note);
    std::error_code ec;
    const auto size = fs::file_size(stderr_path, ec);
    if (!ec && size > 64 * 1024) {
      fs::resize_file(stderr_path, 64 * 1024, ec);
      if (!ec) job.notes.push_back(fmt::format("stderr.txt held {} bytes of that line; cut to its first 64 KiB", size));
    }
  } else if (!timeout_message.empty()) {
    job.outcome = JobOutcome::timeout;
    job.message = timeout_message;
    // The signal that ended it was Sohound's own (SIGTERM, then SIGKILL): not a crash of the
    // feature, and where it landed is timing, not a bug.
    for (auto& stream : streams)
      std::erase_if(stream.findings, [](const OwnedFinding& owned) {
        const auto& f = owned.finding;
        return f.kind == "crash.signal" && (f.tool_kind == "SIGTERM" || f.tool_kind == "SIGKILL");
      });
  } else if (job.outcome == JobOutcome::ok && process.signal == SIGSEGV && model::info(job.tool).shadow_memory &&
             job.reports.empty() && (util::read_file_ends(stderr_path, 1, 0).empty() || only_deadly_signal(stderr_path, 1))) {
    // These runtimes catch a SIGSEGV in the program and report it; dying of one in silence, or
    // after only "AddressSanitizer:DEADLYSIGNAL" (its own handler faulting), means the runtime
    // itself failed: it could not map its shadow memory (seen with vm.mmap_rnd_bits=32).
    job.outcome = JobOutcome::tool_failed;
    job.message = util::read_file_ends(stderr_path, 1, 0).empty()
                      ? fmt::format("the {} runtime died of SIGSEGV without a word: it did not start", model::info(job.tool).name)
                      : fmt::format(
                            "the {} runtime died of SIGSEGV after printing only AddressSanitizer:DEADLYSIGNAL: it "
                            "did not start",
                            model::info(job.tool).name);
    if (shadow_memory_risk) job.notes.push_back(k_shadow_memory_note);
  } else if (job.outcome == JobOutcome::ok && process.signal == 0 && !finished &&
             (process.exit_code == 0 ||
              (tool.family == model::ToolFamily::sanitizer && process.exit_code == k_sanitizer_exit_code))) {
    job.outcome = JobOutcome::exited_early;
    job.message = fmt::format(
        "the feature ended the process (exit status {}) before the driver finished it: checks that run at the end "
        "(LeakSanitizer's leak check) may not have run, so a clean result proves nothing",
        process.exit_code);
  } else if (job.outcome == JobOutcome::ok && process.signal != 0) {
    job.outcome = JobOutcome::crashed;
    job.message = (program ? "the program died of " : "the driver died of ") + signal_name(process.signal);
  } else if (program) {
    // A sanitizer's own exit status says it reported (its findings judge the job), not how the test ended.
    if (job.outcome == JobOutcome::ok &&
        !(tool.family == model::ToolFamily::sanitizer && process.exit_code == k_sanitizer_exit_code)) {
      auto verdict = judge_exit(*program, process.exit_code, printed_by(job.job_dir));
      job.outcome = verdict.outcome;
      job.message = std::move(verdict.message);
    }
  } else if (job.outcome == JobOutcome::ok && process.exit_code != 0 &&
             !(tool.family == model::ToolFamily::sanitizer && process.exit_code == k_sanitizer_exit_code)) {
    job.outcome = JobOutcome::crashed;
    job.message = fmt::format("the driver exited with status {}{}", process.exit_code,
                              finished || process.exit_code == 124 || process.exit_code == 125
                                  ? ""
                                  : " (the feature ended the process before the driver finished it)");
  }
  // An abort says why on stderr (glibc's "free(): double free detected in tcache 2", an assert's
  // "Assertion `x' failed."): the abort's crash.signal finding carries it, or the job's message.
  if (job.outcome == JobOutcome::crashed) {
    if (auto why = abort_message(util::read_file_ends(stderr_path, 0, 64 * 1024)); !why.empty()) {
      model::Finding* crash = nullptr;
      for (auto& stream : streams)
        for (auto& owned : stream.findings)
          if (owned.finding.kind == "crash.signal" && (owned.finding.tool_kind == "SIGABRT" || owned.finding.tool_kind == "ABRT"))
            crash = &owned.finding;
      if (crash)
        crash->message = fmt::format("{}: {}", crash->tool_kind == "ABRT" ? "SIGABRT" : crash->tool_kind, why);
      else if (process.signal == SIGABRT || job.message.find("ABRT") != std::string::npos)
        job.message += ": " + why;
    }
  }
  // A feature may print without end: keep the ends of what it printed, not gigabytes.
  for (const char* name : {"stdout.txt", "stderr.txt"}) {
    if (const auto size = util::cap_file(job.job_dir + "/" + name, k_kept_output_head, k_kept_output_tail))
      job.notes.push_back(fmt::format("{} held {} bytes; kept its first {} KiB and last {} KiB", name, size,
                                      k_kept_output_head / 1024, k_kept_output_tail / 1024));
  }
}

}  // namespace harness::exec
