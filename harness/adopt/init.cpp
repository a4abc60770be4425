#include "harness/adopt/init.hpp"

#include "harness/exec/elf_symbols.hpp"
#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>

namespace harness::adopt {
namespace fs = std::filesystem;

namespace {

// The first word of a C name: up to its first '_' (kept out), or its first lower-to-upper case
// change ("xmlReadFile" -> "xml", "deflateInit_" -> "deflate", "gzopen" -> "gzopen").
std::string first_word(std::string_view name, std::size_t from = 0) {
  std::size_t i = from;
  while (i < name.size() && name[i] == '_') ++i;
  const auto start = i;
  for (; i < name.size(); ++i) {
    if (name[i] == '_') break;
    if (i > start && std::isupper(static_cast<unsigned char>(name[i])) && std::islower(static_cast<unsigned char>(name[i - 1])))
      break;
  }
  return std::string(name.substr(start, i - start));
}

}  // namespace

std::string cxx_function_name(const std::string& symbol) {
  if (!util::starts_with(symbol, "_Z")) return {};
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> text(abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status), &std::free);
  if (status != 0 || !text) return {};
  std::string name = text.get();
  for (const char* skip : {"std::", "__gnu_cxx::", "__cxxabi", "typeinfo", "vtable", "VTT", "non-virtual thunk", "virtual thunk",
                           "guard variable", "construction vtable", "transaction clone", "TLS "})
    if (util::starts_with(name, skip)) return {};
  // A function template's name carries its return type ("bool llvm::PatternMatch::match<...>"):
  // a space at depth 0 before the first "::" ends it.
  {
    int d = 0;
    for (std::size_t i = 0; i + 1 < name.size(); ++i) {
      if (name[i] == '<' || name[i] == '(')
        ++d;
      else if (name[i] == '>' || name[i] == ')')
        --d;
      else if (d == 0 && name[i] == ':' && name[i + 1] == ':')
        break;
      else if (d == 0 && name[i] == ' ') {
        name = name.substr(i + 1);
        break;
      }
    }
  }
  // Cut the parameter list: the '(' at template depth 0 that is not part of "operator()".
  int depth = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<')
      ++depth;
    else if (c == '>')
      --depth;
    else if (c == '(' && depth == 0) {
      if (i >= 8 && name.compare(i - 8, 8, "operator") == 0 && i + 1 < name.size() && name[i + 1] == ')') {
        ++i;
        continue;
      }
      name.resize(i);
      break;
    }
  }
  return name;
}

std::vector<FunctionFamily> function_families(const std::vector<std::string>& symbols, std::size_t max,
                                              std::vector<std::string>* others) {
  std::size_t mangled = 0;
  for (const auto& s : symbols) mangled += util::starts_with(s, "_Z");
  const bool cxx = mangled * 2 > symbols.size();
  std::map<std::string, std::vector<std::string>> groups;
  if (cxx) {
    for (const auto& s : symbols) {
      const auto name = cxx_function_name(s);
      if (name.empty() || name.find("std::") != std::string::npos) continue;  // instantiations of the standard library's
      // The scope of the function: the text before its last "::" outside template arguments.
      int depth = 0;
      std::size_t last = std::string::npos;
      for (std::size_t i = 0; i + 1 < name.size(); ++i) {
        if (name[i] == '<')
          ++depth;
        else if (name[i] == '>')
          --depth;
        else if (depth == 0 && name[i] == ':' && name[i + 1] == ':')
          last = i;
      }
      auto& list = groups[last == std::string::npos ? std::string("(global)") : name.substr(0, last)];
      if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    }
  } else {
    std::vector<std::string> names;
    for (const auto& s : symbols)
      if (!util::starts_with(s, "_")) names.push_back(s);
    // The library's prefix: a first word most of its functions share ("json", "xml", "uv").
    std::map<std::string, std::size_t> firsts;
    for (const auto& n : names) ++firsts[first_word(n)];
    std::string prefix;
    std::size_t best = 0;
    for (const auto& [word, count] : firsts)
      if (count > best) best = count, prefix = word;
    const bool shared = !names.empty() && best * 10 >= names.size() * 4 && best > 1;
    for (const auto& n : names) {
      std::string family = first_word(n);
      if (shared && family == prefix) {
        const auto sep = n.size() > prefix.size() && n[prefix.size()] == '_' ? "_" : "";
        const auto second = first_word(n, prefix.size());
        family = second.empty() ? prefix : prefix + sep + second;
      }
      groups[family].push_back(n);
    }
  }
  if (!cxx) {
    // Without a shared prefix, small families of one lower-case word that share their first two
    // letters are one family (zlib's gzopen, gzread, gzclose_r ... -> gz).
    std::map<std::string, std::vector<std::string>> by_two;
    for (const auto& [name, functions] : groups)
      if (functions.size() <= 3 && name.size() > 2 && std::all_of(name.begin(), name.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
          }))
        by_two[name.substr(0, 2)].push_back(name);
    for (const auto& [two, members] : by_two) {
      if (members.size() < 3 || groups.count(two)) continue;
      auto& merged = groups[two];
      for (const auto& m : members) {
        util::append(merged, groups[m]);
        groups.erase(m);
      }
      std::sort(merged.begin(), merged.end());
    }
  }
  if (!cxx) {
    // A family too large to read as one (cJSON's 78 functions) is split by the next word of its
    // names: cJSON_Create, cJSON_Add, cJSON_Get...
    std::map<std::string, std::vector<std::string>> split;
    for (auto it = groups.begin(); it != groups.end();) {
      if (it->second.size() <= 16) {
        ++it;
        continue;
      }
      for (const auto& n : it->second) {
        auto from = it->first.size();
        while (from < n.size() && n[from] == '_') ++from;
        const auto next = first_word(n, from);
        const auto sep = from > it->first.size() ? "_" : "";
        split[next.empty() ? it->first : it->first + sep + next].push_back(n);
      }
      it = groups.erase(it);
    }
    for (auto& [name, functions] : split) util::append(groups[name], functions);
  }
  std::vector<FunctionFamily> families;
  for (auto& [name, functions] : groups) families.push_back({name, std::move(functions)});
  std::stable_sort(families.begin(), families.end(),
                   [](const FunctionFamily& a, const FunctionFamily& b) { return a.functions.size() > b.functions.size(); });
  if (families.size() > max) {
    if (others)
      for (std::size_t i = max; i < families.size(); ++i) others->push_back(families[i].name);
    families.resize(max);
  }
  return families;
}

namespace {

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  return out;
}

// What `gcc -print-file-name=libNAME.so` resolves: the compiler's own search, as a link would.
std::string find_shared_library(const std::string& name, const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs)
    if (fs::exists(dir + "/lib" + name + ".so")) return dir + "/lib" + name + ".so";
  auto out = util::capture({"gcc", "-print-file-name=lib" + name + ".so"});
  if (!out) return {};
  auto path = std::string(util::trim(*out));
  return path.find('/') == std::string::npos ? std::string() : path;
}

// Headers under `dir` (recursively when `deep`), with their #include names relative to `dir`.
void collect_headers(const std::string& dir, bool deep, std::vector<std::pair<std::string, std::string>>& out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  auto add = [&](const fs::directory_entry& e) {
    const auto ext = e.path().extension().string();
    if (!e.is_regular_file(ec) || (ext != ".h" && ext != ".hpp" && ext != ".hh" && ext != ".hxx" && ext != "")) return;
    if (ext.empty() && !deep) return;  // extension-less headers (C++ style) only inside a library's own folder
    out.emplace_back(e.path().string(), e.path().lexically_relative(dir).string());
  };
  if (deep) {
    std::size_t seen = 0;
    // LLVM's include folder is links to its subfolders: followed (the cap ends any loop).
    for (fs::recursive_directory_iterator
             it(dir, fs::directory_options::skip_permission_denied | fs::directory_options::follow_directory_symlink, ec),
         end;
         !ec && it != end && seen < 5000; it.increment(ec), ++seen)
      add(*it);
  } else {
    for (const auto& e : fs::directory_iterator(dir, ec)) add(e);
  }
}

// Whether `text` declares function `name` ("name (" after a non-identifier character).
bool declares(const std::string& text, const std::string& name) {
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    if (at > 0 && util::is_ident_char(text[at - 1])) continue;
    auto end = at + name.size();
    if (end < text.size() && util::is_ident_char(text[end])) continue;
    while (end < text.size() && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' || text[end] == ')')) ++end;
    if (end < text.size() && text[end] == '(') return true;
  }
  return false;
}

// The classes and structs `text` defines (a body follows the name), in one pass.
std::set<std::string> defined_classes(const std::string& text) {
  std::set<std::string> out;
  for (const char* keyword : {"class ", "struct "})
    for (auto at = text.find(keyword); at != std::string::npos; at = text.find(keyword, at + 1)) {
      if (at > 0 && util::is_ident_char(text[at - 1])) continue;
      auto rest = std::string_view(text).substr(at, 400);
      const auto brace = rest.find_first_of("{;");
      if (brace == std::string_view::npos || rest[brace] != '{') continue;
      const auto head = rest.substr(0, brace);
      auto colon = head.find(':');
      auto decl = head.substr(0, colon == std::string_view::npos ? head.size() : colon);
      while (!decl.empty() && !util::is_ident_char(decl.back())) decl.remove_suffix(1);
      auto start = decl.size();
      while (start > 0 && util::is_ident_char(decl[start - 1])) --start;
      if (start < decl.size()) out.insert(std::string(decl.substr(start)));
    }
  return out;
}

}  // namespace

namespace {

using Candidates = std::vector<std::pair<std::string, std::string>>;  // header path, include name

// A library file: its headers usually sit in ../include beside its lib folder, or in the system's.
util::Result<void> locate_file(const std::string& library, LibraryFacts& facts, Candidates& candidates) {
  std::error_code ec;
  const auto path = fs::absolute(library, ec).lexically_normal();
  if (!fs::is_regular_file(path, ec)) return util::make_error(fmt::format("library '{}' does not exist", library));
  facts.so_path = path.string();
  for (const auto& dir :
       {path.parent_path().parent_path() / "include", path.parent_path().parent_path().parent_path() / "include",
        path.parent_path() / "include", path.parent_path()}) {
    if (!fs::is_directory(dir, ec) || dir == "/usr/include") continue;
    facts.include_dirs.push_back(fs::canonical(dir, ec).string());
    collect_headers(fs::canonical(dir, ec).string(), true, candidates);
  }
  return {};
}

// A pkg-config package: its -I folders, and the first shared library among its -l names.
util::Result<void> locate_package(const std::string& library, LibraryFacts& facts, Candidates& candidates) {
  if (!util::capture({"pkg-config", "--exists", library}))
    return util::make_error(fmt::format(
        "'{}' is neither a library file nor a pkg-config package (pkg-config --list-all lists the installed ones)", library));
  facts.pkg_config = true;
  const auto cflags = util::capture({"pkg-config", "--cflags-only-I", library}).value_or("");
  for (const auto& w : words(cflags))
    if (util::starts_with(w, "-I")) facts.include_dirs.push_back(w.substr(2));
  const auto libs = words(util::capture({"pkg-config", "--libs-only-L", "--libs-only-l", library}).value_or(""));
  std::vector<std::string> dirs;
  for (const auto& w : libs)
    if (util::starts_with(w, "-L")) dirs.push_back(w.substr(2));
  for (const auto& w : libs) {
    if (!util::starts_with(w, "-l")) continue;
    const auto name = w.substr(2);
    if (name == "pthread" || name == "m" || name == "dl" || name == "rt") continue;
    facts.so_path = find_shared_library(name, dirs);
    if (!facts.so_path.empty()) break;
  }
  if (facts.so_path.empty())
    return util::make_error(
        fmt::format("pkg-config package '{}' names no shared library that could be found ({})", library, util::join(libs, " ")));
  for (const auto& dir : facts.include_dirs) collect_headers(dir, true, candidates);
  return {};
}

// The system's include folders: their top level, and a folder named after the library
// (/usr/include/yaml-cpp for yaml-cpp, whose pkg-config names no -I).
void add_system_headers(const LibraryFacts& facts, Candidates& candidates) {
  std::error_code ec;
  auto stem = fs::path(facts.so_path).filename().string();
  stem = stem.substr(0, stem.find(".so"));
  if (util::starts_with(stem, "lib")) stem = stem.substr(3);
  for (const char* system : {"/usr/include", "/usr/local/include"}) {
    collect_headers(system, false, candidates);
    for (const auto& name : {stem, facts.pkg_config ? facts.given : std::string()}) {
      if (name.empty() || !fs::is_directory(fs::path(system) / name, ec)) continue;
      Candidates inside;
      collect_headers((fs::path(system) / name).string(), true, inside);
      for (auto& [path, include] : inside) candidates.emplace_back(path, name + "/" + include);
    }
  }
}

// What to look for in the headers: C function names, or C++ class names.
std::set<std::string> wanted_names(const LibraryFacts& facts) {
  std::set<std::string> wanted;
  if (facts.cxx) {
    for (const auto& family : function_families(facts.symbols, 1000)) {
      // Classes at namespace scope, by their qualified names ("Json::Value", "llvm::LLVMContext").
      if (family.name.find('<') != std::string::npos || family.name.find(' ') != std::string::npos || family.name == "(global)" ||
          family.name.find("::") == std::string::npos)
        continue;
      wanted.insert(family.name);
    }
  } else {
    for (const auto& s : facts.symbols)
      if (!util::starts_with(s, "_")) wanted.insert(s);
  }
  return wanted;
}

// C++ classes whose default constructor the library exports (the complete-object constructor
// "_ZN4llvm11LLVMContextC1Ev"): what the compiler emitted says an object of each can be made with
// nothing but the library. Whether the class is abstract or the constructor private, the compile
// of the candidate says.
std::set<std::string> default_constructible(const std::vector<std::string>& symbols) {
  std::set<std::string> out;
  for (const auto& s : symbols) {
    if (!util::starts_with(s, "_ZN") || !util::ends_with(s, "C1Ev")) continue;
    const auto name = cxx_function_name(s);  // "llvm::LLVMContext::LLVMContext"
    const auto at = name.rfind("::");
    if (at == std::string::npos || name.find('<') != std::string::npos) continue;
    const auto cls = name.substr(0, at);
    const auto own = cls.substr(cls.rfind(':') == std::string::npos ? 0 : cls.rfind(':') + 1);
    if (name.substr(at + 2) == own && cls.find("::") != std::string::npos) out.insert(cls);
  }
  return out;
}

// Greedy cover: the header that declares most of what is still missing, up to 6 headers. For C++,
// classes that can be made (`makeable`) count before all others: a header of them gives features
// that call the library, one of classes without a default constructor gives only todos.
void choose_headers(const Candidates& candidates, const std::set<std::string>& wanted, LibraryFacts& facts) {
  std::error_code ec;
  std::vector<std::pair<std::size_t, std::set<std::string>>> found;  // candidate index, names
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    std::string text;
    if (fs::file_size(candidates[i].first, ec) > 4 * 1024 * 1024 || !util::read_file(candidates[i].first, text)) continue;
    std::set<std::string> names;
    const auto classes = facts.cxx ? defined_classes(text) : std::set<std::string>{};
    for (const auto& w : wanted) {
      if (!facts.cxx) {
        if (text.find(w) != std::string::npos && declares(text, w)) names.insert(w);
        continue;
      }
      // A class of that name inside the family's namespace, not one of another library's.
      const auto at = w.rfind("::");
      if (classes.count(w.substr(at + 2)) && text.find("namespace " + w.substr(0, w.find("::"))) != std::string::npos)
        names.insert(w);
    }
    if (!names.empty()) found.emplace_back(i, std::move(names));
  }
  const std::set<std::string> makeable(facts.makeable.begin(), facts.makeable.end());
  std::set<std::string> covered;
  std::size_t made_total = 0;
  // Every header is in every feature's compile: no more once the classes that can be made would
  // fill the twelve features (with room for those the compiler turns down).
  for (int round = 0; round < 6 && made_total < 16; ++round) {
    std::size_t best = found.size(), gain = 0, made = 0;
    for (std::size_t k = 0; k < found.size(); ++k) {
      std::size_t g = 0, m = 0;
      for (const auto& n : found[k].second)
        if (!covered.count(n)) ++g, m += makeable.count(n);
      if (m > made || (m == made && g > gain)) gain = g, made = m, best = k;
    }
    if (best == found.size() || gain == 0 || (made == 0 && round > 0 && gain * 50 < wanted.size())) break;
    const auto& [index, names] = found[best];
    made_total += made;
    facts.headers.push_back(candidates[index].second);
    facts.header_paths.push_back(candidates[index].first);
    if (!facts.pkg_config && facts.header_dir.empty()) {
      auto full = candidates[index].first;
      facts.header_dir = full.substr(0, full.size() - candidates[index].second.size());
      while (facts.header_dir.size() > 1 && facts.header_dir.back() == '/') facts.header_dir.pop_back();
      // The compiler searches the system's folders itself: never written (nor hashed every run).
      for (const char* system : {"/usr/include", "/usr/local/include", "/usr/include/x86_64-linux-gnu"})
        if (facts.header_dir == system) facts.header_dir.clear();
    }
    covered.insert(names.begin(), names.end());
  }
  for (const auto& n : covered) (facts.cxx ? facts.classes : facts.declared).push_back(n);
}

}  // namespace

util::Result<LibraryFacts> inspect_library(const std::string& library) {
  LibraryFacts facts;
  facts.given = library;
  Candidates candidates;
  const bool file =
      library.find('/') != std::string::npos || util::ends_with(library, ".so") || library.find(".so.") != std::string::npos;
  if (auto located = file ? locate_file(library, facts, candidates) : locate_package(library, facts, candidates); !located)
    return util::make_error(located.error().message);
  add_system_headers(facts, candidates);
  auto symbols = exec::exported_functions(facts.so_path);
  if (!symbols) return util::make_error(symbols.error().message);
  facts.symbols = std::move(*symbols);
  if (facts.symbols.empty()) return util::make_error(fmt::format("{} exports no functions", facts.so_path));
  std::size_t mangled = 0;
  for (const auto& s : facts.symbols) mangled += util::starts_with(s, "_Z");
  facts.cxx = mangled * 2 > facts.symbols.size();
  if (facts.cxx)
    for (const auto& c : default_constructible(facts.symbols)) facts.makeable.push_back(c);
  choose_headers(candidates, wanted_names(facts), facts);
  return facts;
}

}  // namespace harness::adopt
