// What every renderer may need besides the run: where sources live, and how to name them.
#pragma once

#include "harness/model/trace.hpp"

#include <functional>
#include <string>
#include <vector>

namespace reports {

struct ReportOptions {
  std::string source_root;   // absolute; SARIF and JUnit paths are made relative to it when under it
  bool read_sources = true;  // HTML: read source snippets from disk at report time
  // HTML snippets are read only from C/C++ sources and specs under these folders (the source root,
  // the specs' folders, a built library's source folders); never from /proc, /dev or /sys.
  std::vector<std::string> snippet_roots;
  // SARIF: whether a file exists (a physical location is written only for files that exist under
  // the source root; others, such as glibc's build paths, get a logical location). A seam for tests.
  std::function<bool(const std::string&)> file_exists;
  // A span per report written, under `trace_parent` (null: no spans).
  harness::model::Tracer* tracer = nullptr;
  harness::model::Tracer::Handle trace_parent = harness::model::Tracer::k_none;
};

// Whether `path` (absolute) is a regular file: the default of ReportOptions::file_exists.
bool regular_file_exists(const std::string& path);

// `path` relative to `root` when it lies under it; otherwise `path` unchanged.
std::string relative_to(const std::string& path, const std::string& root);

}  // namespace reports
