#include "harness/exec/command.hpp"

#include "harness/util/text.hpp"

#include <cstring>

namespace harness::exec {

std::string Command::display() const {
  std::string out;
  if (!cwd.empty()) out += "cd " + util::shell_quote(cwd) + " && ";
  if (!unset_env.empty()) {
    out += "env";
    for (const auto& name : unset_env) out += " -u " + util::shell_quote(name);
    out += ' ';
  }
  for (const auto& [key, value] : env) out += key + "=" + util::shell_quote(value) + " ";
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (i) out += ' ';
    out += util::shell_quote(argv[i]);
  }
  return out;
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

}  // namespace harness::exec
