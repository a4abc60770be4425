// Collects errors about a spec file and formats them as `file:line:col: message`, followed by the
// offending line and a caret under the column (ninja's Lexer::Error style).
#pragma once

#include "harness/model/source_pos.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::spec {

class Diagnostics {
 public:
  Diagnostics(std::string_view text, std::string file_name);

  // line and column are 1-based.
  void error(int line, int column, std::string_view message);
  void error(const model::SourcePos& pos, std::string_view message) { error(pos.line, pos.column, message); }

  bool empty() const { return m_messages.empty(); }
  // All errors, each with its source line and caret, separated by newlines.
  std::string text() const;
  const std::string& file_name() const { return m_file; }

 private:
  std::string_view m_text;
  std::string m_file;
  std::vector<std::string> m_messages;
};

}  // namespace harness::spec
