#include "harness/cli/commands.hpp"
#include "harness/spec/installed.hpp"
#include "harness/spec/spec_loader.hpp"
#include "harness/util/files.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <optional>

namespace harness::cli {

int check_command(const std::vector<std::string>& specs) {
  int code = k_exit_ok;
  std::optional<std::optional<std::vector<std::string>>> installed;  // pkg-config names, read once
  for (const auto& path : specs) {
    auto spec = spec::load_file(path);
    if (!spec) {
      fmt::print(stderr, "{}\n", spec.error().message);
      code = k_exit_usage;
      continue;
    }
    // The libraries it names exist here: what `run` would otherwise find out only when it builds.
    if (spec->library.kind == model::LibraryKind::pkg_config || spec->library.kind == model::LibraryKind::path) {
      std::vector<std::string> names;
      if (spec->library.kind == model::LibraryKind::pkg_config) {
        if (!installed) installed = spec::installed_pkg_config_names();
        if (!*installed) {
          fmt::print(stderr, "{}: pkg-config could not be run to check the library's names (is pkg-config installed?)\n", path);
          code = k_exit_usage;
          continue;
        }
        names = **installed;
      }
      std::string text;
      util::read_file(path, text);
      spec::Diagnostics problems(text, path);
      spec::check_installed(*spec, names, problems);
      if (!problems.empty()) {
        fmt::print(stderr, "{}\n", problems.text());
        code = k_exit_usage;
        continue;
      }
    }
    // Every feature compiles as `run` would compile it.
    std::size_t compiled = 0;
    if (const auto problems = compile_features(*spec, compiled); !problems.empty()) {
      fmt::print(stderr, "{}: {}", path, problems);
      code = k_exit_usage;
      continue;
    }
    std::size_t expectations = 0, programs = 0, todo = 0;
    for (const auto& f : spec->features) {
      expectations += f.expect.size();
      programs += f.program ? 1 : 0;
      todo += f.todo.empty() ? 0 : 1;
    }
    const auto features = spec->features.size() - programs;
    fmt::print("{}: ok (suite '{}', {} feature{}{}{}, {} expectation{}){}\n", path, spec->name, features,
               features == 1 ? "" : "s", todo ? fmt::format(" ({} not written yet)", todo) : std::string(),
               programs ? fmt::format(", {} program{}", programs, programs == 1 ? "" : "s") : std::string(), expectations,
               expectations == 1 ? "" : "s", compiled ? fmt::format("; {} compiled", compiled) : std::string());
  }
  return code;
}

}  // namespace harness::cli
