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

}  // namespace harness::exec
