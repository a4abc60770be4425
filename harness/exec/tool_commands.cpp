#include "harness/exec/tool_commands.hpp"

#include "harness/util/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

namespace harness::exec {

std::string compiler_for(model::Compiler compiler, model::Language language) {
  const bool cxx = language == model::Language::cxx;
  if (compiler == model::Compiler::clang) return cxx ? "clang++-14" : "clang-14";
  return cxx ? "g++" : "gcc";
}

std::vector<std::string> base_flags(model::Compiler compiler, model::Language language, CodeOrigin origin) {
  // No caret lines: the compiler does not quote source lines in its messages. It reads them from
  // the file a #line directive names, whatever it is (#line 1 "/proc/self/environ" put the
  // environment into build logs and reports); the file:line:col it prints is enough.
  std::vector<std::string> flags = {
      "-g", "-O0", "-fno-omit-frame-pointer", "-pthread",
      compiler == model::Compiler::clang ? "-fno-caret-diagnostics" : "-fno-diagnostics-show-caret"};
  if (language == model::Language::c)
    flags.push_back("-std=gnu17");
  else
    flags.push_back(origin == CodeOrigin::driver ? "-std=c++20" : "-std=gnu++17");
  return flags;
}

std::vector<std::string> flavour_flags(model::Flavour flavour) {
  const auto& flags = model::info(flavour).compile_flags;
  return {flags.begin(), flags.end()};
}

std::vector<std::string> cxx_sync_flags(model::Flavour flavour, model::Language language) {
  if (flavour != model::Flavour::plain || language != model::Language::cxx) return {};
  return {"-D_GLIBCXX_TSAN=1", "-D_GLIBCXX_SYNCHRONIZATION_HAPPENS_BEFORE(A)=ANNOTATE_HAPPENS_BEFORE(A)",
          "-D_GLIBCXX_SYNCHRONIZATION_HAPPENS_AFTER(A)=ANNOTATE_HAPPENS_AFTER(A)", "-include", "valgrind/helgrind.h"};
}

std::vector<std::string> compiler_workaround_flags(model::Compiler compiler, model::Flavour flavour, model::Language language) {
  if (compiler == model::Compiler::clang && flavour == model::Flavour::ubsan && language == model::Language::cxx)
    return {"-fno-sanitize=function"};
  return {};
}

std::vector<std::string> driver_link_flags(model::Compiler compiler, model::Flavour flavour) {
  if (compiler == model::Compiler::clang && flavour != model::Flavour::plain) return {"-fsanitize-link-c++-runtime", "-lstdc++"};
  return {};
}

std::string sanitizer_option_value(const std::string& value) {
  // The runtimes' flag parser ends a value at ':' or white space unless it is quoted; it knows no
  // escapes, so a value holding both quote characters cannot be passed (refused at --out).
  if (value.find_first_of(": \t\n") == std::string::npos) return value;
  const char quote = value.find('"') == std::string::npos ? '"' : '\'';
  return quote + value + quote;
}

Command tool_command(model::Tool tool, const std::string& driver, const std::string& report_dir, const HostFacts& host) {
  Command command;
  // The driver runs in a folder of its own, so what a feature writes to relative paths cannot
  // spoil the reports Sohound reads.
  command.cwd = report_dir + "/" + k_driver_work_dir;
  command.stdout_path = report_dir + "/stdout.txt";
  command.stderr_path = report_dir + "/stderr.txt";
  command.env["SOHOUND_DONE_FILE"] = report_dir + "/" + k_driver_done_file;
  const auto valgrind = [&](std::vector<std::string> tool_args) {
    // XML per process (%p), never the text log; deep stacks for stable fingerprints.
    // Valgrind expands %p and %q{VAR} in file names: a '%' of the folder's own is written %%.
    std::string dir;
    for (char c : report_dir) dir += c == '%' ? std::string("%%") : std::string(1, c);
    command.argv = {host.valgrind,
                    tool_args.front(),
                    "--xml=yes",
                    "--xml-file=" + dir + "/vg.%p.xml",
                    "--log-file=" + dir + "/vg.%p.log",
                    "--num-callers=40",
                    "--error-limit=no",
                    "--child-silent-after-fork=yes"};
    command.argv.insert(command.argv.end(), tool_args.begin() + 1, tool_args.end());
    command.argv.insert(command.argv.end(), {"--", driver});
  };
  // Sanitizer options common to every runtime: one log file per process, our exit code, no colour.
  const auto sanitizer = [&](std::string_view prefix) {
    return fmt::format("log_path={}:exitcode={}:color=never:print_summary=1",
                       sanitizer_option_value(report_dir + "/" + std::string(prefix)), k_sanitizer_exit_code);
  };
  // The shadow-memory runtimes, started without address randomisation (HostFacts::without_aslr).
  const auto sanitized_driver = [&] {
    return host.without_aslr && model::info(tool).shadow_memory ? std::vector<std::string>{"setarch", "-R", driver}
                                                                : std::vector<std::string>{driver};
  };
  switch (tool) {
    case model::Tool::memcheck:
      // Every leak kind shown (Sohound applies its own policy); descriptors left open (--track-fds,
      // read from the text log: 3.19 keeps fds out of the XML). Origins on demand (track_origins).
      valgrind({"--tool=memcheck", "--leak-check=full", "--show-leak-kinds=all", "--errors-for-leak-kinds=definite,indirect",
                "--track-fds=yes"});
      break;
    case model::Tool::helgrind:
      // history-level=full keeps the conflicting access's stack for both sides of a race.
      valgrind({"--tool=helgrind", "--history-level=full"});
      break;
    case model::Tool::drd:
      valgrind({"--tool=drd", "--check-stack-var=no"});
      break;
    case model::Tool::asan:
      // Recover after each error (halt_on_error=0 with -fsanitize-recover=address) so later errors
      // and the leak check still run; DWARF unwinding on malloc (fast_unwind_on_malloc=0) so
      // allocation stacks reach through system libraries built without frame pointers (zlib's
      // deflateInit) up to the feature's frame. handle_abort=1 (ASan, TSan): an abort() (an assert,
      // glibc's own on a corrupted heap) is reported with its stack, like a SEGV, as crash.signal.
      command.env["ASAN_OPTIONS"] = sanitizer("asan") +
                                    ":fast_unwind_on_malloc=0:malloc_context_size=40:halt_on_error=0:detect_leaks=1:"
                                    "abort_on_error=0:handle_abort=1";
      command.env["LSAN_OPTIONS"] =
          fmt::format("exitcode={}:fast_unwind_on_malloc=0:malloc_context_size=40", k_sanitizer_exit_code);
      command.argv = sanitized_driver();
      break;
    case model::Tool::tsan:
      // Both stacks of a lock-order inversion, and enough history for the earlier access's stack.
      command.env["TSAN_OPTIONS"] = sanitizer("tsan") + ":second_deadlock_stack=1:history_size=4:halt_on_error=0:handle_abort=1";
      command.argv = sanitized_driver();
      break;
    case model::Tool::ubsan:
      // Stacks for every report, and the check's name in SUMMARY (the finding's kind). The driver
      // hands the runtime its report channel (drivers/sohound_rt.h); log_path is where a forked
      // child's runtime reports (ubsan.PID), as for ASan and TSan.
      command.env["UBSAN_OPTIONS"] =
          sanitizer("ubsan") + ":print_stacktrace=1:report_error_type=1:halt_on_error=0:handle_abort=1";
      command.argv = {driver};
      break;
  }
  return command;
}

bool needs_origins(const model::JobResult& job) {
  if (job.tool != model::Tool::memcheck) return false;
  return std::any_of(job.findings.begin(), job.findings.end(), [](const model::Finding& f) {
    return f.tool_kind == "UninitCondition" || f.tool_kind == "UninitValue" ||
           ((f.tool_kind == "SyscallParam" || f.tool_kind == "ClientCheck") &&
            f.message.find("uninitialised") != std::string::npos);
  });
}

std::vector<std::string> valgrind_lib_dirs(const std::string& valgrind) {
  std::vector<std::string> dirs;
  if (const char* lib = std::getenv("VALGRIND_LIB"); lib && *lib) dirs.emplace_back(lib);
  const auto found = util::find_on_path(valgrind);
  std::error_code ec;
  const auto command = found.empty() ? std::filesystem::path() : std::filesystem::canonical(found, ec);
  if (command.empty() || ec) return dirs;
  const auto prefix = command.parent_path().parent_path();
  dirs.push_back((prefix / "libexec" / "valgrind").string());
  dirs.push_back((prefix / "lib" / "valgrind").string());
  return dirs;
}

void track_origins(Command& command) {
  if (std::find(command.argv.begin(), command.argv.end(), "--tool=memcheck") == command.argv.end()) return;
  if (std::find(command.argv.begin(), command.argv.end(), "--track-origins=yes") != command.argv.end()) return;
  const auto end_of_options = std::find(command.argv.begin(), command.argv.end(), std::string("--"));
  command.argv.insert(end_of_options, "--track-origins=yes");
}

}  // namespace harness::exec
