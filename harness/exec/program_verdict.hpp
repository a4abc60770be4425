// Whether a program run that exited on its own passed, as CTest would judge it: its exit status,
// WILL_FAIL, SKIP_RETURN_CODE and the PASS/FAIL/SKIP regular expressions (model::ProgramVerdict).
// Pure but for printed_by, which reads the job folder.
#pragma once

#include "harness/model/job_result.hpp"
#include "harness/model/suite_spec.hpp"

#include <functional>
#include <string>

namespace harness::exec {

struct ExitVerdict {
  model::JobOutcome outcome = model::JobOutcome::ok;  // ok, crashed (failed), skipped or not_run
  std::string message;                                // why, when not ok
};

// A GoogleTest case's own failure, as its job's message says it.
std::string gtest_failure_message(const std::string& gtest_case, int exit_code);

// What a program's run printed into its job folder, stdout then stderr (CTest matches its regular
// expressions in both), read when called.
std::function<std::string()> printed_by(const std::string& job_dir);

// `output` gives what the run printed (stdout, then stderr); called only when a regular expression
// needs it.
ExitVerdict judge_exit(const model::ProgramSpec& program, int exit_code, const std::function<std::string()>& output);

// Why Valgrind could not start the user's program, from what its launcher printed (`stderr_head`),
// or "" when it does not say the program was the problem (then Valgrind itself failed).
std::string program_not_started(const std::string& stderr_head);

// An error for the first of `patterns` that glibc's regcomp (extended syntax) refuses, or "".
std::string regex_error(const std::vector<std::string>& patterns);

}  // namespace harness::exec
