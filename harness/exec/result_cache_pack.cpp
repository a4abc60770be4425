// The result cache's pack: the last run's entries of one set of specs in one file, so an unchanged
// rerun reads one file, not 1,200 (result_cache.hpp).
#include "harness/exec/result_cache.hpp"

#include "harness/exec/cache_prune.hpp"
#include "harness/util/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace harness::exec {
namespace fs = std::filesystem;

namespace {

// A pack: "sohound-pack 1", the number of entries, a line "KEY LENGTH" for each, then the entries'
// texts one after another, each exactly as in its own file (signed).
constexpr std::string_view k_pack_magic = "sohound-pack 1";

std::string pack_path(const std::string& dir, const std::string& name) { return fmt::format("{}/v2/packs/{}", dir, name); }

bool parse_size(std::string_view text, std::size_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

void ResultCache::read_pack() {
  if (m_pack_name.empty() || !m_pack_text.empty()) return;
  m_pack_text = util::read_file_or_empty(pack_path(m_dir, m_pack_name));
  if (m_pack_text.empty()) return;
  std::string_view rest = m_pack_text;
  const auto line = [&rest]() -> std::string_view {
    const auto newline = rest.find('\n');
    if (newline == std::string_view::npos) return rest = {};
    const auto text = rest.substr(0, newline);
    rest.remove_prefix(newline + 1);
    return text;
  };
  std::size_t count = 0;
  std::vector<std::pair<std::string_view, std::size_t>> sizes;
  bool whole = line() == k_pack_magic && parse_size(line(), count) && count <= rest.size();
  for (std::size_t i = 0; whole && i < count; ++i) {
    const auto entry = line();
    const auto space = entry.find(' ');
    std::size_t size = 0;
    whole = space != std::string_view::npos && parse_size(entry.substr(space + 1), size);
    sizes.emplace_back(entry.substr(0, space), size);
  }
  for (const auto& [key, size] : sizes) {
    if (!whole || size > rest.size()) {
      whole = false;
      break;
    }
    m_pack_entries.emplace(key, rest.substr(0, size));
    rest.remove_prefix(size);
  }
  if (!whole || !rest.empty()) {
    ++m_damaged;  // cut short or edited: its entries are read from their own files
    m_pack_entries.clear();
  } else {
    touch_cache_file(pack_path(m_dir, m_pack_name));
  }
}

bool ResultCache::has_pack() const {
  std::error_code ec;
  return enabled() && !m_pack_name.empty() && fs::is_regular_file(pack_path(m_dir, m_pack_name), ec);
}

bool ResultCache::pack_holds(const std::vector<std::string>& keys) {
  if (!enabled()) return false;
  read_pack();
  return std::all_of(keys.begin(), keys.end(), [&](const std::string& key) { return key.empty() || m_pack_entries.count(key); });
}

void ResultCache::save_pack() {
  if (!enabled() || m_pack_name.empty()) return;
  if (m_run_entries.empty() && m_from_pack.size() == m_pack_entries.size()) return;  // the same entries
  std::map<std::string_view, std::string_view> entries;
  for (const auto& key : m_from_pack) entries.emplace(key, m_pack_entries.at(key));
  for (const auto& [key, text] : m_run_entries) entries[key] = text;
  std::string pack = fmt::format("{}\n{}\n", k_pack_magic, entries.size());
  for (const auto& [key, text] : entries) pack += fmt::format("{} {}\n", key, text.size());
  for (const auto& [key, text] : entries) pack += text;
  std::error_code ec;
  fs::create_directories(m_dir + "/v2/packs", ec);
  if (!util::write_file(pack_path(m_dir, m_pack_name), pack))
    ++m_write_failures;
  else
    m_written += std::max<std::uint64_t>(pack.size() > m_pack_text.size() ? pack.size() - m_pack_text.size() : 0, 1);
}

}  // namespace harness::exec
