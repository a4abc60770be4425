// Every finding kind Sohound's parsers produce (docs/results.md, "Kinds"), so a spec that names a
// kind (in `expect:`, a suppression or a policy) can be checked before anything runs: a misspelt
// kind would otherwise match nothing, silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harness::model {

// The kinds Sohound knows, sorted. UBSan's are "ub.<check>", the check names of GCC 12's and
// Clang 14's runtimes.
const std::vector<std::string_view>& known_kinds();

// Families whose kinds carry a tool's own name for something Sohound does not know yet
// ("memcheck.", "helgrind.", "drd.", "asan.", "tsan."): any name after them is accepted.
const std::vector<std::string_view>& open_kind_prefixes();

// "" when `pattern` (a kind or a glob over kinds, "leak.*", "*") names at least one kind Sohound
// can report; otherwise the message to show, with the closest known kind when one is close.
std::string check_kind_pattern(std::string_view pattern);

}  // namespace harness::model
