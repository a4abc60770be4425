// YAML text -> model::SuiteSpec. Every error points at the user's text as `file:line:col:`.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/util/result.hpp"

#include <string_view>

namespace harness::spec {

// `file_name` is used in messages as given; `base_dir` (absolute) resolves relative paths.
// Files the spec names (sources, libraries) must exist.
util::Result<model::SuiteSpec> load(std::string_view text, std::string_view file_name, std::string_view base_dir);

// A suppressions file: a list of entries, or a mapping with a 'suppressions' list (docs/spec.md).
util::Result<std::vector<model::Suppression>> load_suppressions(std::string_view text, std::string_view file_name,
                                                                std::string_view base_dir);
util::Result<std::vector<model::Suppression>> load_suppressions_file(const std::string& path);

// Reads and loads a spec file.
util::Result<model::SuiteSpec> load_file(const std::string& path);

}  // namespace harness::spec
