// The one XML escaper: valid UTF-8, no characters XML 1.0 forbids, markup characters escaped
// In attribute values newlines and tabs are encoded too (they would be normalised to spaces);
// in element text they are kept as they are.
#pragma once

#include <string>
#include <string_view>

namespace reports {

std::string xml_escape(std::string_view text);       // attribute values
std::string xml_text_escape(std::string_view text);  // element text

}  // namespace reports
