// Job -> driver source text, from the templates in drivers/ (embedded into the binary).
// Every snippet from the spec is preceded by a #line directive naming the spec file, so compiler
// errors and stack frames in inline code point at the user's YAML, not at the generated file.
#pragma once

#include "harness/model/suite_spec.hpp"

#include <string>
#include <string_view>

namespace harness::codegen {

// The language a feature is compiled in (its own, else the suite's).
model::Language language_of(const model::SuiteSpec& suite, const model::FeatureSpec& feature);

// The generated file's name: driver.c or driver.cpp.
std::string driver_file_name(model::Language language);

// The C identifier of the feature's body function: "feature_" + name with [.-] mapped to '_'.
std::string body_function_name(std::string_view feature_name);

// The full driver source for one feature.
std::string generate_driver(const model::SuiteSpec& suite, const model::FeatureSpec& feature);

// The runtime header every driver includes (drivers/sohound_rt.h).
std::string_view runtime_header();

}  // namespace harness::codegen
