// A finished job's raw reports (Valgrind XML and text logs, sanitizer logs) -> its findings and
// outcome. Pure file reading and parsing: no processes, no Asio.
#pragma once

#include "harness/exec/attribution.hpp"
#include "harness/exec/command.hpp"
#include "harness/exec/program_verdict.hpp"
#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"

#include <string>
#include <vector>

namespace harness::exec {

// Reads every report the job's tool wrote into job.job_dir, appends the findings, and sets the
// outcome: crashed (a fatal signal, or an exit status the tool does not explain), timeout (when
// `timeout_message` is not empty), tool_failed (the tool could not start, died mid-report, or its
// runtime reported a fatal error), else ok. Findings from an incomplete report are kept.
//
// Without `streams`, the findings (repeated leak records removed) go to job.findings. With it,
// job.findings stays empty and every process's findings go to `streams` (repeated leak records
// removed), each with the feature whose markers enclose it, for exec/attribution to share out over
// the features of a run unit.
//
// With `program`, the job ran one of the user's programs, not a driver: there are no markers and
// no done file, an exit status other than the program's expected one fails the job (a GoogleTest
// case's own failure), and every Valgrind finding names the process that reported it (the
// program, or a child it started).
//
// With `nonce` (a driver's run: the secret the harness gave it in SOHOUND_NONCE_FILE), a driver that
// finished is clean only when its report (the Valgrind XML, the sanitizer channel) ends with the
// runtime's completion record carrying that nonce: a report replaced by name is report_lost
// (exec/report_proof). `shadow_memory_risk`: this machine may keep ASan and TSan from mapping their
// shadow memory (sanitizer_start_risk of its HostFacts), the likely cause of a silent SIGSEGV.

void read_job_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message,
                      std::vector<ProcessStream>* streams = nullptr, const model::ProgramSpec* program = nullptr,
                      const std::string& nonce = {}, bool shadow_memory_risk = false);

}  // namespace harness::exec
