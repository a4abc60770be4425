// One entry per root cause: findings of a job that follow from another finding of the same job
// get Finding::root (the fingerprint of that finding). They stay in the results, with their own
// stacks and status, but never fail a job on their own: the root does. docs/results.md,
// "Root causes", gives the rules.
#pragma once

#include "harness/model/finding.hpp"
#include "harness/model/tool.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace harness::aggregate {

// The indirect bytes a memcheck leak record says it owns ("48 (16 direct, 32 indirect) bytes in
// 1 blocks are definitely lost ..."); 0 when it says none.
std::uint64_t indirect_bytes_owned(const std::string& message);

// The freed block a use-after-free or double free is about, as its free and allocation stacks
// tell it; "" for findings that name no freed block.
std::string freed_block(const model::Finding& finding);

// Sets Finding::root, in place, for the findings of one job (fingerprints already computed):
//  - leak.indirect records under the job's leak that owns indirect memory: memcheck, when the
//    definite and possible leaks' own counts of indirect bytes cover every indirect record;
//    LeakSanitizer, which counts none, under the job's first direct leak. Otherwise (a reference
//    cycle, which no definite leak owns) under the largest indirect record, which stays a root
//    and fails.
//  - memory errors about the same freed block (the same free and allocation stacks) under the
//    first of them: the reads, writes and frees that follow a use after free.
void group_root_causes(std::vector<model::Finding>& findings, model::Tool tool);

// A finding that fails its job: new, of error severity, and a root.
bool is_failing(const model::Finding& finding);

// A job's follow-ons by their root's fingerprint (in the job's order), built once per job.
std::unordered_map<std::string, std::vector<const model::Finding*>> follow_ons_by_root(
    const std::vector<model::Finding>& findings);

}  // namespace harness::aggregate
