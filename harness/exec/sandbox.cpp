#include "harness/exec/sandbox.hpp"

#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

namespace harness::exec {

namespace {

// `path` is `dir` or lies inside it.
bool inside(const std::string& path, const std::string& dir) {
  return path == dir || (util::starts_with(path, dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

}  // namespace

Sandbox plan_sandbox(SandboxMode mode, const std::string& shim, const std::string& out_dir,
                     const std::vector<std::string>& hide) {
  Sandbox sandbox;
  sandbox.shim = shim;
  if (mode == SandboxMode::off) {
    sandbox.reason = "turned off by --sandbox off";
    return sandbox;
  }
  sandbox.bwrap = util::find_on_path("bwrap");
  if (sandbox.bwrap.empty()) {
    sandbox.reason = "bubblewrap is not installed (apt install bubblewrap)";
    return sandbox;
  }
  if (shim.empty()) {
    sandbox.reason = "sohound-status, which reports how a sandboxed process ended, is not installed beside sohound";
    return sandbox;
  }
  sandbox.hidden.push_back(out_dir);
  for (const auto& dir : hide)
    if (!dir.empty() && !inside(dir, out_dir) &&
        std::find(sandbox.hidden.begin(), sandbox.hidden.end(), dir) == sandbox.hidden.end())
      sandbox.hidden.push_back(dir);
  for (const auto& dir : sandbox.hidden)
    if (inside(shim, dir)) {
      sandbox.reason = fmt::format("Sohound's own executable {} lies inside {}, which the sandbox hides", shim, dir);
      sandbox.hidden.clear();
      return sandbox;
    }
  for (const char* sub : {"build", "lib", "runtime"}) sandbox.readable.push_back(out_dir + "/" + sub);
  sandbox.engine = "bubblewrap";
  sandbox.on = true;
  return sandbox;
}

std::vector<std::string> private_temporary_folders() {
  std::vector<std::string> folders = {"/tmp"};
  // A TMPDIR elsewhere gets a private one too, so programs that honour it can still make temporary files.
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp == '/' && !inside(tmp, "/tmp")) {
    std::string dir = tmp;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (dir != "/") folders.push_back(dir);
  }
  return folders;
}

std::vector<std::string> temporary_roots(const std::vector<std::string>& texts) {
  std::set<std::string> roots;
  for (const auto& folder : private_temporary_folders()) {
    const auto prefix = folder + "/";
    for (const auto& text : texts)
      for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        // A path starts the text, follows a separator (a:/tmp/x, -rpath,/tmp/x, K=/tmp/x) or a
        // one-letter flag (-L/tmp/x, -I/tmp/x); "/var/tmp/x" is not one.
        if (at > 0) {
          const auto c = static_cast<unsigned char>(text[at - 1]);
          const bool flag = std::isalpha(c) && at >= 2 && text[at - 2] == '-';
          if (!flag && (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-')) continue;
        }
        const auto begin = at + prefix.size();
        const auto end = text.find_first_of("/:,; \"'", begin);
        const auto first = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        if (!first.empty() && first != "." && first != "..") roots.insert(prefix + first);
      }
  }
  return {roots.begin(), roots.end()};
}

std::vector<std::string> texts_naming_paths(const std::vector<model::SuiteSpec>& suites) {
  std::vector<std::string> texts;
  auto add_env = [&](const std::map<std::string, std::string>& env) {
    for (const auto& [k, v] : env) texts.push_back(v);
  };
  for (const auto& suite : suites) {
    util::append(texts, {suite.dir, suite.library.path});
    util::append(texts, suite.library.include_dirs);
    util::append(texts, suite.library.build.sources);
    util::append(texts, suite.library.build.cflags);
    util::append(texts, suite.library.build.ldflags);
    util::append(texts, suite.cflags);
    util::append(texts, suite.ldflags);
    add_env(suite.env);
    for (const auto& [tool, files] : suite.native_suppressions) util::append(texts, files);
    for (const auto& feature : suite.features) {
      texts.push_back(feature.source);
      util::append(texts, feature.cflags);
      util::append(texts, feature.ldflags);
      add_env(feature.env);
      if (!feature.program) continue;
      const auto& program = *feature.program;
      util::append(texts, program.argv);
      for (const auto& [flavour, build] : program.builds) texts.push_back(build);
      texts.push_back(program.cwd);
      if (program.inputs) util::append(texts, *program.inputs);
    }
  }
  return texts;
}

std::vector<std::string> sandbox_argv(const Sandbox& sandbox, const std::vector<std::string>& writable, const std::string& cwd,
                                      bool slim) {
  // Later mounts cover earlier ones: the read-only root, then the private /dev, /proc and /tmp,
  // then empty folders over --out and the cache, then what the job may see of them.
  std::vector<std::string> argv = {sandbox.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"};
  for (const auto& dir : private_temporary_folders()) util::append(argv, {"--tmpfs", dir});
  for (const auto& dir : sandbox.shown) util::append(argv, {"--ro-bind-try", dir, dir});
  // Copies shown in place of their originals (read from the host, so a copy in a hidden cache is
  // still read). A copy that is gone by now leaves the original: the same debug information.
  for (const auto& [copy, original] : slim ? sandbox.slimmed : sandbox.replaced)
    util::append(argv, {"--ro-bind-try", copy, original});
  // A writable folder outside --out and the caches (an adopted test's working folder) may hold
  // one of them: bound before they are hidden, so they stay hidden inside it.
  auto in_hidden = [&](const std::string& dir) {
    return std::any_of(sandbox.hidden.begin(), sandbox.hidden.end(), [&](const std::string& h) { return inside(dir, h); });
  };
  for (const auto& dir : writable)
    if (!in_hidden(dir)) util::append(argv, {"--bind", dir, dir});
  for (const auto& dir : sandbox.hidden) util::append(argv, {"--tmpfs", dir});
  for (const auto& dir : sandbox.readable) util::append(argv, {"--ro-bind-try", dir, dir});
  for (const auto& dir : writable)
    if (in_hidden(dir)) util::append(argv, {"--bind", dir, dir});
  // The empty folders over --out and the caches are read-only too (the binds inside stay as they are).
  for (const auto& dir : sandbox.hidden) util::append(argv, {"--remount-ro", dir});
  // No network; the sandbox dies with the launcher's process (which dies with Sohound). No new
  // session: the launcher stops the job by its process group.
  util::append(argv, {"--unshare-net", "--die-with-parent"});
  if (!cwd.empty()) util::append(argv, {"--chdir", cwd});
  util::append(argv, {"--", sandbox.shim, std::to_string(k_sandbox_status_fd), "--"});
  return argv;
}

void confine(Command& command, const Sandbox& sandbox, std::vector<std::string> writable, bool slim) {
  if (!sandbox.on) return;
  // A working folder outside every writable one (an adopted test's own build folder) is the
  // job's working folder too: bound read-write.
  if (!command.cwd.empty() &&
      std::none_of(writable.begin(), writable.end(), [&](const std::string& dir) { return inside(command.cwd, dir); }))
    writable.push_back(command.cwd);
  command.sandbox = sandbox_argv(sandbox, writable, command.cwd, slim);
}

std::string find_status_shim(const std::string& sohound_executable) {
  return find_support_file(sohound_executable, "sohound-status");
}

std::string find_support_file(const std::string& sohound_executable, const std::string& name) {
  if (sohound_executable.empty()) return {};
  const auto dir = std::filesystem::path(sohound_executable).parent_path();
  for (const auto& candidate : {dir / name, dir / ".." / "libexec" / "sohound" / name}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return std::filesystem::weakly_canonical(candidate, ec).string();
  }
  return {};
}

}  // namespace harness::exec
