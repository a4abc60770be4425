// `sohound init LIBRARY [-o SPEC]`: writes a starter spec (adopt/init) that passes `sohound check`
// and runs as written. Never replaces a file unless told to (--force).
#include "harness/adopt/init.hpp"
#include "harness/cli/commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>

namespace harness::cli {
namespace fs = std::filesystem;

namespace {

// "libjsoncpp.so.25" -> "jsoncpp", "libxml-2.0" -> "libxml-2.0", "zlib" -> "zlib".
std::string suite_name_for(const std::string& library) {
  auto name = fs::path(library).filename().string();
  if (const auto so = name.find(".so"); so != std::string::npos) {
    name.resize(so);
    if (name.rfind("lib", 0) == 0 && name.size() > 3) name = name.substr(3);
  }
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '_';
  return out.empty() ? "library" : out;
}

}  // namespace

int init_command(const InitOptions& options) {
  std::error_code ec;
  if (!options.output.empty() && fs::exists(options.output, ec) && !options.force) {
    fmt::print(stderr, "sohound init: {} exists; not replacing it (--force replaces it)\n", options.output);
    return k_exit_usage;
  }
  auto facts = adopt::inspect_library(options.library);
  if (!facts) {
    fmt::print(stderr, "sohound init: {}\n", facts.error().message);
    return k_exit_usage;
  }
  const auto text = adopt::starter_spec(*facts, options.suite.empty() ? suite_name_for(options.library) : options.suite);
  if (options.output.empty()) {
    fmt::print("{}", text);
    return k_exit_ok;
  }
  util::AtomicFile out(options.output);
  out.stream() << text;
  if (!out.commit()) {
    fmt::print(stderr, "sohound init: cannot write {}\n", options.output);
    return k_exit_infrastructure;
  }
  fmt::print(
      stderr, "sohound init: wrote {} ({} exported functions{}); next: sohound check {}\n", options.output, facts->symbols.size(),
      facts->headers.empty() ? ", no declaring header found" : ", headers " + util::join(facts->headers, " "), options.output);
  return k_exit_ok;
}

}  // namespace harness::cli
