// Access to captured tool outputs in testdata/ (real runs on Debian 12; see testdata/README.md).
#pragma once

#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <stdexcept>
#include <string>

#ifndef SOHOUND_TESTDATA_DIR
#error "SOHOUND_TESTDATA_DIR must be defined by the build"
#endif

namespace harness::testing {

inline std::string testdata_path(const std::string& name) { return std::string(SOHOUND_TESTDATA_DIR) + "/" + name; }

inline std::string testdata(const std::string& name) {
  std::string text;
  if (!util::read_file(testdata_path(name), text)) throw std::runtime_error("missing test data: " + name);
  return text;
}

}  // namespace harness::testing
