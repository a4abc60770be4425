#include "harness/exec/program_verdict.hpp"

#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

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

std::string regex_error(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns)
    if (!Regex(p).ok()) return fmt::format("'{}' is not a regular expression (POSIX extended syntax)", util::printable(p));
  return {};
}

ExitVerdict judge_exit(const model::ProgramSpec& program, int exit_code, const std::function<std::string()>& output) {
  const auto& v = program.verdict;
  std::string why;  // CTest's forced failure: a required expression missing, an error expression found
  std::optional<std::string> skipped_by;
  if (!v.pass_regex.empty() || !v.fail_regex.empty() || !v.skip_regex.empty()) {
    const auto text = output();
    if (!v.pass_regex.empty() && !first_match(v.pass_regex, text))
      why = fmt::format("no PASS_REGULAR_EXPRESSION matched what it printed ({})", util::join(v.pass_regex, ", "));
    if (auto found = first_match(v.fail_regex, text))
      why = fmt::format("it printed what FAIL_REGULAR_EXPRESSION '{}' matches", util::printable(*found));
    skipped_by = first_match(v.skip_regex, text);
  }
  const bool success = why.empty() && (exit_code == program.exit_status || !v.pass_regex.empty());
  ExitVerdict verdict;
  if (v.skip_exit_status && *v.skip_exit_status == exit_code) {
    verdict.outcome = model::JobOutcome::skipped;
    verdict.message = fmt::format("the test skipped itself: it exited with {}, its SKIP_RETURN_CODE", exit_code);
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
