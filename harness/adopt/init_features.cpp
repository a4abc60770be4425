#include "harness/adopt/init_features.hpp"

#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace harness::adopt {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The words of a C name, lower case: "cJSON_CreateObject" -> cjson, create, object.
std::vector<std::string> name_words(const std::string& name) {
  std::vector<std::string> out;
  std::string word;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool boundary = c == '_' || (i > 0 && std::isupper(static_cast<unsigned char>(c)) &&
                                       std::islower(static_cast<unsigned char>(name[i - 1])));
    if (boundary && !word.empty()) out.push_back(lower(word)), word.clear();
    if (c != '_') word += c;
  }
  if (!word.empty()) out.push_back(lower(word));
  return out;
}

const std::vector<std::string> k_makers = {"new", "create", "open", "alloc", "parse", "init"};
const std::vector<std::string> k_enders = {"destroy", "delete", "free", "close", "unref", "release", "dispose", "end"};

bool has_word(const std::string& name, const std::vector<std::string>& words, std::size_t* rank = nullptr) {
  const auto ws = name_words(name);
  for (std::size_t k = 0; k < words.size(); ++k)
    if (std::find(ws.begin(), ws.end(), words[k]) != ws.end()) {
      if (rank) *rank = k;
      return true;
    }
  return false;
}

std::size_t common_prefix(const std::string& a, const std::string& b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// What to pass for a parameter as written: "" for a string, 0 for a number; nothing Sohound can
// make for another pointer (nullopt: no call is written).
std::optional<std::string> argument_for(const std::string& parameter) {
  const bool pointer = parameter.find('*') != std::string::npos || parameter.find('[') != std::string::npos;
  if (!pointer) return parameter.find("...") != std::string::npos ? std::nullopt : std::optional<std::string>("0");
  if (parameter.find("char") != std::string::npos && std::count(parameter.begin(), parameter.end(), '*') == 1)
    return std::string("\"\"");
  return std::nullopt;
}

struct Candidate {
  std::size_t family;
  std::string code, calls;
};

// The C candidates for a family, best first: lifecycle pairs, then a version query.
std::vector<Candidate> c_candidates(std::size_t index, const FunctionFamily& family, const LibraryFacts& facts,
                                    const std::string& headers) {
  std::vector<Candidate> out;
  auto call = [&](const std::string& fn) -> std::optional<std::string> {
    const auto params = c_parameters(headers, fn);
    if (!params) return std::nullopt;
    std::vector<std::string> args;
    for (const auto& p : *params) {
      auto a = argument_for(p);
      if (!a) return std::nullopt;
      args.push_back(*a);
    }
    return fmt::format("{}({})", fn, util::join(args, ", "));
  };
  for (const auto& [maker, ender] : lifecycle_pairs(family.functions, facts.symbols)) {
    const auto made = call(maker);
    const auto params = c_parameters(headers, ender);
    if (!made || !params || params->size() != 1) continue;
    out.push_back(
        {index, fmt::format("__auto_type object = {};\nif (object) {}(object);\n", *made, ender), maker + ", " + ender});
  }
  for (const auto& fn : family.functions) {
    const auto params = c_parameters(headers, fn);
    if (params && params->empty() && lower(fn).find("version") != std::string::npos)
      out.push_back({index, fmt::format("(void){}();\n", fn), fn});
  }
  return out;
}

// The C++ candidate for a family that is a class: an object made and destroyed.
std::vector<Candidate> cxx_candidates(std::size_t index, const FunctionFamily& family, const LibraryFacts& facts) {
  if (std::find(facts.classes.begin(), facts.classes.end(), family.name) == facts.classes.end()) return {};
  return {{index, fmt::format("{} object;\n(void)object;\n", family.name), family.name}};
}

// Compiles the candidates in one translation unit, dropping those the compiler points at, until
// the rest compile (at most a few rounds). Returns those that compile.
std::vector<Candidate> compiling(std::vector<Candidate> candidates, const LibraryFacts& facts,
                                 const std::vector<std::string>& compile) {
  for (int round = 0; round < 6 && !candidates.empty(); ++round) {
    std::string tu;
    for (const auto& h : facts.headers) tu += fmt::format("#include <{}>\n", h);
    if (!facts.cxx) tu += "#include <stddef.h>\n";
    std::vector<std::pair<std::size_t, std::size_t>> lines;  // each candidate's first and last line
    std::size_t line = std::count(tu.begin(), tu.end(), '\n') + 1;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      const auto text = fmt::format("static void sohound_candidate_{}(void) {{\n{}}}\n", k, candidates[k].code);
      const auto count = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
      lines.emplace_back(line, line + count - 1);
      line += count;
      tu += text;
    }
    const auto said = util::capture_said(compile, tu);
    if (!said) return {};
    if (said->status == 0) return candidates;
    std::set<std::size_t> wrong;
    bool outside = false;
    for (const auto l : util::split_lines(said->output)) {
      if (!util::starts_with(l, "<stdin>:") || l.find("error") == std::string_view::npos) continue;
      const auto n = static_cast<std::size_t>(std::atol(std::string(l.substr(8)).c_str()));
      const auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& r) { return n >= r.first && n <= r.second; });
      if (it == lines.end())
        outside = true;
      else
        wrong.insert(static_cast<std::size_t>(it - lines.begin()));
    }
    if (wrong.empty() || outside) return {};  // the headers themselves do not compile alone
    std::vector<Candidate> kept;
    for (std::size_t k = 0; k < candidates.size(); ++k)
      if (!wrong.count(k)) kept.push_back(std::move(candidates[k]));
    candidates = std::move(kept);
  }
  return candidates;
}

std::string feature_name(const std::string& family) {
  std::string out;
  for (char c : family) {
    if (util::is_ident_char(c))
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "feature" : out.substr(0, 80);
}

}  // namespace

std::optional<std::vector<std::string>> c_parameters(const std::string& text, const std::string& function) {
  for (auto at = text.find(function); at != std::string::npos; at = text.find(function, at + 1)) {
    if ((at > 0 && util::is_ident_char(text[at - 1])) ||
        (at + function.size() < text.size() && util::is_ident_char(text[at + function.size()])))
      continue;
    auto open = at + function.size();
    auto skip_space = [&](std::size_t i) {
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
      return i;
    };
    open = skip_space(open);
    // zlib's K&R-era wrapper: "gzopen OF((const char *path, const char *mode));".
    bool wrapped = false;
    if (open < text.size() && util::is_ident_char(text[open])) {
      auto macro_end = open;
      while (macro_end < text.size() && util::is_ident_char(text[macro_end])) ++macro_end;
      const auto inner = skip_space(macro_end);
      if (inner + 1 < text.size() && text[inner] == '(' && text[skip_space(inner + 1)] == '(') {
        open = skip_space(inner + 1);
        wrapped = true;
      }
    }
    if (open >= text.size() || text[open] != '(') continue;
    int depth = 0;
    std::vector<std::string> params;
    std::string current;
    std::size_t i = open;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '(' && depth++ == 0) continue;
      if (c == ')' && --depth == 0) break;
      if (c == ',' && depth == 1) {
        params.push_back(std::string(util::trim(current)));
        current.clear();
      } else {
        current += c == '\n' || c == '\t' ? ' ' : c;
      }
    }
    if (i >= text.size()) continue;
    // A declaration ends in ';' after the list (not a call inside a macro or a body).
    auto after = i + 1;
    if (wrapped) after = skip_space(after) + 1;  // the wrapper's own ')'
    while (after < text.size() && text[after] != ';' && text[after] != '{' && text[after] != '(' && text[after] != ')') ++after;
    if (after >= text.size() || text[after] != ';') continue;
    const auto last = std::string(util::trim(current));
    if (!last.empty() && last != "void") params.push_back(last);
    return params;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> lifecycle_pairs(const std::vector<std::string>& functions,
                                                                 const std::vector<std::string>& all) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& maker : functions) {
    if (!has_word(maker, k_makers) || has_word(maker, k_enders)) continue;
    std::string best;
    std::size_t best_prefix = 0, best_rank = k_enders.size();
    for (const auto& ender : all) {
      std::size_t rank = 0;
      if (ender == maker || !has_word(ender, k_enders, &rank)) continue;
      const auto prefix = common_prefix(maker, ender);
      if (prefix > best_prefix || (prefix == best_prefix && rank < best_rank))
        best = ender, best_prefix = prefix, best_rank = rank;
    }
    // The pair must share the library's prefix at least ("archive_", "cJSON_").
    if (!best.empty() && best_prefix >= 3) out.emplace_back(maker, best);
  }
  return out;
}

std::vector<StarterFeature> starter_features(const LibraryFacts& facts, const std::vector<FunctionFamily>& families,
                                             const std::vector<std::string>& compile) {
  std::string headers;
  for (const auto& path : facts.header_paths) {
    std::string text;
    if (util::read_file(path, text)) headers += text + "\n";
  }
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < families.size(); ++i)
    for (auto& c : facts.cxx ? cxx_candidates(i, families[i], facts) : c_candidates(i, families[i], facts, headers))
      candidates.push_back(std::move(c));
  const auto compiled = compiling(std::move(candidates), facts, compile);
  std::vector<StarterFeature> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < families.size(); ++i) {
    StarterFeature f;
    f.family = families[i].name;
    f.name = feature_name(f.family);
    for (int n = 2; !names.insert(f.name).second; ++n) f.name = feature_name(f.family) + "_" + std::to_string(n);
    const auto it = std::find_if(compiled.begin(), compiled.end(), [&](const Candidate& c) { return c.family == i; });
    if (it != compiled.end()) {
      f.code = it->code;
      f.calls = it->calls;
    } else {
      f.todo = facts.cxx
                   ? fmt::format("call {} as your users do (Sohound could not make an object of it that compiles)", f.family)
                   : fmt::format(
                         "call {} as your users do (no call Sohound can write from the prototypes compiles: "
                         "its functions need arguments only your code can make)",
                         f.family);
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace harness::adopt
