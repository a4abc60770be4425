// Descriptors left open at exit (memcheck --track-fds=yes). Valgrind 3.19 lists them in its text
// log and puts their open-site stacks into the XML as top-level <stack>s, in the same order
// (../shared/docs/formats.md §1.8); descriptors the driver inherited have no stack.
#pragma once

#include "harness/model/finding.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::parse {

struct OpenFd {
  int fd = -1;
  std::string path;  // as Valgrind described it (a path, or "socket:..." text)
  bool inherited = false;
};

// The "Open file descriptor N: path" entries of a Valgrind text log.
std::vector<OpenFd> open_fds(std::string_view log);

// fd.leak findings for the descriptors the program opened, with the stacks paired in order.
std::vector<model::Finding> fd_leak_findings(const std::vector<OpenFd>& fds,
                                             const std::vector<std::vector<model::Frame>>& open_sites, int pid);

// Whether `fd` is the descriptor a shell keeps on the script it runs (dash moves it to 10 or 11,
// bash to 255): the interpreter's own, never a leak of the script's. `exe` and `args` are the
// process's as Valgrind names them: a shell given its script (`sh test.sh`), or the script itself,
// run through its `#!` line.
bool is_interpreters_script(const OpenFd& fd, const std::string& exe, const std::vector<std::string>& args);

}  // namespace harness::parse
