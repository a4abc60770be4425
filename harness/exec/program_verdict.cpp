#include "harness/exec/program_verdict.hpp"

#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

#include <regex.h>

namespace harness::exec {
namespace {

// glibc's POSIX matcher, not std::regex: it runs in bounded stack on megabytes of output, and its
// extended syntax is the nearest to CMake's (Henry Spencer's: '.' matches a newline, '^' and '$'
// the ends of the whole text). Like CTest, it reads the text up to its first NUL.
class Regex {
 public:
  explicit Regex(const std::string& pattern) { m_ok = ::regcomp(&m_re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0; }
  ~Regex() {
    if (m_ok) ::regfree(&m_re);
  }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  bool ok() const { return m_ok; }
  bool search(const std::string& text) const { return m_ok && ::regexec(&m_re, text.c_str(), 0, nullptr, 0) == 0; }

 private:
  ::regex_t m_re{};
  bool m_ok = false;
};

// The first of `patterns` found in `text`.
std::optional<std::string> first_match(const std::vector<std::string>& patterns, const std::string& text) {
  for (const auto& p : patterns)
    if (Regex(p).search(text)) return p;
  return std::nullopt;
}

// The Test Anything Protocol, as Meson reads a `protocol: 'tap'` test: "" when it passed, else why;
// `skipped` when its plan is "1..0" or every test was skipped.
std::string tap_failure(const std::string& text, bool& skipped) {
  std::size_t planned = 0, seen = 0, skips = 0;
  bool plan = false;
  std::string why;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const auto line = text.substr(at, end - at);
    at = end + 1;
    const auto hash = line.find('#');
    auto directive = hash == std::string::npos ? std::string() : line.substr(hash + 1);
    directive.erase(0, std::min(directive.size(), directive.find_first_not_of(' ')));
    for (auto& c : directive) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (util::starts_with(line, "1..")) {
      plan = true;
      planned = std::strtoul(line.c_str() + 3, nullptr, 10);
    } else if (util::starts_with(line, "Bail out!")) {
      return "it bailed out (" + util::printable(line) + ")";
    } else if (util::starts_with(line, "ok")) {
      ++seen;
      skips += util::starts_with(directive, "skip");
    } else if (util::starts_with(line, "not ok")) {
      ++seen;
      if (!util::starts_with(directive, "todo") && why.empty()) why = "its TAP output says " + util::printable(line);
    }
  }
  if (!why.empty()) return why;
  if (!plan) return "its TAP output has no plan (1..N)";
  if (planned != seen) return fmt::format("its TAP plan is 1..{} and it reported {} tests", planned, seen);
  skipped = planned == 0 || skips == seen;
  return {};
}

}  // namespace

std::string gtest_failure_message(const std::string& gtest_case, int exit_code) {
  return fmt::format("the test {} failed (exit status {})", gtest_case, exit_code);
}

std::function<std::string()> printed_by(const std::string& job_dir) {
  return [job_dir] {
    constexpr std::size_t k_half = 32u << 20;
    return util::read_file_ends(job_dir + "/stdout.txt", k_half, k_half) +
           util::read_file_ends(job_dir + "/stderr.txt", k_half, k_half);
  };
}

std::string program_not_started(const std::string& stderr_head) {
  constexpr std::string_view k_setuid = "Can't execute setuid/setgid/setcap executable: ";
  if (const auto at = stderr_head.find(k_setuid); at != std::string::npos) {
    const auto end = stderr_head.find('\n', at);
    const auto path = stderr_head.substr(at + k_setuid.size(), end == std::string::npos ? end : end - at - k_setuid.size());
    return fmt::format(
        "{} is set-user-ID, set-group-ID or has file capabilities, which Valgrind cannot honour (it runs "
        "programs without them): give a copy without them, or leave the Valgrind tools out of its tools",
        util::printable(path));
  }
  // Valgrind's launcher, when the exec of the program fails: "valgrind: PATH: REASON".
  for (const auto line : util::split_lines(stderr_head)) {
    if (!util::starts_with(line, "valgrind: ") || line.size() < 12 || (line[10] != '/' && line[10] != '.')) continue;
    const auto colon = line.find(": ", 10);
    if (colon <= 10) continue;
    const auto path = line.substr(10, colon - 10), reason = line.substr(colon + 2);
    if (util::starts_with(reason, "bad interpreter"))
      return fmt::format("{} could not be started: its #! line names an interpreter that is not there ({})",
                         util::printable(path), util::printable(reason));
    return fmt::format("{} could not be started: {}", util::printable(path), util::printable(reason));
  }
  return {};
}

std::string regex_error(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns)
    if (!Regex(p).ok()) return fmt::format("'{}' is not a regular expression (POSIX extended syntax)", util::printable(p));
  return {};
}

ExitVerdict judge_exit(const model::ProgramSpec& program, int exit_code, const std::function<std::string()>& output) {
  const auto& v = program.verdict;
  std::string why;  // CTest's forced failure: a required expression missing, an error expression found
  std::optional<std::string> skipped_by;
  bool tap_skipped = false;
  if (!v.pass_regex.empty() || !v.fail_regex.empty() || !v.skip_regex.empty() || v.tap) {
    const auto text = output();
    if (v.tap) why = tap_failure(text, tap_skipped);
    if (!v.pass_regex.empty() && !first_match(v.pass_regex, text))
      why = fmt::format("no PASS_REGULAR_EXPRESSION matched what it printed ({})", util::join(v.pass_regex, ", "));
    if (auto found = first_match(v.fail_regex, text))
      why = fmt::format("it printed what FAIL_REGULAR_EXPRESSION '{}' matches", util::printable(*found));
    skipped_by = first_match(v.skip_regex, text);
  }
  const bool success = why.empty() && (exit_code == program.exit_status || !v.pass_regex.empty());
  ExitVerdict verdict;
  if (v.error_exit_status && *v.error_exit_status == exit_code) {
    verdict.outcome = model::JobOutcome::crashed;
    verdict.message = fmt::format("the test exited with {}: a hard error, which fails even a test expected to fail", exit_code);
  } else if (v.skip_exit_status && *v.skip_exit_status == exit_code) {
    verdict.outcome = model::JobOutcome::skipped;
    verdict.message = fmt::format("the test skipped itself: it exited with {}, {}", exit_code,
                                  program.origin == "meson" ? "Meson's status for a skipped test" : "its SKIP_RETURN_CODE");
  } else if (tap_skipped && success) {
    verdict.outcome = model::JobOutcome::skipped;
    verdict.message = "the test skipped itself: its TAP output skips every test";
  } else if (skipped_by) {
    verdict.outcome = model::JobOutcome::skipped;
    verdict.message = fmt::format("the test skipped itself: it printed what SKIP_REGULAR_EXPRESSION '{}' matches",
                                  util::printable(*skipped_by));
  } else if (success == v.will_fail) {
    verdict.outcome = model::JobOutcome::crashed;
    if (v.will_fail)
      verdict.message = fmt::format("the test is WILL_FAIL and it passed (exit status {})", exit_code);
    else if (!why.empty())
      verdict.message = fmt::format("the test failed: {} (exit status {})", why, exit_code);
    else
      verdict.message =
          program.gtest_case.empty()
              ? fmt::format("the program exited with status {} (a passing run exits with {})", exit_code, program.exit_status)
              : gtest_failure_message(program.gtest_case, exit_code);
  }
  return verdict;
}

}  // namespace harness::exec
