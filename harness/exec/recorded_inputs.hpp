// What a program opened, read from the record drivers/sohound_record.c writes while it runs, and
// the state of those inputs now: the second half of a program's cache key when its spec does not
// name its inputs (docs/programs.md, "Cache"). Starts no process.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

class Hasher;

// The record file in a program job's folder (SOHOUND_RECORD_FILE).
inline constexpr const char* k_record_file = "inputs.record";
inline constexpr const char* k_record_preload = "libsohound-record.so";

enum class InputKind {
  file,     // its content (a folder: its entries' names and types); absent is a state too
  probe,    // what stat says: absent, a folder, or a file of a size
  listing,  // a folder's entries (opendir, scandir)
  tree,     // a folder's entries all the way down (nftw, ftw)
  glob,     // the paths a glob pattern matches
};

struct RecordedInput {
  InputKind kind;
  std::string path;
  bool operator==(const RecordedInput&) const = default;
};

struct RecordedInputs {
  std::vector<RecordedInput> inputs;  // sorted, each path once (its first kind)
  std::string uncacheable;            // why the run cannot be cached; "" when it can
};

// Reads a record. Paths under `ignored` (the run's own output folder: the job's work folder, the
// tools' logs) are neither inputs nor outputs. A path the program made or changed before reading
// is its output; one it read and then changed, or a socket, device or /proc file, makes it
// uncacheable, as does an exec'd program that never loaded the recorder (static, set-user-ID, or
// started without it in its environment), or a record with no process of the program in it.
RecordedInputs read_record(std::string_view text, const std::vector<std::string>& ignored);

// The inputs' state now, into `h`. An input that became something else (a folder, a device) or
// disappeared hashes differently from what was recorded, so the key misses.
void hash_input_state(Hasher& h, const std::vector<RecordedInput>& inputs);

// A manifest: the inputs as text, one "KIND<tab>PATH" line each, and back (nullopt when damaged).
std::string encode_manifest(const std::vector<RecordedInput>& inputs);
std::optional<std::vector<RecordedInput>> decode_manifest(std::string_view text);

}  // namespace harness::exec
