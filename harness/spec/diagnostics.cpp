#include "harness/spec/diagnostics.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

namespace harness::spec {

Diagnostics::Diagnostics(std::string_view text, std::string file_name) : m_text(text), m_file(std::move(file_name)) {}

void Diagnostics::error(int line, int column, std::string_view message) {
  std::string out = fmt::format("{}:{}:{}: {}", m_file, line, column, message);
  const auto lines = util::split_lines(m_text);
  if (line >= 1 && static_cast<std::size_t>(line) <= lines.size()) {
    const auto source = lines[static_cast<std::size_t>(line - 1)];
    std::string caret;
    // Copy tabs so the caret lines up however the terminal expands them.
    for (int i = 0; i + 1 < column && static_cast<std::size_t>(i) < source.size(); ++i)
      caret += source[static_cast<std::size_t>(i)] == '\t' ? '\t' : ' ';
    out += fmt::format("\n    {}\n    {}^", source, caret);
  }
  m_messages.push_back(std::move(out));
}

std::string Diagnostics::text() const { return util::join(m_messages, "\n"); }

}  // namespace harness::spec
