#include "reports/xml_escape.hpp"

#include "harness/util/text.hpp"

namespace reports {

namespace {
std::string escape(std::string_view text, bool attribute) {
  const auto clean = harness::util::sanitize_utf8(text, true);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}
}  // namespace

std::string xml_escape(std::string_view text) { return escape(text, true); }
std::string xml_text_escape(std::string_view text) { return escape(text, false); }

}  // namespace reports
