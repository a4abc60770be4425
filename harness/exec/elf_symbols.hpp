// Symbols of a relocatable object, read with libelf (elfutils).
#pragma once

#include "harness/util/result.hpp"

#include <string>
#include <vector>

namespace harness::exec {

// The strong (STB_GLOBAL) symbols `object` defines. Weak and COMDAT definitions (inline functions,
// templates) are left out: the linker already keeps one copy of those.
util::Result<std::vector<std::string>> strong_global_definitions(const std::string& object);

}  // namespace harness::exec
