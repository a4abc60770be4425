#include "harness/exec/result_cache.hpp"

#include "harness/exec/cache_prune.hpp"
#include "harness/model/result_json.hpp"
#include "harness/util/fast_json.hpp"
#include "harness/util/files.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/json_input.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

namespace harness::exec {
namespace fs = std::filesystem;
using nlohmann::json;

Hasher::Hasher() : m_state(XXH3_createState()) { XXH3_128bits_reset(static_cast<XXH3_state_t*>(m_state)); }
Hasher::~Hasher() { XXH3_freeState(static_cast<XXH3_state_t*>(m_state)); }

Hasher& Hasher::add(std::string_view piece) {
  auto* state = static_cast<XXH3_state_t*>(m_state);
  const auto size = static_cast<std::uint64_t>(piece.size());
  XXH3_128bits_update(state, &size, sizeof size);
  XXH3_128bits_update(state, piece.data(), piece.size());
  return *this;
}

Hasher& Hasher::add_file(const std::string& path) {
  auto* state = static_cast<XXH3_state_t*>(m_state);
  // Regular files on real file systems only (include-dirs: [/proc] once blocked for ever on
  // /proc/kmsg); what is refused counts by its name and why, so it still keys the cache.
  std::string why;
  const int fd = util::open_regular_file(path, &why);
  if (fd < 0) return add("\x01unread:" + path + ":" + why);
  // A sparse file is hashed by where its data lies and what the data is: its holes are not read
  // (a 40 GB file of holes costs nothing). A signal (Ctrl-C, CI's SIGTERM) stops it between
  // chunks: the key then matches nothing, and the run is stopping anyway.
  const unsigned signals = util::signal_count();
  struct stat st {};
  ::fstat(fd, &st);
  const off_t size = st.st_size;
  thread_local std::vector<char> buffer(256 * 1024);  // made once: a fresh one per file costs its zeroing
  std::uint64_t total = 0;
  bool stopped = false, ended = false;
  for (off_t at = 0; at < size && !stopped && !ended;) {
    off_t data = ::lseek(fd, at, SEEK_DATA);
    if (data < 0) data = errno == ENXIO ? size : at;  // ENXIO: only a hole is left; else no SEEK_DATA
    off_t hole = data < size ? ::lseek(fd, data, SEEK_HOLE) : size;
    if (hole <= data || hole > size) hole = size;
    const std::uint64_t extent[2] = {static_cast<std::uint64_t>(data), static_cast<std::uint64_t>(hole)};
    XXH3_128bits_update(state, extent, sizeof extent);
    for (off_t pos = data; pos < hole;) {
      if (util::signal_count() != signals) {
        stopped = true;
        break;
      }
      const auto want = static_cast<std::size_t>(std::min<off_t>(hole - pos, static_cast<off_t>(buffer.size())));
      const auto n = ::pread(fd, buffer.data(), want, pos);
      if (n <= 0) {
        ended = true;  // shorter than it said (it shrank), or unreadable: what was read counts
        break;
      }
      XXH3_128bits_update(state, buffer.data(), static_cast<std::size_t>(n));
      total += static_cast<std::uint64_t>(n);
      pos += n;
    }
    at = hole;
  }
  ::close(fd);
  XXH3_128bits_update(state, &total, sizeof total);
  if (stopped) add("\x01interrupted:" + std::to_string(::getpid()) + ":" + std::to_string(signals));
  return *this;
}

std::string Hasher::hex() const {
  const auto h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(m_state));
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

std::string default_cache_dir() {
  if (const char* dir = std::getenv("SOHOUND_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg && xdg[0] == '/') return std::string(xdg) + "/sohound";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/sohound";
  return {};
}

namespace {

// 4: the job in results.json's shape, its three long texts beside the JSON. An unchanged rerun
// reads every entry of the run; the driver's source and its build and run commands are most of an
// entry's bytes (2.4 of 3.3 KB for a clean job) and cost nothing to read as they are, but cost the
// most to read as JSON strings. 5: signed with keyed BLAKE2b instead of HMAC-SHA-256 (entry_mac).
constexpr std::string_view k_magic = "sohound-cache 5";

// The job as it ran (before judging), without what belongs to the run that stored it (its
// folders, reports, timings, unit): a line "A B C" of the lengths of its driver source, build
// command and run command, those texts as they are, then the rest in results.json's shape
// (model/result_json).
std::string job_payload(const model::JobResult& job) {
  auto stored = model::without_run_specifics(job);
  const std::string texts[3] = {std::exchange(stored.driver_source, {}), std::exchange(stored.build_command, {}),
                                std::exchange(stored.run_command, {})};
  std::ostringstream out;
  out << texts[0].size() << ' ' << texts[1].size() << ' ' << texts[2].size() << '\n' << texts[0] << texts[1] << texts[2];
  util::JsonWriter w(out);
  model::write_job(w, stored);
  w.flush();
  return out.str();
}

// The payload's three texts, and the JSON after them; nullopt when the lengths do not fit.
struct PayloadParts {
  std::string_view texts[3];
  std::string_view json;
};
std::optional<PayloadParts> split_payload(std::string_view payload) {
  const auto newline = payload.find('\n');
  if (newline == std::string_view::npos || newline > 64) return std::nullopt;
  std::size_t sizes[3] = {};
  std::istringstream line{std::string(payload.substr(0, newline))};
  if (!(line >> sizes[0] >> sizes[1] >> sizes[2])) return std::nullopt;
  PayloadParts parts;
  auto rest = payload.substr(newline + 1);
  for (int t = 0; t < 3; ++t) {
    if (sizes[t] > rest.size()) return std::nullopt;
    parts.texts[t] = rest.substr(0, sizes[t]);
    rest.remove_prefix(sizes[t]);
  }
  parts.json = rest;
  return parts;
}

// The MAC of an entry's (or record's) key and content under the cache's secret, as hex ("" without
// a key): BLAKE2b keyed with the secret (libsodium's crypto_generichash, a MAC when keyed). An
// unchanged rerun checks every entry it reads: 3.8 MB for 1,200 jobs, 24 ms of CPU with HMAC-SHA-256
// (libsodium's is portable C), 5 ms with BLAKE2b (vectorised).
std::string entry_mac(const std::string& key, std::string_view payload, std::string_view mac_key) {
  static_assert(k_cache_mac_key_bytes >= crypto_generichash_KEYBYTES_MIN &&
                k_cache_mac_key_bytes <= crypto_generichash_KEYBYTES_MAX);
  if (mac_key.size() != k_cache_mac_key_bytes || sodium_init() < 0) return {};
  crypto_generichash_state state;
  unsigned char mac[crypto_generichash_BYTES];
  crypto_generichash_init(&state, reinterpret_cast<const unsigned char*>(mac_key.data()), mac_key.size(), sizeof mac);
  const std::string head = key + "\n";
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(head.data()), head.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  crypto_generichash_final(&state, mac, sizeof mac);
  std::string hex(2 * sizeof mac + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac, sizeof mac);
  hex.pop_back();
  return hex;
}

// Written by another version of the same format (the magic's name, another number): a miss, not
// damage. Such a file is not trusted either way; it is only not counted as tampered with.
bool other_version(std::string_view text, std::string_view magic) {
  const auto name = magic.substr(0, magic.rfind(' ') + 1);  // "sohound-cache "
  return text.starts_with(name) && !(text.starts_with(magic) && text.size() > magic.size() && text[magic.size()] == ' ');
}

}  // namespace

std::string encode_entry(const std::string& key, const model::JobResult& job, std::string_view mac_key,
                         std::string_view out_dir) {
  if (!out_dir.empty()) {
    auto kept = job;
    model::relocate(kept, out_dir, k_out_marker);
    return encode_entry(key, kept, mac_key);
  }
  const auto payload = job_payload(job);
  return fmt::format("{} {} {}\n{}", k_magic, key, entry_mac(key, payload, mac_key), payload);
}

std::optional<model::JobResult> decode_entry(const std::string& key, std::string_view text, std::string_view mac_key,
                                             std::string_view out_dir) {
  const auto newline = text.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  const auto header = text.substr(0, newline);
  const auto payload = text.substr(newline + 1);
  const auto mac = entry_mac(key, payload, mac_key);
  const auto expected = fmt::format("{} {} {}", k_magic, key, mac);
  if (mac.empty() || header.size() != expected.size() || sodium_memcmp(header.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  const auto parts = split_payload(payload);
  if (!parts) return std::nullopt;
  // simdjson (util::FastView): an unchanged rerun parses every entry of the run, and nlohmann's
  // DOM was the largest part of that. One parser per reading thread, kept for the next entry.
  thread_local simdjson::dom::parser parser;
  const auto document = parser.parse(parts->json.data(), parts->json.size());
  if (document.error()) return std::nullopt;
  try {
    const util::FastView root(document.value_unsafe());
    if (!root.is_object()) return std::nullopt;
    auto job = model::read_job(root);
    job.driver_source = parts->texts[0];
    job.build_command = parts->texts[1];
    job.run_command = parts->texts[2];
    model::relocate(job, k_out_marker, out_dir);
    return job;
  } catch (const util::JsonTypeError&) {
    return std::nullopt;
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

ResultCache::ResultCache(std::string dir, std::string out_dir)
    : m_dir(std::move(dir)), m_out_dir(std::move(out_dir)), m_opened(std::chrono::system_clock::now()) {}

std::string ResultCache::entry_path(const std::string& key) const {
  return fmt::format("{}/v2/jobs/{}/{}", m_dir, key.substr(0, 2), key);
}

const std::string& ResultCache::mac_key() {
  if (m_mac_key) return *m_mac_key;
  m_mac_key.emplace();
  if (sodium_init() < 0) return *m_mac_key;
  const auto path = m_dir + "/v2/key";
  std::error_code ec;
  fs::create_directories(m_dir + "/v2", ec);
  // Made once, by whichever run comes first (O_EXCL: two runs starting together agree on one).
  if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) {
    unsigned char fresh[k_cache_mac_key_bytes];
    randombytes_buf(fresh, sizeof fresh);
    const bool written = ::write(fd, fresh, sizeof fresh) == static_cast<ssize_t>(sizeof fresh);
    ::close(fd);
    if (!written) {
      fs::remove(path, ec);
      return *m_mac_key;
    }
  }
  std::string key;
  for (int attempt = 0; attempt < 100 && key.size() != k_cache_mac_key_bytes; ++attempt) {
    key = util::read_file_ends(path, k_cache_mac_key_bytes + 1, 0);  // another run may be writing it
    if (key.size() != k_cache_mac_key_bytes) ::usleep(1000);
  }
  if (key.size() == k_cache_mac_key_bytes) *m_mac_key = std::move(key);
  return *m_mac_key;
}

std::optional<model::JobResult> ResultCache::load(const std::string& key) {
  if (!enabled()) return std::nullopt;
  std::string text;
  return load_file(key, text);
}

std::optional<model::JobResult> ResultCache::load_file(const std::string& key, std::string& text) {
  const auto path = entry_path(key);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  text = util::read_file_or_empty(path);
  // Gone since it was seen (a run beside this one pruned the cache): a miss, not damage.
  if (text.empty() && !fs::exists(path, ec)) return std::nullopt;
  auto job = decode_entry(key, text, mac_key(), m_out_dir);
  if (job)
    touch_cache_file(path);  // used: the last to go when the cache is pruned
  else if (!other_version(text, k_magic))
    ++m_damaged;
  return job;
}

std::vector<std::optional<model::JobResult>> ResultCache::load_all(const std::vector<std::string>& keys, unsigned threads) {
  std::vector<std::optional<model::JobResult>> found(keys.size());
  if (!enabled()) return found;
  const auto& secret = mac_key();  // made or read once, before the readers share it
  read_pack();
  std::vector<char> in_pack(keys.size(), 0);
  std::vector<std::string> read_alone(keys.size());  // the text of an entry read from its own file
  std::atomic<std::size_t> next = 0;
  const auto read = [&] {
    for (std::size_t i; (i = next++) < keys.size();) {
      if (keys[i].empty()) continue;
      try {
        if (const auto it = m_pack_entries.find(keys[i]); it != m_pack_entries.end()) {
          found[i] = decode_entry(keys[i], it->second, secret, m_out_dir);
          in_pack[i] = found[i] ? 1 : 0;
          if (!found[i] && !other_version(it->second, k_magic)) ++m_damaged;  // then its own file, which may be whole
        }
        if (!found[i]) found[i] = load_file(keys[i], read_alone[i]);
      } catch (const std::exception&) {
        ++m_damaged;  // unreadable (out of memory, a file system error): a miss, counted
      }
    }
  };
  // Each thread takes entries as it goes; a few dozen entries are not worth a thread.
  threads = static_cast<unsigned>(std::clamp<std::size_t>(std::min<std::size_t>(threads, keys.size() / 64), 1, 8));
  std::vector<std::jthread> readers;
  for (unsigned t = 1; t < threads; ++t) {
    try {
      readers.emplace_back(read);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: fewer readers
    }
  }
  read();
  readers.clear();  // joined before `found` is handed back
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (in_pack[i])
      m_from_pack.insert(keys[i]);
    else if (found[i])
      m_run_entries[keys[i]] = std::move(read_alone[i]);
  }
  return found;
}

void ResultCache::store(const std::string& key, const model::JobResult& job) {
  if (!enabled()) return;
  try {
    const auto path = entry_path(key);
    fs::create_directories(fs::path(path).parent_path());
    if (mac_key().empty()) {
      ++m_write_failures;
      return;
    }
    auto text = encode_entry(key, job, mac_key(), m_out_dir);
    if (!util::write_file(path, text)) return;  // atomic: temporary file, then rename
    m_written += text.size();
    m_from_pack.erase(key);
    m_run_entries[key] = std::move(text);
  } catch (const std::exception&) {
    ++m_write_failures;
  }
}

namespace {
// 2: signed with keyed BLAKE2b (entry_mac), as entries of format 5 are.
constexpr std::string_view k_manifest_magic = "sohound-manifest 2";
constexpr std::string_view k_tool_version_magic = "sohound-tool-version 2";
constexpr std::string_view k_object_magic = "sohound-object 2";
constexpr std::string_view k_debug_copy_magic = "sohound-debug-copy 2";
}  // namespace

std::optional<std::string> ResultCache::load_record(std::string_view folder, std::string_view magic, const std::string& key) {
  if (!enabled()) return std::nullopt;
  const auto path = fmt::format("{}/v2/{}/{}/{}", m_dir, folder, key.substr(0, 2), key);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const auto text = util::read_file_or_empty(path);
  if (text.empty() && !fs::exists(path, ec)) return std::nullopt;  // pruned since it was seen: a miss
  const auto newline = text.find('\n');
  const auto payload = newline == std::string::npos ? std::string_view() : std::string_view(text).substr(newline + 1);
  const auto mac = entry_mac(key, payload, mac_key());
  const auto expected = fmt::format("{} {} {}", magic, key, mac);
  if (mac.empty() || newline != expected.size() || sodium_memcmp(text.data(), expected.data(), expected.size()) != 0) {
    if (!other_version(text, magic)) ++m_damaged;
    return std::nullopt;
  }
  touch_cache_file(path);
  return std::string(payload);
}

void ResultCache::store_record(std::string_view folder, std::string_view magic, const std::string& key, const std::string& text) {
  if (!enabled()) return;
  try {
    const auto path = fmt::format("{}/v2/{}/{}/{}", m_dir, folder, key.substr(0, 2), key);
    fs::create_directories(fs::path(path).parent_path());
    if (mac_key().empty()) {
      ++m_write_failures;
      return;
    }
    const auto record = fmt::format("{} {} {}\n{}", magic, key, entry_mac(key, text, mac_key()), text);
    if (util::write_file(path, record)) m_written += record.size();
  } catch (const std::exception&) {
    ++m_write_failures;
  }
}

std::optional<std::string> ResultCache::load_manifest(const std::string& key) {
  return load_record("manifests", k_manifest_magic, key);
}

void ResultCache::store_manifest(const std::string& key, const std::string& manifest) {
  store_record("manifests", k_manifest_magic, key, manifest);
}

std::optional<std::string> ResultCache::load_object(const std::string& key) {
  return load_record("objects", k_object_magic, key);
}

void ResultCache::store_object(const std::string& key, const std::string& bytes) {
  store_record("objects", k_object_magic, key, bytes);
}

std::optional<std::string> ResultCache::load_tool_version(const std::string& identity) {
  return load_record("tools", k_tool_version_magic, Hasher().add(identity).hex());
}

void ResultCache::store_tool_version(const std::string& identity, const std::string& version) {
  store_record("tools", k_tool_version_magic, Hasher().add(identity).hex(), version);
}

std::optional<std::string> ResultCache::load_debug_copy(const std::string& key) {
  return load_record("debug", k_debug_copy_magic, key);
}

void ResultCache::store_debug_copy(const std::string& key, const std::string& identity) {
  store_record("debug", k_debug_copy_magic, key, identity);
}

std::map<std::string, double> ResultCache::load_costs() {
  std::map<std::string, double> costs;
  if (!enabled()) return costs;
  const auto text = util::read_file_or_empty(m_dir + "/v1/costs.json");
  if (text.empty()) return costs;
  auto parsed = util::parse_json(text, "costs.json");
  if (!parsed || !parsed->is_object()) {
    ++m_damaged;
    return costs;
  }
  for (const auto& [k, v] : parsed->items())
    if (v.is_number() && v.get<double>() >= 0) costs[k] = v.get<double>();
  return costs;
}

void ResultCache::save_costs(const std::map<std::string, double>& costs) {
  if (!enabled()) return;
  try {
    fs::create_directories(m_dir + "/v1");
    util::write_file(m_dir + "/v1/costs.json", json(costs).dump(1));
  } catch (const std::exception&) {
    ++m_write_failures;
  }
}

}  // namespace harness::exec
