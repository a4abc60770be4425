// What every renderer may need besides the run: where sources live, and how to name them.
#pragma once

#include <string>
#include <vector>

namespace reports {

struct ReportOptions {
  std::string source_root;   // absolute; SARIF and JUnit paths are made relative to it when under it
  bool read_sources = true;  // HTML: read source snippets from disk at report time
  // HTML snippets are read only from C/C++ sources and specs under these folders (the source root,
  // the specs' folders, a built library's source folders); never from /proc, /dev or /sys.
  std::vector<std::string> snippet_roots;
};

// `path` relative to `root` when it lies under it; otherwise `path` unchanged.
std::string relative_to(const std::string& path, const std::string& root);

}  // namespace reports
