// The one XML escaper: valid UTF-8, no characters XML 1.0 forbids, markup characters escaped
// (the same function serves text and attribute values).
#pragma once

#include <string>
#include <string_view>

namespace reports {

std::string xml_escape(std::string_view text);

}  // namespace reports
