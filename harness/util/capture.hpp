// Runs a short helper program to completion and reads what it prints (pkg-config --list-all, a
// GoogleTest binary's --gtest_list_tests, ctest --show-only). No shell, no Asio: for the few
// synchronous questions asked before a run starts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace harness::util {

struct CaptureOptions {
  std::string cwd;                         // "" = ours
  std::map<std::string, std::string> env;  // over ours
  bool keep_stderr = false;                // false: stderr goes to /dev/null; true: appended to the output
  std::string input;                       // written to its standard input (else /dev/null)
  int* exit_status = nullptr;              // set: its exit status is put here, and any status returns the output
};

// argv[0] is looked up on PATH. Its standard output, or nullopt when it could not start or did not
// exit with status 0.
std::optional<std::string> capture(const std::vector<std::string>& argv, const CaptureOptions& options = {});

// What a compiler or tool said, whatever its exit status: stdout and stderr together.
struct Said {
  std::string output;
  int status = 0;
};
// `argv` fed `input` on its standard input, its output and status kept; nullopt when it could not start.
std::optional<Said> capture_said(const std::vector<std::string>& argv, const std::string& input);

}  // namespace harness::util
