// What `sohound init` writes for each family of a library's functions: code that calls the library
// where the headers' prototypes let Sohound write a call that compiles (a constructor/destructor
// pair the names show, a version query; for C++, an object of a class made and destroyed), else a
// feature that says it is not written yet (`todo:`). Every call is compiled here, with the
// library's headers and flags, before it is written: what does not compile becomes a todo.
#pragma once

#include "harness/adopt/init.hpp"

#include <optional>
#include <string>
#include <vector>

namespace harness::adopt {

struct StarterFeature {
  std::string name;    // the feature's name
  std::string family;  // the family it stands for
  std::string code;    // set: the body that calls the library
  std::string todo;    // else: why nothing was written
  std::string calls;   // the functions or class the code uses ("cJSON_CreateObject, cJSON_Delete")
};

// A C prototype's parameters as written ("const char *path", "int mode"); nullopt when `text`
// (a header) does not declare `function`. "(void)" and "()" are no parameters.
std::optional<std::vector<std::string>> c_parameters(const std::string& text, const std::string& function);

// The constructor/destructor pairs among `functions` that names show ("cJSON_CreateObject" and
// "cJSON_Delete", "archive_read_new" and "archive_read_free"): each constructor with the destructor
// of `all` sharing the longest prefix with it.
std::vector<std::pair<std::string, std::string>> lifecycle_pairs(const std::vector<std::string>& functions,
                                                                 const std::vector<std::string>& all);

// One feature per family, calls compiled with `compile` (the compiler's argv without the source:
// the TU is given on its standard input).
std::vector<StarterFeature> starter_features(const LibraryFacts& facts, const std::vector<FunctionFamily>& families,
                                             const std::vector<std::string>& compile);

}  // namespace harness::adopt
