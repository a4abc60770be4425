#include "harness/util/json_input.hpp"

#include <fmt/format.h>

namespace harness::util {
using nlohmann::json;

namespace {

std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// The offset where nesting first exceeds `max_depth`, or npos. Strings are skipped.
std::size_t too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "a whole number";
    case json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

}  // namespace

std::optional<std::string> parse_json_depth_error(std::string_view text, const std::string& file, int max_depth) {
  const auto at = too_deep_at(text, max_depth);
  if (at == std::string_view::npos) return std::nullopt;
  const auto [line, col] = line_col(text, at);
  return fmt::format("{}:{}:{}: nested more than {} levels deep; not a file Sohound wrote", file, line, col, max_depth);
}

Result<json> parse_json(std::string_view text, const std::string& file, int max_depth) {
  if (auto deep = parse_json_depth_error(text, file, max_depth)) return make_error(*deep);
  try {
    return Result<json>(boost::system::in_place_value, json::parse(text));
  } catch (const json::parse_error& e) {
    const auto [line, col] = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing ..."
    if (const auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    return make_error(fmt::format("{}:{}:{}: {}", file, line, col, what));
  } catch (const json::exception& e) {
    // Not a syntax error but still the input's fault: "number overflow parsing '1e999'" (406).
    std::string what = e.what();
    if (const auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
    return make_error(fmt::format("{}: {}", file, what));
  }
}

bool JsonView::has(std::string_view key) const { return field(key) != nullptr; }

const json* JsonView::field(std::string_view key) const {
  if (!m_value.is_object()) return nullptr;
  const auto it = m_value.find(key);
  return it == m_value.end() || it->is_null() ? nullptr : &*it;
}

namespace {
[[noreturn]] void wrong(const std::string& path, std::string_view key, const char* expected, const json& found) {
  throw JsonTypeError{fmt::format("{}/{}: expected {}, found {}", path, key, expected, type_name(found))};
}
}  // namespace

std::string string_member(const nlohmann::json& object, const char* key, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string JsonView::string(std::string_view key, std::string fallback) const {
  const auto* v = field(key);
  if (!v) return fallback;
  if (!v->is_string()) wrong(m_path, key, "a string", *v);
  return v->get<std::string>();
}

double JsonView::number(std::string_view key, double fallback) const {
  const auto* v = field(key);
  if (!v) return fallback;
  if (!v->is_number()) wrong(m_path, key, "a number", *v);
  return v->get<double>();
}

std::int64_t JsonView::integer(std::string_view key, std::int64_t fallback) const {
  const auto* v = field(key);
  if (!v) return fallback;
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    wrong(m_path, key, "a whole number in range", *v);
  if (!v->is_number_integer()) wrong(m_path, key, "a whole number", *v);
  return v->get<std::int64_t>();
}

std::uint64_t JsonView::count(std::string_view key, std::uint64_t fallback) const {
  const auto* v = field(key);
  if (!v) return fallback;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() < 0)
    throw JsonTypeError{fmt::format("{}/{}: expected a count (0 or more), found {}", m_path, key, v->get<std::int64_t>())};
  wrong(m_path, key, "a count (0 or more)", *v);
}

bool JsonView::boolean(std::string_view key, bool fallback) const {
  const auto* v = field(key);
  if (!v) return fallback;
  if (!v->is_boolean()) wrong(m_path, key, "true or false", *v);
  return v->get<bool>();
}

std::vector<std::string> JsonView::strings(std::string_view key) const {
  const auto* v = field(key);
  if (!v) return {};
  if (!v->is_array()) wrong(m_path, key, "an array of strings", *v);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) wrong(m_path, fmt::format("{}/{}", key, i), "a string", (*v)[i]);
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

JsonView JsonView::object(std::string_view key) const {
  static const json k_empty = json::object();
  const auto* v = field(key);
  if (!v) return JsonView(k_empty, fmt::format("{}/{}", m_path, key));
  if (!v->is_object()) wrong(m_path, key, "an object", *v);
  return JsonView(*v, fmt::format("{}/{}", m_path, key));
}

std::vector<JsonView> JsonView::objects(std::string_view key) const {
  const auto* v = field(key);
  if (!v) return {};
  if (!v->is_array()) wrong(m_path, key, "an array", *v);
  std::vector<JsonView> out;
  out.reserve(v->size());
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_object()) wrong(m_path, fmt::format("{}/{}", key, i), "an object", (*v)[i]);
    out.emplace_back((*v)[i], fmt::format("{}/{}/{}", m_path, key, i));
  }
  return out;
}

}  // namespace harness::util
