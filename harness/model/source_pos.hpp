// A position in a user's file, 1-based, for diagnostics and #line directives.
#pragma once

#include <string>

namespace harness::model {

struct SourcePos {
  std::string file;  // as the user named it (absolute or relative to the working directory)
  int line = 0;      // 1-based; 0 = unknown
  int column = 0;    // 1-based; 0 = unknown
};

}  // namespace harness::model
