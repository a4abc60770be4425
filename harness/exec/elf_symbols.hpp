// Symbols of an object or a shared library, read with libelf (elfutils).
#pragma once

#include "harness/util/result.hpp"

#include <string>
#include <vector>

namespace harness::exec {

// The strong (STB_GLOBAL) symbols `object` defines. Weak and COMDAT definitions (inline functions,
// templates) are left out: the linker already keeps one copy of those.
util::Result<std::vector<std::string>> strong_global_definitions(const std::string& object);

// The functions a shared library exports (.dynsym: defined, global or weak, default visibility),
// sorted, each once: what a program linked against it can call.
util::Result<std::vector<std::string>> exported_functions(const std::string& library);

// The program interpreter an executable names (PT_INTERP: "/lib64/ld-linux-x86-64.so.2"); "" for
// a static executable or a file that is not ELF.
std::string program_interpreter(const std::string& executable);

// The GNU build ID an ELF file carries (NT_GNU_BUILD_ID), in hex; "" when it has none or is not ELF.
std::string build_id(const std::string& file);

// The shared libraries `executable` loads, as its dynamic loader resolves them (`ld.so --list`,
// what ldd does: the program itself does not run). Empty for a static executable.
std::vector<std::string> loaded_libraries(const std::string& executable);

}  // namespace harness::exec
