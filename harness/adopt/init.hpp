// `sohound init LIBRARY`: a starter spec from what a library exports. Reads the library's dynamic
// symbols with libelf (exec/elf_symbols), finds the headers that declare them, groups the
// functions into families and writes one feature skeleton per family that compiles as written.
#pragma once

#include "harness/util/result.hpp"

#include <string>
#include <vector>

namespace harness::adopt {

struct FunctionFamily {
  std::string name;                    // "json_object", "deflate", "Json::Value"
  std::vector<std::string> functions;  // C names, or C++ names demangled without parameters
};

// Families of a library's exported functions, largest first, at most `max` (the rest are in
// `others`). C: the library's common prefix and the next word ("json_object_new" -> json_object,
// "xmlReadFile" -> xmlRead), else the first word ("deflateInit_" -> deflate). C++ (mangled
// names): the class or namespace ("Json::Value::asString() const" -> Json::Value); the standard
// library's, type information and thunks are left out.
std::vector<FunctionFamily> function_families(const std::vector<std::string>& symbols, std::size_t max,
                                              std::vector<std::string>* others = nullptr);

// The C++ name of a mangled symbol without its parameters ("Json::Value::asString"); "" when it is
// not a C++ function of the library's own (std::, typeinfo, vtables, thunks).
std::string cxx_function_name(const std::string& symbol);

struct LibraryFacts {
  std::string given;  // as the user named it
  bool pkg_config = false;
  std::string so_path;                    // the shared library read
  std::vector<std::string> include_dirs;  // where headers were looked for (path libraries: the one to use)
  std::vector<std::string> headers;       // chosen #includes, relative to an include folder
  std::vector<std::string> header_paths;  // and where they are
  std::string header_dir;                 // path libraries: the include folder of `headers`
  bool cxx = false;                       // most exported functions are C++
  std::vector<std::string> symbols;       // exported functions (mangled as exported)
  std::vector<std::string> declared;      // C: the exported functions the chosen headers declare
  std::vector<std::string> classes;       // C++: class names the chosen headers define
  std::vector<std::string> makeable;      // C++: classes whose default constructor the library exports
};

// Finds the library (a .so path, or a pkg-config name resolved through its -L/-l), its exports and
// its headers.
util::Result<LibraryFacts> inspect_library(const std::string& library);

// The starter spec's text (YAML with comments).
std::string starter_spec(const LibraryFacts& facts, const std::string& suite_name);

}  // namespace harness::adopt
