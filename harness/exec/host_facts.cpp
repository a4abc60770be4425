#include "harness/exec/host_facts.hpp"

#include "harness/exec/elf_symbols.hpp"
#include "harness/util/files.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <string_view>

#include <sys/personality.h>

namespace harness::exec {

namespace {

bool turned_off(const char* variable) {
  const char* value = std::getenv(variable);
  return value && std::string_view(value) == "0";
}

// Asks for the persona setarch -R sets, then puts ours back: refused (EPERM) under container
// seccomp profiles that only allow the default persona.
bool persona_allowed() {
  const int current = ::personality(0xffffffff);
  if (current == -1) return false;
  if (::personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE) == -1) return false;
  ::personality(static_cast<unsigned long>(current));
  return true;
}

}  // namespace

HostFacts read_host_facts() {
  HostFacts host;
  if (!turned_off("SOHOUND_CCACHE") && !util::find_on_path("ccache").empty()) host.compiler_launcher = {"ccache"};
  if (turned_off("SOHOUND_NO_ASLR"))
    host.aslr_off_reason = "turned off by SOHOUND_NO_ASLR=0";
  else if (util::find_on_path("setarch").empty())
    host.aslr_off_reason = "not installed";
  else if (!persona_allowed())
    host.aslr_off_reason = "the persona is refused, as in containers with a default seccomp profile";
  else
    host.without_aslr = true;
  std::ifstream bits("/proc/sys/vm/mmap_rnd_bits");
  if (!(bits >> host.mmap_rnd_bits)) host.mmap_rnd_bits = 0;
  if (const char* custom = std::getenv("SOHOUND_VALGRIND"); custom && *custom) host.valgrind = custom;
  // The drivers are built by the system's compilers: their loader is the one Sohound runs with.
  host.loader_clocks = loader_clocks(program_interpreter("/proc/self/exe"));
  return host;
}

std::string loader_clocks(const std::string& interpreter, const std::string& debug_root) {
  if (interpreter.empty()) return {};
  const auto id = build_id(interpreter);
  if (id.size() < 3) return {};
  const auto words = data_symbols(fmt::format("{}/{}/{}.debug", debug_root, id.substr(0, 2), id.substr(2)),
                                  {"relocate_time", "load_time", "start_time"});
  std::string out;
  for (const auto& w : words)
    if (w.size > 0 && w.size <= 64) out += fmt::format("{}{:x}:{:x}", out.empty() ? id + " " : ",", w.value, w.size);
  return out;
}

std::string sanitizer_start_risk(const HostFacts& host) {
  if (host.without_aslr || host.mmap_rnd_bits <= 28) return {};
  return fmt::format(
      "this kernel randomises mmap with {} bits (vm.mmap_rnd_bits) and Sohound could not start the driver "
      "without address randomisation here (setarch -R: {}), so this runtime may fail to start or hang; "
      "sysctl vm.mmap_rnd_bits=28 avoids it",
      host.mmap_rnd_bits, host.aslr_off_reason);
}

}  // namespace harness::exec
