#include "harness/exec/command.hpp"

#include "harness/util/text.hpp"

namespace harness::exec {

std::string Command::display() const {
  std::string out;
  if (!cwd.empty()) out += "cd " + util::shell_quote(cwd) + " && ";
  for (const auto& [key, value] : env) out += key + "=" + util::shell_quote(value) + " ";
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (i) out += ' ';
    out += util::shell_quote(argv[i]);
  }
  return out;
}

}  // namespace harness::exec
