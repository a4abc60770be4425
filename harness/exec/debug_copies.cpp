#include "harness/exec/debug_copies.hpp"

#include "harness/exec/elf_symbols.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <string_view>

#include <link.h>

namespace harness::exec {

namespace {

// The runtimes a C or C++ program loads besides its own libraries, by file name.
bool is_language_runtime(std::string_view path) {
  const auto name = path.substr(path.rfind('/') + 1);
  static constexpr std::array<std::string_view, 6> k_prefixes = {"libc.so.",      "ld-linux",     "libm.so.",
                                                                 "libstdc++.so.", "libgcc_s.so.", "libpthread.so."};
  return std::any_of(k_prefixes.begin(), k_prefixes.end(), [&](std::string_view p) { return name.starts_with(p); });
}

}  // namespace

std::vector<DebugFile> compressed_runtime_debug_files(const std::string& root) {
  std::vector<std::string> loaded;
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        if (info->dlpi_name && is_language_runtime(info->dlpi_name))
          static_cast<std::vector<std::string>*>(data)->emplace_back(info->dlpi_name);
        return 0;
      },
      &loaded);
  std::vector<DebugFile> files;
  for (const auto& library : loaded) {
    const auto id = build_id(library);
    DebugFile file{separate_debug_file(root, id), id, library};
    if (file.path.empty()) continue;
    std::error_code ec;
    if (std::any_of(files.begin(), files.end(), [&](const DebugFile& f) { return f.build_id == id; }) ||
        !std::filesystem::is_regular_file(file.path, ec) || !has_compressed_sections(file.path))
      continue;
    files.push_back(std::move(file));
  }
  return files;
}

Command decompress_command(const std::string& objcopy, const std::string& original, const std::string& copy) {
  Command command;
  command.argv = {objcopy, "--decompress-debug-sections", original, copy};
  command.may_leave_processes = false;
  return command;
}

Command slim_command(const std::string& objcopy, const std::string& original, const std::string& copy) {
  Command command;
  command.argv = {objcopy, "--strip-debug", original, copy};
  command.may_leave_processes = false;
  return command;
}

}  // namespace harness::exec
