// Job -> driver source text, from the templates in drivers/ (embedded into the binary).
// Every snippet from the spec is preceded by a #line directive naming the spec file, so compiler
// errors and stack frames in inline code point at the user's YAML, not at the generated file.
#pragma once

#include "harness/model/suite_spec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::codegen {

// The language a feature is compiled in (its own, else the suite's).
model::Language language_of(const model::SuiteSpec& suite, const model::FeatureSpec& feature);

// The generated file's name for a feature: NAME.c or NAME.cpp.
std::string feature_file_name(std::string_view feature_name, model::Language language);

// The file inline code is compiled as (its #line directive), so stack frames name it: the snippet's
// file made absolute, whatever the user typed.
std::string snippet_file(const model::SourcePos& pos);

// The C identifier of the feature's body function: "feature_" + name with [.-] mapped to '_'.
std::string body_function_name(std::string_view feature_name);

// The global symbol of a feature's descriptor: "sohound_feature_" + its body function name + a
// hash of the exact name (so "a.b" and "a_b" differ). The only global a feature object keeps.
std::string feature_symbol(std::string_view feature_name);

// One feature's object source: its includes, globals, setup, body, teardown and descriptor.
std::string generate_feature(const model::SuiteSpec& suite, const model::FeatureSpec& feature);

// Whether a feature may share a translation unit with others: inline code only (no `source:`),
// nothing at file scope (no suite or feature `globals:`), no preprocessor line in its snippets (a
// macro would reach the features after it), no link flags of its own. Each feature's functions are
// static and its descriptor has a name of its own, so sharing changes nothing the tools see.
bool can_share_unit(const model::SuiteSpec& suite, const model::FeatureSpec& feature);

// `features` (indices into suite.features, in order) as translation units: features that can share
// one, with the same language and compile flags and body function names that differ, go together,
// at most `max_per_unit` to a unit (`max_per_cxx_unit` for C++ features); every other feature is a
// unit of its own.
std::vector<std::vector<std::size_t>> translation_units(const model::SuiteSpec& suite, const std::vector<std::size_t>& features,
                                                        std::size_t max_per_unit, std::size_t max_per_cxx_unit);
// At most this many features share a translation unit, as `run` and `check` build them. A C++ unit
// takes more: its headers (the standard library's, yaml-cpp's, Boost's) cost most of its compile,
// paid once a unit (bench/suite_scale.sh --cxx 128: cold 32.8 s at 32, 19.4-22.3 s at 128, one
// edited feature no slower); a C unit's compile is mostly its features, which an edit recompiles.
inline constexpr std::size_t k_features_per_unit = 32;
inline constexpr std::size_t k_features_per_cxx_unit = 128;
inline std::vector<std::vector<std::size_t>> translation_units(const model::SuiteSpec& suite,
                                                               const std::vector<std::size_t>& features,
                                                               std::size_t max_per_unit) {
  return translation_units(suite, features, max_per_unit, max_per_unit);
}

// A shared translation unit's source: each feature's generated file (written beside it), included
// by name, so every line keeps the file name and number it has when compiled alone.
std::string generate_unit(const std::vector<std::string>& feature_file_names);

// The driver's main object: the runtime and main(), the same whichever features a run builds (a
// compiler cache keeps it).
std::string generate_main(const model::SuiteSpec& suite);

// The driver's table of `features` (names, in table order), with their count: a small object of its
// own, linked with the main object.
std::string generate_table(const std::vector<std::string>& features);

// The runtime header every driver includes (drivers/sohound_rt.h).
std::string_view runtime_header();

// Every file of the runtime (sohound_rt.h and the parts it includes), by file name: written
// together into OUT/runtime, and all part of a driver's cache key.
std::vector<std::pair<std::string_view, std::string_view>> runtime_files();

// Valgrind suppressions for the runtime's own threads (drivers/sohound_valgrind.supp), written to
// OUT/runtime and given to every Valgrind tool.
std::string_view runtime_valgrind_suppressions();

}  // namespace harness::codegen
