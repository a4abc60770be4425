// The result cache: a job whose inputs did not change is not run again. An entry holds the job's
// findings as parsed (before suppressions, expectations, baselines and policy, so changing those
// re-judges without running anything), keyed on everything that can change them (see
// Pipeline::cache_key and docs/results.md). Durations of earlier jobs are kept beside the entries
// and order the next run's work.
//
// Entries are written whole (a temporary file renamed into place), so concurrent runs sharing a
// cache never see half an entry; each carries a checksum of its payload, and an entry that fails
// it, does not parse, or names another key is ignored (and counted), never trusted.
#pragma once

#include "harness/model/job_result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

// 128-bit content hashes (XXH3) in hex, fed piece by piece.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  // Each piece is length-prefixed, so ("ab","c") and ("a","bc") differ.
  Hasher& add(std::string_view piece);
  // The file's bytes (a missing file hashes as a distinct marker).
  Hasher& add_file(const std::string& path);
  std::string hex() const;

 private:
  void* m_state;
};

// $SOHOUND_CACHE_DIR, else $XDG_CACHE_HOME/sohound, else ~/.cache/sohound.
std::string default_cache_dir();

class ResultCache {
 public:
  // An empty `dir` disables the cache (--no-cache): nothing is read or written.
  // `out_dir`: the run's --out. Entries keep the paths under it as k_out_marker and are read back
  // under the reading run's (model::relocate); "" keeps paths as they are.
  explicit ResultCache(std::string dir, std::string out_dir = {});

  bool enabled() const { return !m_dir.empty(); }
  const std::string& dir() const { return m_dir; }

  // The job as stored under `key` (outcome, message, exit, notes, log, findings, duration), or
  // nullopt when absent or damaged.
  std::optional<model::JobResult> load(const std::string& key);
  // load() of each key, read and checked on up to `threads` threads (an unchanged rerun reads
  // every entry of the run: 1,200 of them take ~120 ms on one thread). Same order as `keys`; an
  // empty key is a miss.
  std::vector<std::optional<model::JobResult>> load_all(const std::vector<std::string>& keys, unsigned threads);
  // Stores a job (its findings unjudged). Failures to write are counted, never thrown.
  void store(const std::string& key, const model::JobResult& job);

  // The run's pack (v2/packs/NAME, NAME a digest of the run's suites: their spec files and names):
  // a copy of every entry the run read or stored, in one file, which the next run with that NAME
  // reads first, whichever --out it writes (an unchanged
  // rerun opens one file instead of one per job). Each entry in it is signed and checked as in
  // its own file; a key the pack lacks is read from its file. Set before load_all.
  void use_pack(std::string name) { m_pack_name = std::move(name); }
  // Whether the pack exists; whether it holds an entry for every non-empty key (read once).
  bool has_pack() const;
  bool pack_holds(const std::vector<std::string>& keys);
  // Writes the pack of this run's entries, unless it holds exactly those already. Failures to
  // write are counted, never thrown.
  void save_pack();

  // A program's manifest (exec/recorded_inputs.hpp: what its last run opened) under the key of how
  // it runs; signed like an entry. nullopt when absent or damaged.
  std::optional<std::string> load_manifest(const std::string& key);
  void store_manifest(const std::string& key, const std::string& manifest);
  // A compiled object kept between runs (the driver's main object: DriverBuilds), under a key of
  // everything its compile depends on; signed like an entry. nullopt when absent or damaged.
  std::optional<std::string> load_object(const std::string& key);
  void store_object(const std::string& key, const std::string& bytes);
  // A tool's `--version` as an earlier run read it, under the identity of the tool's files
  // (valgrind_identity); signed like an entry. nullopt when absent or damaged.
  std::optional<std::string> load_tool_version(const std::string& identity);
  void store_tool_version(const std::string& identity, const std::string& version);
  // A decompressed debug file kept in debug_copy_dir() under `key` (exec/debug_copies.hpp): the
  // copy's file_identity when it was made; signed like an entry. nullopt when absent or damaged.
  std::string debug_copy_dir() const { return m_dir + "/v2/debug"; }
  std::optional<std::string> load_debug_copy(const std::string& key);
  void store_debug_copy(const std::string& key, const std::string& identity);

  // Durations of earlier jobs, "suite/feature/tool" -> seconds.
  std::map<std::string, double> load_costs();
  void save_costs(const std::map<std::string, double>& costs);

  // Whether this run wrote to the cache (an entry, a record, the pack): only such a run prunes it
  // (exec/cache_prune.hpp), and only files older than when it opened the cache.
  bool wrote() const { return m_written > 0; }
  std::uint64_t written() const { return m_written; }             // bytes (a rewritten pack: what it grew by)
  void note_written(std::uint64_t bytes) { m_written += bytes; }  // a file written beside (a debug copy)
  std::chrono::system_clock::time_point opened_at() const { return m_opened; }

  std::size_t damaged() const { return m_damaged.load(); }
  std::size_t write_failures() const { return m_write_failures; }

 private:
  std::string entry_path(const std::string& key) const;
  // The entry in its own file, its text kept in `text`; a damaged one is counted.
  std::optional<model::JobResult> load_file(const std::string& key, std::string& text);
  void read_pack();  // once, into m_pack_text and m_pack_entries (none when absent or damaged)
  // A small signed record (a manifest, a tool's version): "MAGIC KEY MAC" then the text.
  std::optional<std::string> load_record(std::string_view folder, std::string_view magic, const std::string& key);
  void store_record(std::string_view folder, std::string_view magic, const std::string& key, const std::string& text);
  // The cache's MAC key (v2/key, 0600), made on first use; "" when it cannot be read or made (the
  // cache is then neither read nor written).
  const std::string& mac_key();
  std::string m_dir;
  std::string m_out_dir;
  std::optional<std::string> m_mac_key;
  // The pack: its name, the text read (entries point into it), and this run's entries (key ->
  // entry text; the pack need not be written when these are all and only the ones it held).
  std::string m_pack_name;
  std::string m_pack_text;
  std::map<std::string_view, std::string_view> m_pack_entries;
  std::map<std::string, std::string> m_run_entries;  // read from their own files, or stored
  std::set<std::string> m_from_pack;                 // read from the pack
  std::chrono::system_clock::time_point m_opened;
  std::uint64_t m_written = 0;
  std::atomic<std::size_t> m_damaged = 0;
  std::size_t m_write_failures = 0;
};

// The cache entry format, exposed for tests: header line "sohound-cache 5 KEY MAC" then the job
// (result_cache.cpp, job_payload). MAC is keyed BLAKE2b (libsodium's crypto_generichash, 32 bytes)
// of the key and the job under `mac_key` (32 bytes), the secret in the cache's v2/key file: code
// that edits an entry without that key (code under test, which is never handed it) makes an entry
// that is refused, not one that passes. An entry of another format version is a miss, not damage.
inline constexpr std::size_t k_cache_mac_key_bytes = 32;
// Stands for the storing run's --out in an entry's paths (`out_dir` below; "": none replaced).
inline constexpr std::string_view k_out_marker = "@SOHOUND_OUT@";
std::string encode_entry(const std::string& key, const model::JobResult& job, std::string_view mac_key,
                         std::string_view out_dir = {});
std::optional<model::JobResult> decode_entry(const std::string& key, std::string_view text, std::string_view mac_key,
                                             std::string_view out_dir = {});

}  // namespace harness::exec
