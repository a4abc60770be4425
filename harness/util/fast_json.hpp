// Typed reading of JSON read in bulk (results.json of 10,000s of findings, the result cache's
// entries) on simdjson's DOM: the same interface and error texts as util::JsonView (nlohmann), about
// ten times faster to parse and free (bench/merge_10k.sh). A field's path ("/jobs/3/findings/7") is
// built only for an error.
#pragma once

#include "harness/util/json_input.hpp"

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness::util {

class FastView {
 public:
  explicit FastView(simdjson::dom::element value) : m_value(value) {}

  std::string path() const;
  bool has(std::string_view key) const { return field(key).has_value(); }
  bool is_object() const { return m_value.type() == simdjson::dom::element_type::OBJECT; }

  std::string string(std::string_view key, std::string fallback = {}) const;
  double number(std::string_view key, double fallback = 0) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback = 0) const;
  std::uint64_t count(std::string_view key, std::uint64_t fallback = 0) const;  // >= 0
  bool boolean(std::string_view key, bool fallback = false) const;
  std::vector<std::string> strings(std::string_view key) const;
  std::vector<std::uint64_t> counts(std::string_view key) const;                            // an array of counts
  std::vector<std::pair<std::string, std::string>> string_map(std::string_view key) const;  // {k: "v"}
  FastView object(std::string_view key) const;                                              // {} when missing
  std::vector<FastView> objects(std::string_view key) const;  // an array of objects; [] when missing

 private:
  FastView(simdjson::dom::element value, const FastView* parent, std::string_view key, std::size_t index)
      : m_value(value), m_parent(parent), m_key(key), m_index(index) {}
  std::optional<simdjson::dom::element> field(std::string_view key) const;
  [[noreturn]] void wrong(std::string_view key, const char* expected, simdjson::dom::element found) const;

  simdjson::dom::element m_value;
  const FastView* m_parent = nullptr;  // for the path; parents outlive their children here
  std::string_view m_key;
  std::size_t m_index = static_cast<std::size_t>(-1);  // in the parent's array, else npos
};

}  // namespace harness::util
