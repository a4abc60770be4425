// Tests a Meson build registered (`meson introspect --tests`), as programs (model::ProgramSpec):
// each test's command, environment, working folder (the build folder when it names none),
// timeout, suites, is_parallel, should_fail and protocol, judged as `meson test` judges them.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/util/result.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace harness::adopt {

struct MesonSelection {
  std::vector<std::string> names;              // `meson test NAME...`: exact names or globs; empty = all
  std::vector<std::string> suites, no_suites;  // --suite / --no-suite: "suite" or "project:suite"
};

// Whether a test with these suites ("project:suite" each) is chosen by `meson test --suite S`
// (mtest.py's rule: "S" matches a suite or a project of that name, "P:S" exactly).
bool meson_suite_matches(const std::vector<std::string>& test_suites, const std::string& wanted);

// One feature per selected test of an introspection document. `should_fail`: by position, for
// Meson versions whose introspection omits it (1.0 does; read_should_fail). An error when the text
// is not such a document.
util::Result<std::vector<model::FeatureSpec>> parse_meson_tests(std::string_view text, const std::string& build_dir,
                                                                const std::vector<bool>& should_fail,
                                                                const MesonSelection& selection, std::vector<std::string>& notes);

// A suite named "meson" of the tests `build_dir` registered, each in its instrumented build from
// `flavour_dirs` (the same project configured with -Db_sanitize=...), matched by name, as that
// build's own introspection says it runs.
util::Result<model::SuiteSpec> load_meson_suite(const std::string& build_dir, const MesonSelection& selection,
                                                const std::map<model::Flavour, std::string>& flavour_dirs,
                                                std::vector<std::string>& notes);

}  // namespace harness::adopt
