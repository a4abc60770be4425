// Sohound's own heap (not the tools' or the code under test's: nothing here reaches a child).
#pragma once

namespace harness::util {

// Sets the allocator for a short process that reads and writes megabytes at a time (an unchanged
// rerun reads every cache entry and writes a results.json of several MB): the heap grows 64 MB at
// a time and gives nothing back mid-run, large buffers come from it rather than from mappings of
// their own each time they grow, and where the kernel lets a process ask (transparent huge pages
// in "madvise" mode) its first 64 MB are in 2 MB pages. On a virtual machine, where each first
// touch of a 4 KB page is a costly trap, this took an unchanged rerun of 1,200 jobs from ~100 ms to
// ~65 ms (docs/ARCHITECTURE.md, "An unchanged rerun, measured"). Call first thing in main.
void tune_heap();

}  // namespace harness::util
