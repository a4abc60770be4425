// The one JSON writer: streams straight to an ostream (no document in memory), so 10,000
// findings render fast and in little memory. Strings become valid UTF-8 (invalid bytes -> U+FFFD)
// with control characters escaped; `script_safe` also escapes < > & so the output can sit inside
// an HTML <script> block.
#pragma once

#include <charconv>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace harness::util {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out, int indent = 0, bool script_safe = false);
  ~JsonWriter();

  JsonWriter& begin_object();
  // An object written on one line (with an indent: `{"a": 1, "b": 2}`), with everything in it.
  JsonWriter& begin_inline_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool b);
  JsonWriter& value(int n) { return integer(n); }
  JsonWriter& value(long n) { return integer(n); }
  JsonWriter& value(unsigned long n) { return integer(n); }
  JsonWriter& value(unsigned long long n) { return integer(n); }
  JsonWriter& value(double d);
  JsonWriter& null();
  template <class T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }
  JsonWriter& string_array(std::string_view name, const std::vector<std::string>& items);

  void flush();

 private:
  JsonWriter& number(std::string_view digits);
  template <class Int>
  JsonWriter& integer(Int n) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;  // no allocation
    return number(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  void before_value();
  void newline();
  void escape(std::string_view text);

  std::ostream& m_out;
  std::string m_buffer;
  int m_indent;
  bool m_script_safe;
  struct Level {
    bool object;
    bool first = true;
  };
  std::vector<Level> m_levels;
  bool m_after_key = false;
  static constexpr std::size_t k_no_inline = static_cast<std::size_t>(-1);
  std::size_t m_inline_level = k_no_inline;  // depth of the outermost inline object, if one is open
};

}  // namespace harness::util
