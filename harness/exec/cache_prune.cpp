#include "harness/exec/cache_prune.hpp"

#include "harness/util/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>

namespace harness::exec {
namespace fs = std::filesystem;

std::optional<std::uint64_t> parse_cache_size(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t scale = 1;
  constexpr std::string_view k_units = "KMGT";  // powers of 1024
  if (const auto unit = k_units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text.back()))));
      unit != std::string_view::npos)
    scale = std::uint64_t(1) << (10 * (unit + 1));
  if (scale != 1) text.remove_suffix(1);
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number, std::chars_format::fixed);
  if (error != std::errc() || end != text.data() + text.size() || !(number >= 0) || !std::isfinite(number)) return std::nullopt;
  const double bytes = number * static_cast<double>(scale);
  if (bytes >= 1.8e19) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

void touch_cache_file(const std::string& path) { ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0); }

namespace {

struct CacheFile {
  std::string path;
  std::uint64_t size = 0;
  std::int64_t used = 0;  // nanoseconds since the Unix epoch
};

std::int64_t modified(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

bool is_hex_key(std::string_view s) {
  return s.size() >= 8 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_number(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A name Sohound gives a file under v2/: KEY, KEY.debug, and the temporary names they are written
// under (KEY.tmp-PID-N by util::write_file, KEY.debug.PID.part by the debug copies), in one of its
// folders. Anything else (a file of the user's in a --cache-dir that was not only Sohound's) is
// neither counted nor removed.
bool is_cache_file(const fs::path& relative) {
  static const std::set<std::string> folders = {"jobs", "packs", "manifests", "objects", "tools", "debug"};
  if (relative.empty() || !folders.count(relative.begin()->string())) return false;
  const auto name = relative.filename().string();
  const auto dot = name.find('.');
  if (!is_hex_key(std::string_view(name).substr(0, dot))) return false;
  if (dot == std::string::npos) return true;
  auto rest = std::string_view(name).substr(dot + 1);
  if (rest.starts_with("debug")) {
    rest.remove_prefix(5);
    if (rest.empty()) return true;
    if (rest.front() != '.') return false;
    rest.remove_prefix(1);
  }
  if (rest.starts_with("tmp-")) {
    rest.remove_prefix(4);
    const auto dash = rest.find('-');
    return dash != std::string_view::npos && is_number(rest.substr(0, dash)) && is_number(rest.substr(dash + 1));
  }
  return rest.ends_with(".part") && is_number(rest.substr(0, rest.size() - 5));
}

// A debug copy's record: v2/debug/NN/KEY for v2/debug/KEY.debug.
std::string debug_record_of(const fs::path& copy) {
  const auto key = copy.stem().string();
  return (copy.parent_path() / key.substr(0, 2) / key).string();
}

}  // namespace

CachePrune prune_cache(const std::string& dir, std::uint64_t max_bytes, std::chrono::system_clock::time_point keep_from) {
  CachePrune out;
  const auto keep_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(keep_from.time_since_epoch()).count();
  const auto root = fs::path(dir) / "v2";
  const auto debug_dir = root / "debug";
  std::vector<CacheFile> files;
  std::map<std::string, std::int64_t> record_times;  // debug records, by path
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st {};
    const auto path = it->path().string();
    if (!is_cache_file(it->path().lexically_relative(root)) || ::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    files.push_back({path, static_cast<std::uint64_t>(st.st_size), modified(st)});
    out.bytes += files.back().size;
    if (it->path().parent_path().parent_path() == debug_dir) record_times[path] = files.back().used;
  }
  out.files = files.size();
  if (max_bytes == 0 || out.bytes <= max_bytes) return out;
  for (auto& file : files) {
    const fs::path path(file.path);
    if (path.parent_path() != debug_dir || path.extension() != ".debug") continue;
    if (const auto record = record_times.find(debug_record_of(path)); record != record_times.end())
      file.used = std::max(file.used, record->second);
  }
  std::sort(files.begin(), files.end(), [](const CacheFile& a, const CacheFile& b) { return a.used < b.used; });
  const auto target = max_bytes / 10 * 8;
  auto left = out.bytes;
  for (const auto& file : files) {
    if (left <= target || file.used >= keep_ns) break;
    if (fs::remove(file.path, ec) && !ec) {
      left -= file.size;
      ++out.removed;
      out.removed_bytes += file.size;
    }
  }
  return out;
}

namespace {
constexpr std::string_view k_size_magic = "sohound-cache-size 1";
}  // namespace

CacheBound keep_cache_bounded(const std::string& dir, std::uint64_t max_bytes, std::uint64_t written,
                              std::chrono::system_clock::time_point keep_from, std::chrono::system_clock::time_point now) {
  CacheBound out;
  const auto record = dir + "/v2/size";
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // "MAGIC BYTES WALKED_AT": not signed (a wrong one costs a walk or a day's growth, no verdict).
  std::uint64_t bytes = 0;
  long long walked_at = 0;
  const auto text = util::read_file_or_empty(record);
  const bool known = text.rfind(k_size_magic, 0) == 0 &&
                     std::sscanf(text.c_str() + k_size_magic.size(), " %" SCNu64 " %lld", &bytes, &walked_at) == 2;
  out.estimate = bytes + written;
  if (known && out.estimate <= max_bytes && walked_at <= now_s && now_s - walked_at < 24 * 3600) {
    util::write_file(record, fmt::format("{} {} {}\n", k_size_magic, out.estimate, walked_at));
    return out;
  }
  out.walked = true;
  out.pruned = prune_cache(dir, max_bytes, keep_from);
  out.estimate = out.pruned.bytes - out.pruned.removed_bytes;
  util::write_file(record, fmt::format("{} {} {}\n", k_size_magic, out.estimate, now_s));
  return out;
}

}  // namespace harness::exec
