// Reading JSON that Sohound did not necessarily write (results.json, baselines, cache entries):
// bounded nesting, syntax errors at line:col, and typed fields whose errors name the JSON path.
// Nothing here throws past its caller's Result: a hostile file is an input error, never a crash.
#pragma once

#include "harness/util/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::util {

inline constexpr int k_max_json_depth = 64;

// Parses `text`; `file` names it in errors ("results.json:12:5: syntax error: ...").
Result<nlohmann::json> parse_json(std::string_view text, const std::string& file, int max_depth = k_max_json_depth);

// The error parse_json gives when `text` nests deeper than `max_depth`, else nullopt (for readers
// that parse with another library).
std::optional<std::string> parse_json_depth_error(std::string_view text, const std::string& file,
                                                  int max_depth = k_max_json_depth);

// Typed access with the path in every error. A missing key gives the default; a present key of
// the wrong type throws JsonTypeError, which read_json_document turns into an Error.
class JsonView {
 public:
  JsonView(const nlohmann::json& value, std::string path) : m_value(value), m_path(std::move(path)) {}

  const nlohmann::json& raw() const { return m_value; }
  const std::string& path() const { return m_path; }
  bool has(std::string_view key) const;

  std::string string(std::string_view key, std::string fallback = {}) const;
  double number(std::string_view key, double fallback = 0) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback = 0) const;
  std::uint64_t count(std::string_view key, std::uint64_t fallback = 0) const;  // >= 0
  bool boolean(std::string_view key, bool fallback = false) const;
  std::vector<std::string> strings(std::string_view key) const;
  JsonView object(std::string_view key) const;                // {} when missing
  std::vector<JsonView> objects(std::string_view key) const;  // an array of objects; [] when missing

 private:
  const nlohmann::json* field(std::string_view key) const;
  const nlohmann::json& m_value;
  std::string m_path;
};

// A string member of a document another tool wrote (ctest's or meson's JSON), read as untrusted
// input where a wrong type means "not given": `fallback` when missing or not a string.
std::string string_member(const nlohmann::json& object, const char* key, const std::string& fallback = {});

struct JsonTypeError {
  std::string message;
};

}  // namespace harness::util
