#include "harness/spec/installed.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace harness::spec {

namespace {

// Runs argv (no shell) and returns its standard output, or nullopt when it could not run or failed.
std::optional<std::string> capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

bool is_elf_shared_object(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[18] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return false;
  if (std::memcmp(header, "\x7f" "ELF", 4) != 0) return false;
  const bool little = header[5] == 1;
  const unsigned type = little ? header[16] | (header[17] << 8) : (header[16] << 8) | header[17];
  return type == 3;  // ET_DYN
}

}  // namespace

std::optional<std::vector<std::string>> installed_pkg_config_names() {
  auto text = capture({"pkg-config", "--list-all"});
  if (!text) return std::nullopt;
  std::set<std::string> names;
  for (const auto& line : util::split_lines(*text)) {
    const auto trimmed = util::trim(line);
    const auto end = trimmed.find_first_of(" \t");
    if (!trimmed.empty()) names.insert(std::string(trimmed.substr(0, end)));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& installed, std::size_t n) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& candidate : installed) {
    auto d = util::edit_distance(name, candidate);
    // A name that contains the other ("jsoncpp" for "json") is close whatever its length.
    if (candidate.find(name) != std::string::npos || name.find(candidate) != std::string::npos) d = std::min<std::size_t>(d, 1);
    scored.emplace_back(d, candidate);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  const auto limit = std::max<std::size_t>(2, name.size() / 2);
  for (const auto& [d, candidate] : scored) {
    if (out.size() == n || d > limit) break;
    out.push_back(candidate);
  }
  return out;
}

void check_installed(const model::SuiteSpec& spec, const std::vector<std::string>& installed, Diagnostics& out) {
  const auto& lib = spec.library;
  if (lib.kind == model::LibraryKind::pkg_config) {
    for (std::size_t i = 0; i < lib.pkg_config.size(); ++i) {
      const auto& name = lib.pkg_config[i];
      if (std::binary_search(installed.begin(), installed.end(), name)) continue;
      const auto pos = i < lib.pkg_config_pos.size() ? lib.pkg_config_pos[i] : lib.pos;
      const auto near = closest_names(name, installed);
      out.error(pos, near.empty()
                         ? fmt::format("pkg-config does not know '{}' (is its -dev package installed? is PKG_CONFIG_PATH set?)", name)
                         : fmt::format("pkg-config does not know '{}'; installed: {}", name, fmt::join(near, ", ")));
    }
  }
  if (lib.kind == model::LibraryKind::path && !lib.path.empty() && !is_elf_shared_object(lib.path))
    out.error(lib.pos, fmt::format("'{}' is not an ELF shared library", lib.path));
}

}  // namespace harness::spec
