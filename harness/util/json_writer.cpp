#include "harness/util/json_writer.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace harness::util {

JsonWriter::JsonWriter(std::ostream& out, int indent, bool script_safe)
    : m_out(out), m_indent(indent), m_script_safe(script_safe) {
  m_buffer.reserve(1 << 16);
}

JsonWriter::~JsonWriter() { flush(); }

void JsonWriter::flush() {
  m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
  m_buffer.clear();
}

void JsonWriter::newline() {
  if (m_indent <= 0) return;
  if (m_levels.size() >= m_inline_level) {  // inside an inline object: one line
    m_buffer += ' ';
    return;
  }
  m_buffer += '\n';
  m_buffer.append(m_levels.size() * static_cast<std::size_t>(m_indent), ' ');
}

void JsonWriter::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (!m_levels.empty()) {
    const bool first = m_levels.back().first;
    if (!first) m_buffer += ',';
    m_levels.back().first = false;
    if (!first || m_levels.size() < m_inline_level) newline();
  }
  if (m_buffer.size() > (1 << 16)) flush();
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  m_buffer += '{';
  m_levels.push_back({true});
  return *this;
}

JsonWriter& JsonWriter::begin_inline_object() {
  begin_object();
  if (m_inline_level == k_no_inline) m_inline_level = m_levels.size();
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  const bool empty = m_levels.back().first;
  const bool in_line = m_levels.size() >= m_inline_level;
  m_levels.pop_back();
  if (m_levels.size() < m_inline_level) m_inline_level = k_no_inline;
  if (!empty && !in_line) newline();
  m_buffer += '}';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  m_buffer += '[';
  m_levels.push_back({false});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  const bool empty = m_levels.back().first;
  const bool in_line = m_levels.size() >= m_inline_level;
  m_levels.pop_back();
  if (!empty && !in_line) newline();
  m_buffer += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  escape(name);
  m_buffer += m_indent > 0 ? ": " : ":";
  m_after_key = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  escape(text);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  m_buffer += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double d) {
  before_value();
  if (!std::isfinite(d)) d = 0;
  m_buffer += fmt::format("{}", d);
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  m_buffer += "null";
  return *this;
}

JsonWriter& JsonWriter::number(std::string_view digits) {
  before_value();
  m_buffer += digits;
  return *this;
}

JsonWriter& JsonWriter::string_array(std::string_view name, const std::vector<std::string>& items) {
  key(name).begin_array();
  for (const auto& item : items) value(item);
  return end_array();
}

void JsonWriter::escape(std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  m_buffer += '"';
  // Plain bytes (printable ASCII that needs no escape) are appended a run at a time: most text is
  // all plain, and byte-by-byte appends were most of the cost of writing 10,000 findings.
  struct Table {
    bool plain[2][256] = {};  // [script_safe][byte]
    Table() {
      for (int safe = 0; safe < 2; ++safe)
        for (int c = 0x20; c < 0x80; ++c) plain[safe][c] = c != '"' && c != '\\' && !(safe && (c == '<' || c == '>' || c == '&'));
    }
  };
  static const Table table;
  const bool* plain = table.plain[m_script_safe ? 1 : 0];
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i;
    while (run < text.size() && plain[static_cast<unsigned char>(text[run])]) ++run;
    if (run > i) {
      m_buffer.append(text.data() + i, run - i);
      i = run;
      if (i == text.size()) break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          m_buffer += "\\\"";
          break;
        case '\\':
          m_buffer += "\\\\";
          break;
        case '\n':
          m_buffer += "\\n";
          break;
        case '\t':
          m_buffer += "\\t";
          break;
        case '\r':
          m_buffer += "\\r";
          break;
        default:
          if (c < 0x20 || (m_script_safe && (c == '<' || c == '>' || c == '&'))) {
            m_buffer += "\\u00";
            m_buffer += k_hex[c >> 4];
            m_buffer += k_hex[c & 0xf];
          } else {
            m_buffer += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Multi-byte sequence: copy it when valid, else U+FFFD for the first byte.
    const auto length = harness::util::utf8_sequence_length(text, i);
    if (length == 0) {
      m_buffer += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    m_buffer.append(text.substr(i, length));
    i += length;
  }
  m_buffer += '"';
}

}  // namespace harness::util
