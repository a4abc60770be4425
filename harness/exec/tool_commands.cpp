#include "harness/exec/tool_commands.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace harness::exec {

std::string compiler_for(model::Compiler compiler, model::Language language) {
  const bool cxx = language == model::Language::cxx;
  if (compiler == model::Compiler::clang) return cxx ? "clang++-14" : "clang-14";
  return cxx ? "g++" : "gcc";
}

std::vector<std::string> base_flags(model::Language language) {
  std::vector<std::string> flags = {"-g", "-O0", "-fno-omit-frame-pointer", "-pthread"};
  flags.push_back(language == model::Language::cxx ? "-std=c++20" : "-std=gnu17");
  return flags;
}

std::vector<std::string> flavour_flags(model::Flavour flavour) {
  switch (flavour) {
    case model::Flavour::plain: return {};
    case model::Flavour::asan: return {"-fsanitize=address", "-fsanitize-recover=address"};
  }
  return {};
}

std::string valgrind_program() {
  const char* custom = std::getenv("SOHOUND_VALGRIND");
  return custom && *custom ? custom : "valgrind";
}

Command tool_command(model::Tool tool, const std::string& driver, const std::string& report_dir) {
  Command command;
  command.cwd = report_dir;
  command.stdout_path = report_dir + "/stdout.txt";
  command.stderr_path = report_dir + "/stderr.txt";
  switch (tool) {
    case model::Tool::memcheck:
      // XML per process (%p), never the text log; every leak kind shown (Sohound applies its own
      // policy); origins of uninitialised values; deep stacks for stable fingerprints.
      command.argv = {valgrind_program(),
                      "--tool=memcheck",
                      "--xml=yes",
                      "--xml-file=" + report_dir + "/vg.%p.xml",
                      "--log-file=" + report_dir + "/vg.%p.log",
                      "--leak-check=full",
                      "--show-leak-kinds=all",
                      "--errors-for-leak-kinds=definite,indirect",
                      "--track-origins=yes",
                      "--num-callers=40",
                      "--error-limit=no",
                      "--child-silent-after-fork=yes",
                      "--",
                      driver};
      break;
    case model::Tool::asan: {
      // Recover after each error (halt_on_error=0 with -fsanitize-recover=address) so later errors
      // and the leak check still run; one log file per process; DWARF unwinding on malloc
      // (fast_unwind_on_malloc=0) so allocation stacks reach through system libraries built
      // without frame pointers (zlib's deflateInit) up to the feature's frame.
      const auto common = fmt::format(
          "log_path={}/asan:exitcode={}:color=never:print_summary=1:fast_unwind_on_malloc=0:"
          "malloc_context_size=40",
          report_dir, k_sanitizer_exit_code);
      command.env["ASAN_OPTIONS"] = common + ":halt_on_error=0:detect_leaks=1:abort_on_error=0";
      command.env["LSAN_OPTIONS"] = fmt::format("exitcode={}:fast_unwind_on_malloc=0:malloc_context_size=40",
                                                k_sanitizer_exit_code);
      command.argv = {driver};
      break;
    }
  }
  return command;
}

}  // namespace harness::exec
