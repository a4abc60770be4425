#include "harness/parse/valgrind_fds.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

namespace harness::parse {

std::vector<OpenFd> open_fds(std::string_view log) {
  std::vector<OpenFd> fds;
  for (auto raw : util::split_lines(log)) {
    // "==14596== Open file descriptor 6: /etc/hostname" or "...descriptor 7:" for sockets
    const auto at = raw.find("Open file descriptor ");
    if (at != std::string_view::npos) {
      auto rest = raw.substr(at + std::string_view("Open file descriptor ").size());
      const auto colon = rest.find(':');
      OpenFd fd;
      fd.fd = std::atoi(std::string(rest.substr(0, colon)).c_str());
      if (colon != std::string_view::npos) fd.path = std::string(util::trim(rest.substr(colon + 1)));
      fds.push_back(std::move(fd));
      continue;
    }
    if (!fds.empty() && raw.find("<inherited from parent>") != std::string_view::npos) fds.back().inherited = true;
  }
  return fds;
}

std::vector<model::Finding> fd_leak_findings(const std::vector<OpenFd>& fds,
                                             const std::vector<std::vector<model::Frame>>& open_sites, int pid) {
  std::vector<model::Finding> findings;
  std::size_t opened = 0;
  for (const auto& fd : fds) opened += fd.inherited ? 0 : 1;
  const bool paired = opened == open_sites.size();  // otherwise do not guess which stack is whose
  std::size_t site = 0;
  for (const auto& fd : fds) {
    if (fd.inherited) continue;
    model::Finding f;
    f.kind = "fd.leak";
    f.tool_kind = "FdNotClosed";
    f.message = fmt::format("file descriptor {} ({}) left open", fd.fd, fd.path.empty() ? "?" : fd.path);
    if (paired) f.stack = open_sites[site];
    ++site;
    f.pid = pid;
    findings.push_back(std::move(f));
  }
  return findings;
}

namespace {

// Whether a descriptor's path is the file `named` (as given to the process: maybe relative to its
// working folder, which the log does not say).
bool names_file(const std::string& open_path, const std::string& named) {
  if (named.empty() || open_path.empty()) return false;
  const auto normal = std::filesystem::path(named).lexically_normal().string();
  return open_path == normal || (normal.front() != '/' && util::ends_with(open_path, "/" + normal));
}

bool starts_with_shebang(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[2] = {};
  return in.read(head, 2) && head[0] == '#' && head[1] == '!';
}

}  // namespace

bool is_interpreters_script(const OpenFd& fd, const std::string& exe, const std::vector<std::string>& args) {
  static const std::set<std::string> k_shells = {"sh", "dash", "bash", "ash", "ksh", "mksh", "zsh", "yash", "posh", "busybox"};
  if (fd.inherited) return false;
  if (k_shells.count(std::filesystem::path(exe).filename().string())) {
    for (const auto& arg : args) {
      if (arg == "-c") return false;  // a command string: no script
      if (arg.empty() || arg[0] == '-' || arg[0] == '+') continue;
      return names_file(fd.path, arg);
    }
    return false;
  }
  return names_file(fd.path, exe) && starts_with_shebang(fd.path);
}

}  // namespace harness::parse
