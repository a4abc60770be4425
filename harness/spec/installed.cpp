#include "harness/spec/installed.hpp"

#include "harness/util/capture.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

namespace harness::spec {

namespace {

bool is_elf_shared_object(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[18] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return false;
  if (std::memcmp(header,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return false;
  const bool little = header[5] == 1;
  const unsigned type = little ? header[16] | (header[17] << 8) : (header[16] << 8) | header[17];
  return type == 3;  // ET_DYN
}

}  // namespace

std::optional<std::vector<std::string>> installed_pkg_config_names() {
  auto text = util::capture({"pkg-config", "--list-all"});
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
      out.error(pos,
                near.empty()
                    ? fmt::format("pkg-config does not know '{}' (is its -dev package installed? is PKG_CONFIG_PATH set?)", name)
                    : fmt::format("pkg-config does not know '{}'; installed: {}", name, fmt::join(near, ", ")));
    }
  }
  if (lib.kind == model::LibraryKind::path && !lib.path.empty() && !is_elf_shared_object(lib.path))
    out.error(lib.pos, fmt::format("'{}' is not an ELF shared library", lib.path));
}

}  // namespace harness::spec
