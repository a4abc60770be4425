// Tests a CMake build registered with CTest, as programs (model::ProgramSpec): what
// `ctest --show-only=json-v1` says of each (command, working directory, environment, timeout).
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::adopt {

struct CtestSelection {
  std::string name_regex, exclude_name_regex;    // ctest -R / -E
  std::string label_regex, exclude_label_regex;  // ctest -L / -LE
};

// A test's name as a job's ("a b/c" -> "a_b_c"): characters a job name cannot hold become '_'.
std::string test_job_name(const std::string& test);

// One feature per runnable test of a json-v1 document, named after the test (characters a job
// name cannot hold become '_'; a clash gets "~2"); `notes` says which tests were left out and why
// (DISABLED, no command, WILL_FAIL). An error when the text is not such a document.
util::Result<std::vector<model::FeatureSpec>> parse_ctest_json(std::string_view text, std::vector<std::string>& notes);

// A suite named `name` of the tests `build_dir` registered (ctest runs the selection), each in its
// instrumented build from `flavour_dirs` (the same project built with -fsanitize=..., matched by
// test name) where given.
util::Result<model::SuiteSpec> load_ctest_suite(const std::string& build_dir, const CtestSelection& selection,
                                                const std::map<model::Flavour, std::string>& flavour_dirs,
                                                std::vector<std::string>& notes);

}  // namespace harness::adopt
