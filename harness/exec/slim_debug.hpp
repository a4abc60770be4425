// Valgrind over the runtimes' symbols only, and when that result stands.
//
// Most of a Valgrind tool's start is reading the C library's and its loader's DWARF (libc6-dbg:
// line tables, inlined calls). A process that runs one job reads, inside the sandbox, a slim copy
// of those debug files first (exec/debug_copies: the symbol table, no DWARF), and runs again over
// the full copy only when the first pass's result could read otherwise with the DWARF. What it
// cannot change: which errors the tool detects (no detection reads DWARF: the intercepts and
// redirections are found by symbol, stacks are unwound with the libraries' own .eh_frame) and the
// frames, by instruction address, of every stack. What it can change: how a frame inside those
// libraries is named (its file and line, and the inlined calls it expands to) and so which of
// Valgrind's own suppressions match (they match names and objects of frames, inlined ones
// included). So the first pass stands exactly when
//  - the tool ran (a tool failure is read again: it might be the slim file's),
//  - no finding has a frame in one of those libraries (every other frame is named from its own
//    debug information, the same in both passes), and
//  - every suppression that matched would also match with the inlined frames put back
//    (`matches_alike`): then a run that reported nothing would report nothing over the full files.
// docs/ARCHITECTURE.md, "Symbols first".
#pragma once

#include "harness/model/job_result.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

// Whether a suppression with these frame lines ("fun:NAME", "obj:PATH", "...", "src:FILE:LINE"),
// having matched a stack named without the inlined calls of some of its frames, matches it with
// them too. With the DWARF each frame of a stack may become several, its inlined callees first,
// all in its object, the frame itself (named by its symbol, as without) last. So a pattern that
// matched still matches when each `fun:` line follows a "..." (which takes in the callees before
// it) and each `obj:` line is the first, follows a "...", or repeats the `obj:` line before it (the
// callees of a frame are in its object); other patterns (a `fun:` line at the top or right after
// another frame's line, `src:`) are not known to.
bool matches_alike(const std::vector<std::string>& frame_lines);

// The suppressions of a Valgrind suppressions file: each name -> whether it matches alike. A name
// given twice matches alike only when each of its entries does.
std::map<std::string, bool> suppressions_matching_alike(std::string_view text);

// Valgrind's own suppressions file (default.supp) where `valgrind` (a command on PATH) reads it
// (tool_commands: valgrind_lib_dirs); "" when not found.
std::string valgrind_default_suppressions(const std::string& valgrind = "valgrind");

// Why a job that ran over the slim debug files must run again over the full ones, or "" when its
// result stands (above). `slimmed`: the libraries whose debug files were slim (any spelling of
// their paths); `alike`: the suppressions in force, name -> matches_alike (a name not there
// counts as not). Reads the suppression counts from the job's Valgrind XML reports.
std::string why_read_again(const model::JobResult& job, const std::vector<std::string>& slimmed,
                           const std::map<std::string, bool>& alike);

}  // namespace harness::exec
