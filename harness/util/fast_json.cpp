#include "harness/util/fast_json.hpp"

#include <fmt/format.h>

namespace harness::util {
using simdjson::dom::element_type;

namespace {

const char* type_name(simdjson::dom::element v) {
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return "null";
    case element_type::OBJECT:
      return "an object";
    case element_type::ARRAY:
      return "an array";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::INT64:
    case element_type::UINT64:
      return "a whole number";
    case element_type::DOUBLE:
      return "a number";
  }
  return "something else";
}

}  // namespace

std::string FastView::path() const {
  if (!m_parent) return {};
  auto p = m_parent->path() + "/" + std::string(m_key);
  if (m_index != static_cast<std::size_t>(-1)) p += "/" + std::to_string(m_index);
  return p;
}

std::optional<simdjson::dom::element> FastView::field(std::string_view key) const {
  simdjson::dom::object object;
  if (m_value.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  // The last of duplicate keys wins, as with nlohmann::json (util::JsonView).
  std::optional<simdjson::dom::element> found;
  for (auto [k, v] : object)
    if (k == key) found = v;
  if (found && found->type() == element_type::NULL_VALUE) return std::nullopt;
  return found;
}

void FastView::wrong(std::string_view key, const char* expected, simdjson::dom::element found) const {
  throw JsonTypeError{fmt::format("{}/{}: expected {}, found {}", path(), key, expected, type_name(found))};
}

std::string FastView::string(std::string_view key, std::string fallback) const {
  const auto v = field(key);
  if (!v) return fallback;
  std::string_view s;
  if (v->get_string().get(s) != simdjson::SUCCESS) wrong(key, "a string", *v);
  return std::string(s);
}

double FastView::number(std::string_view key, double fallback) const {
  const auto v = field(key);
  if (!v) return fallback;
  switch (v->type()) {
    case element_type::DOUBLE:
      return v->get_double().value_unsafe();
    case element_type::INT64:
      return static_cast<double>(v->get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(v->get_uint64().value_unsafe());
    default:
      wrong(key, "a number", *v);
  }
}

std::int64_t FastView::integer(std::string_view key, std::int64_t fallback) const {
  const auto v = field(key);
  if (!v) return fallback;
  if (v->type() == element_type::UINT64) wrong(key, "a whole number in range", *v);
  if (v->type() != element_type::INT64) wrong(key, "a whole number", *v);
  return v->get_int64().value_unsafe();
}

std::uint64_t FastView::count(std::string_view key, std::uint64_t fallback) const {
  const auto v = field(key);
  if (!v) return fallback;
  if (v->type() == element_type::UINT64) return v->get_uint64().value_unsafe();
  if (v->type() == element_type::INT64) {
    const auto n = v->get_int64().value_unsafe();
    if (n < 0) throw JsonTypeError{fmt::format("{}/{}: expected a count (0 or more), found {}", path(), key, n)};
    return static_cast<std::uint64_t>(n);
  }
  wrong(key, "a count (0 or more)", *v);
}

bool FastView::boolean(std::string_view key, bool fallback) const {
  const auto v = field(key);
  if (!v) return fallback;
  bool b = false;
  if (v->get_bool().get(b) != simdjson::SUCCESS) wrong(key, "true or false", *v);
  return b;
}

std::vector<std::string> FastView::strings(std::string_view key) const {
  const auto v = field(key);
  if (!v) return {};
  simdjson::dom::array array;
  if (v->get_array().get(array) != simdjson::SUCCESS) wrong(key, "an array of strings", *v);
  std::vector<std::string> out;
  out.reserve(array.size());
  std::size_t i = 0;
  for (auto item : array) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) wrong(fmt::format("{}/{}", key, i), "a string", item);
    out.emplace_back(s);
    ++i;
  }
  return out;
}

std::vector<std::uint64_t> FastView::counts(std::string_view key) const {
  const auto v = field(key);
  if (!v) return {};
  simdjson::dom::array array;
  if (v->get_array().get(array) != simdjson::SUCCESS)
    throw JsonTypeError{fmt::format("{}/{}: expected an array of numbers", path(), key)};
  std::vector<std::uint64_t> out;
  out.reserve(array.size());
  std::size_t i = 0;
  for (auto item : array) {
    if (item.type() == element_type::UINT64 || (item.type() == element_type::INT64 && item.get_int64().value_unsafe() >= 0))
      out.push_back(item.type() == element_type::UINT64 ? item.get_uint64().value_unsafe()
                                                        : static_cast<std::uint64_t>(item.get_int64().value_unsafe()));
    else
      throw JsonTypeError{fmt::format("{}/{}/{}: expected a whole number >= 0", path(), key, i)};
    ++i;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FastView::string_map(std::string_view key) const {
  const auto v = field(key);
  if (!v) return {};
  simdjson::dom::object object;
  if (v->get_object().get(object) != simdjson::SUCCESS) wrong(key, "an object", *v);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto [k, value] : object) {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS)
      throw JsonTypeError{fmt::format("{}/{}/{}: expected a string", path(), key, k)};
    out.emplace_back(std::string(k), std::string(s));
  }
  return out;
}

FastView FastView::object(std::string_view key) const {
  const auto v = field(key);
  if (!v) {
    // Missing: an empty object (a static empty document).
    static simdjson::dom::parser empty_parser;
    static const simdjson::padded_string empty_text(std::string_view("{}"));
    static const simdjson::dom::element empty = empty_parser.parse(empty_text).value();
    return FastView(empty, this, key, static_cast<std::size_t>(-1));
  }
  if (v->type() != element_type::OBJECT) wrong(key, "an object", *v);
  return FastView(*v, this, key, static_cast<std::size_t>(-1));
}

std::vector<FastView> FastView::objects(std::string_view key) const {
  const auto v = field(key);
  if (!v) return {};
  simdjson::dom::array array;
  if (v->get_array().get(array) != simdjson::SUCCESS) wrong(key, "an array", *v);
  std::vector<FastView> out;
  out.reserve(array.size());
  std::size_t i = 0;
  for (auto item : array) {
    if (item.type() != element_type::OBJECT) wrong(fmt::format("{}/{}", key, i), "an object", item);
    out.push_back(FastView(item, this, key, i));
    ++i;
  }
  return out;
}

}  // namespace harness::util
