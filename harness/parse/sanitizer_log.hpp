// ASan / LSan / TSan / UBSan log text (one file per process, log_path=PREFIX) -> model::Finding.
// Frame lines are parsed from the right (function names hold spaces and parentheses), and both
// runtimes' spellings are accepted: GCC's file:line, Clang's file:line:col and (module+0xoff)
// with a BuildId. See ../shared/docs/formats.md §3.
#pragma once

#include "harness/model/finding.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::parse {

struct SanitizerReport {
  std::vector<model::Finding> findings;
  bool crashed = false;                    // a fatal report (SEGV, stack overflow, ...): the process died
  std::string crash_signal;                // "SEGV", "BUS", ... when crashed
  std::vector<std::string> tool_messages;  // ==PID== lines outside reports: start-up problems
  bool saw_report_header = false;          // an ERROR: line was present
};

// Parses one `#N 0xPC in FUNCTION LOCATION` line; nullopt when the line is not a frame.
std::optional<model::Frame> sanitizer_frame(std::string_view line);

// Sohound's kind for an ASan bug type and access ("READ"/"WRITE"/"").
std::string asan_kind(std::string_view bug_type, std::string_view access);
// ... for a TSan report type ("data race", "lock-order-inversion (potential deadlock)").
std::string tsan_kind(std::string_view type, std::string_view access);
// A UBSan check name from a report's message, for runtimes that print no SUMMARY.
std::string ubsan_check_from_message(std::string_view message);

// Incremental parser: feed chunks as they are read (lines may span chunks); each finding goes to
// the sink as soon as its report is complete, so memory does not grow with the log.
class SanitizerLogParser {
 public:
  using Sink = std::function<void(model::Finding&&)>;
  explicit SanitizerLogParser(Sink sink = {});
  ~SanitizerLogParser();
  SanitizerLogParser(const SanitizerLogParser&) = delete;
  SanitizerLogParser& operator=(const SanitizerLogParser&) = delete;

  void feed(std::string_view chunk);
  // Ends the input; the report's `findings` are empty when a sink took them.
  SanitizerReport finish();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

SanitizerReport sanitizer_log(std::string_view text);

// Streams a log file from disk.
SanitizerReport sanitizer_log_file(const std::string& path, SanitizerLogParser::Sink sink = {});

}  // namespace harness::parse
