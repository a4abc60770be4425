// Result<T>: the one error-or-value type of the harness (over boost::system::result).
// An Error is about the harness or its input (unreadable spec, unparsable report), never a job
// outcome: leaks, crashes and timeouts are data (model::JobResult).
#pragma once

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace harness::util {

struct Error {
  std::string message;  // complete, user-facing text (with file:line:col where there is one)
};

class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(const Error& error) : std::runtime_error(error.message) {}
};

// Called by boost::system::result::value() on an error; found by ADL.
[[noreturn]] inline void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw ErrorException(error);
}

template <class T>
using Result = boost::system::result<T, Error>;

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace harness::util
