// Symbols of an object or a shared library, read with libelf (elfutils).
#pragma once

#include "harness/exec/command.hpp"
#include "harness/util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

// The strong (STB_GLOBAL) symbols `object` defines. Weak and COMDAT definitions (inline functions,
// templates) are left out: the linker already keeps one copy of those.
util::Result<std::vector<std::string>> strong_global_definitions(const std::string& object);

// Every function symbol (STT_FUNC) of the object's full and dynamic symbol tables, mangled, each
// once, local ones included: a stripped object has only its dynamic ones.
util::Result<std::vector<std::string>> function_symbols(const std::string& object);

// The functions a shared library exports (.dynsym: defined, global or weak, default visibility),
// sorted, each once: what a program linked against it can call.
util::Result<std::vector<std::string>> exported_functions(const std::string& library);

// Whether `file` is a program built with a sanitizer: its dynamic or full symbol table names a
// sanitizer runtime's symbol (__asan_, __tsan_, __ubsan_handle_, __sanitizer_), imported from a
// runtime library (GCC) or linked in (Clang). False for a script or a file that is not ELF.
bool uses_sanitizer_runtime(const std::string& file);

// The program interpreter an executable names (PT_INTERP: "/lib64/ld-linux-x86-64.so.2"); "" for
// a static executable or a file that is not ELF.
std::string program_interpreter(const std::string& executable);

// Where the full symbol table (.symtab) of `object` puts each of `names` that is a data object
// (STT_OBJECT): {name, value, size}, in the order found; what is not there is left out, and a file
// that cannot be read gives none. For a separate debug file, values are offsets from the library's
// load address, as in the library.
struct DataSymbol {
  std::string name;
  std::uint64_t value = 0;
  std::uint64_t size = 0;
};
std::vector<DataSymbol> data_symbols(const std::string& object, const std::vector<std::string>& names);

// Where a separate debug file of build ID `id` lies under `root` (/usr/lib/debug/.build-id:
// ROOT/ab/cdef....debug); "" for an ID too short to be one.
std::string separate_debug_file(const std::string& root, const std::string& id);

// The GNU build ID an ELF file carries (NT_GNU_BUILD_ID), in hex; "" when it has none or is not ELF.
std::string build_id(const std::string& file);

// Whether any section of the ELF file is compressed (SHF_COMPRESSED, as Debian ships its separate
// debug files); false for a file that is not ELF.
bool has_compressed_sections(const std::string& file);

// The command that lists the shared libraries `executable` loads, as its dynamic loader resolves
// them (`ld.so --list`, what ldd does: the program itself does not run); empty argv for a static
// executable (its loader would run it). Run through the launcher, like every process of a run.
Command loader_listing_command(const std::string& executable);

// The libraries in that command's output: "\tlibz.so.1 => /lib/.../libz.so.1 (0x...)" and
// "\t/lib64/ld-linux-x86-64.so.2 (0x...)" lines, by path.
std::vector<std::string> parse_loader_listing(std::string_view listing);

}  // namespace harness::exec
