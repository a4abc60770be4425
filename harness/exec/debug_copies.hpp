// Decompressed copies of the language runtimes' separate debug files, for the sandbox.
//
// Every start of a Valgrind tool reads the separate debug information of the C library and its
// loader (Debian's libc6-dbg: symbols, line tables, inlined calls) from
// /usr/lib/debug/.build-id/NN/REST.debug, and Debian ships those files with compressed sections
// (SHF_COMPRESSED): every tool process inflates them again (~11 MB) into memory it touches page by
// page. A copy with the same sections decompressed (`objcopy --decompress-debug-sections`) holds the
// same debug information, so Valgrind names the same frames from it; bound over the original inside
// the sandbox (Sandbox::replaced), it makes a small program's memcheck start ~5 % cheaper
// (docs/ARCHITECTURE.md, "Decompressed debug files"). Outside the sandbox the originals are read.
//
// A second, slim copy keeps the symbol table and drops the DWARF (line tables, inlined calls): a
// one-job Valgrind process reads it first, ~30-45 % cheaper to start, and runs again over the full
// copy only when what it reported could read otherwise with the DWARF (exec/slim_debug).
#pragma once

#include "harness/exec/command.hpp"

#include <string>
#include <vector>

namespace harness::exec {

struct DebugFile {
  std::string path;      // /usr/lib/debug/.build-id/93/ac61....debug
  std::string build_id;  // of the library it describes, and of itself
  std::string library;   // the library it describes, as this process loaded it (/lib/x86_64-linux-gnu/libc.so.6)
};

// Where Valgrind looks first for a library's separate debug file, by its build ID.
inline constexpr const char* k_build_id_debug_dir = "/usr/lib/debug/.build-id";

// The separate debug files, under `root` (k_build_id_debug_dir), of the language runtimes this
// process runs with (the C library and its loader, libm, libstdc++, libgcc_s: what every driver
// and most programs load) that have compressed sections; each once.
std::vector<DebugFile> compressed_runtime_debug_files(const std::string& root = k_build_id_debug_dir);

// The command that writes `copy`, `original` with its sections decompressed.
Command decompress_command(const std::string& objcopy, const std::string& original, const std::string& copy);

// The command that writes `copy`, `original` with its symbol table and without its DWARF sections.
Command slim_command(const std::string& objcopy, const std::string& original, const std::string& copy);

}  // namespace harness::exec
