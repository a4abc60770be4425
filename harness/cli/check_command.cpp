#include "harness/cli/commands.hpp"
#include "harness/spec/spec_loader.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace harness::cli {

int check_command(const std::vector<std::string>& specs) {
  int code = k_exit_ok;
  for (const auto& path : specs) {
    auto spec = spec::load_file(path);
    if (!spec) {
      fmt::print(stderr, "{}\n", spec.error().message);
      code = k_exit_usage;
      continue;
    }
    std::size_t expectations = 0;
    for (const auto& f : spec->features) expectations += f.expect.size();
    fmt::print("{}: ok (suite '{}', {} feature{}, {} expectation{})\n", path, spec->name, spec->features.size(),
               spec->features.size() == 1 ? "" : "s", expectations, expectations == 1 ? "" : "s");
  }
  return code;
}

}  // namespace harness::cli
