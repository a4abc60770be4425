// GoogleTest binaries: each test case becomes a program of its own (model::ProgramSpec with
// gtest_case), so every finding lands on the case whose process reported it.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/util/result.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace harness::adopt {

// The cases `--gtest_list_tests` printed ("Suite.Name", parameterised "Prefix/Suite.Name/0"), in
// order, without the "  # GetParam() = ..." comments. Disabled cases (DISABLED_ in the suite or the
// name) are left out: GoogleTest does not run them.
std::vector<std::string> parse_gtest_list(std::string_view text);

// The cases GoogleTest's own sharding gives shard `index` of `total` (as it does: the i-th runnable
// case runs on shard i % total). Unchanged when total <= 1 or index is out of range.
std::vector<std::string> shard_cases(std::vector<std::string> cases, int total, int index);

// A feature name for case `name` of program `program`: "program.Suite.Name", '/' written '-'.
std::string case_feature_name(const std::string& program, const std::string& name);

// Replaces every GoogleTest program of `suite` (gtest: true, no case yet) by one program per case
// it lists with its own arguments, honouring GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX from the
// spec's env or, failing that, `environment` (Sohound's own). An error names the spec position.
util::Result<bool> expand_gtest(model::SuiteSpec& suite, const std::map<std::string, std::string>& environment);

}  // namespace harness::adopt
