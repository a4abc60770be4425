// The result cache's size bound: after a run that wrote to it, the least recently used files go
// until the cache fits again (as ccache's cleanup). "Used" is a file's modification time: every
// write sets it, and ResultCache touches what a run reads (an entry, the pack, a record), so the
// files a run used are the youngest. A removed file is only a miss for a later run: each kind of
// file is checked on reading (entries and records signed, a debug copy against its record), and
// none is trusted for being there.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harness::exec {

// The default bound, and how the CLI reads one: "500M", "2G", "1.5G", "750K", "1048576" (bytes),
// "0" (no bound). Powers of 1024; nullopt when it is not a size.
inline constexpr std::uint64_t k_default_cache_max_bytes = std::uint64_t(1) << 30;
std::optional<std::uint64_t> parse_cache_size(std::string_view text);

struct CachePrune {
  std::size_t files = 0;    // Sohound's files under v2/ before
  std::uint64_t bytes = 0;  // their sizes
  std::size_t removed = 0;  // files removed
  std::uint64_t removed_bytes = 0;
};

// When the files under `dir`/v2 hold more than `max_bytes`, removes the oldest until they hold at
// most 80 % of it (so the next few runs do not each walk the cache again). Counts and removes only
// files of the names Sohound gives them in the folders it makes (not the secret v2/key, not
// v2/size, not a file of the user's in a folder they named as the cache), and never a file modified at or after `keep_from` (the
// run's own work, and a concurrent run's). A decompressed debug copy (v2/debug/KEY.debug, whose times are part of its identity
// and so never touched) is as old as the youngest of it and its record (v2/debug/NN/KEY). File system errors skip the file.
CachePrune prune_cache(const std::string& dir, std::uint64_t max_bytes, std::chrono::system_clock::time_point keep_from);

// What a run calls after writing `written` bytes to the cache: prune_cache, unless the cache's
// size as last measured (v2/size: the bytes found by the last walk, plus what each run wrote since,
// and when that walk was) says it is still under `max_bytes` and that walk is less than a day old.
// Walking costs ~5 us a file (a 1 GiB cache of small entries: over a second), too much for every run
// that writes one entry; runs writing at once may each miss the other's bytes, which the daily walk
// corrects. `walked` says whether it walked.
struct CacheBound {
  CachePrune pruned;
  bool walked = false;
  std::uint64_t estimate = 0;  // the cache's size after this run, as v2/size now says
};
CacheBound keep_cache_bounded(const std::string& dir, std::uint64_t max_bytes, std::uint64_t written,
                              std::chrono::system_clock::time_point keep_from,
                              std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Marks a file of the cache as used now (its modification time; errors ignored).
void touch_cache_file(const std::string& path);

}  // namespace harness::exec
