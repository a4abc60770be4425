// Small string helpers that know nothing about leaks or suites (file I/O is in files.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace harness::util {

std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
// A letter, digit or '_': a character of a C identifier.
bool is_ident_char(char c);
std::vector<std::string_view> split_lines(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Levenshtein distance; used for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or "" when nothing is close enough.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

// Shell-style glob with * and ? (no character classes), over the whole string.
bool glob_match(std::string_view pattern, std::string_view text);

// Quotes an argument for a POSIX shell so a user can paste the command back.
std::string shell_quote(std::string_view arg);

// 64-bit FNV-1a; stable across machines and builds (used in fingerprints).
std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed = 0xcbf29ce484222325ULL);
std::string to_hex(std::uint64_t value, int digits = 16);

// The length of the valid UTF-8 sequence starting at text[i] (1 for ASCII), or 0 when the bytes
// there are not valid UTF-8 (overlong forms and surrogates are invalid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Valid UTF-8 with every invalid byte sequence replaced by U+FFFD, and (when `xml_safe`) the
// control characters XML 1.0 forbids (all below 0x20 but tab, LF, CR) replaced by U+FFFD too.
std::string sanitize_utf8(std::string_view text, bool xml_safe = false);

// `text` safe to print on a terminal or into a CI log: every control character (C0, DEL, and the
// C1 controls in UTF-8, which terminals also obey) written as \xNN or \u00NN, so text from code
// under test cannot move the cursor, rewrite a line (a fake "PASS") or change colours. Tab and,
// when `keep_newlines`, line feeds stay.
std::string printable(std::string_view text, bool keep_newlines = false);

// Appends `from` to `to`.
void append(std::vector<std::string>& to, const std::vector<std::string>& from);

}  // namespace harness::util
