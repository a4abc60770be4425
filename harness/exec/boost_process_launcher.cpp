#include "harness/exec/boost_process_launcher.hpp"

#include "harness/exec/strays.hpp"
#include "harness/util/result.hpp"

// Boost.Process v2 is built here, once, in separate-compilation mode (src.hpp below): 1.81's
// header-only mode leaves process_environment::on_setup undefined. This is the only translation
// unit that includes Boost.Process.
#define BOOST_PROCESS_V2_SEPARATE_COMPILATION 1

// Boost 1.81's Process v2 headers use boost::optional and Boost.TypeTraits names (found through
// the enclosing namespace) without including them when BOOST_PROCESS_USE_STD_FS is set.
#include <algorithm>
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
// Process v2 is not header-only: its out-of-line definitions are compiled here, once.
#include <boost/process/v2/src.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>

extern char** environ;

namespace harness::exec {
namespace asio = boost::asio;
namespace bp = boost::process::v2;
using namespace asio::experimental::awaitable_operators;

namespace {

// Puts the child in a new process group (its pid) before exec, so kill(-pid) reaches every
// process the driver or the tool starts.
struct NewProcessGroup {
  unsigned long long max_file_bytes = 0;
  int status_fd = -1;  // the sandbox's status pipe, handed over at k_sandbox_status_fd
  pid_t parent = ::getpid();
  template <class Launcher>
  bp::error_code on_exec_setup(Launcher& launcher, const std::filesystem::path&, const char* const*) {
    if (::setpgid(0, 0) != 0) return bp::error_code(errno, bp::system_category());
    if (status_fd >= 0) {
      if (::dup2(status_fd, k_sandbox_status_fd) < 0) return bp::error_code(errno, bp::system_category());
      launcher.fd_whitelist.push_back(k_sandbox_status_fd);  // kept open across exec (dup2 clears CLOEXEC)
    }
    // The tool process dies with Sohound, even when Sohound is killed with SIGKILL and can stop
    // nothing itself (the event loop that starts processes is the main thread, whose end is what
    // the kernel watches). What it started in turn is stopped by the next run into the same --out
    // (kill_run_leftovers), found by its job token.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // Sohound ended before the line above

    if (max_file_bytes) {
      const rlimit limit{max_file_bytes, max_file_bytes};
      ::setrlimit(RLIMIT_FSIZE, &limit);
      ::signal(SIGXFSZ, SIG_IGN);
    }
    // Restore what a shell would give a child: default SIGINT/SIGTERM/SIGPIPE handling. In the
    // sandbox, bwrap ignores SIGINT and SIGTERM (inherited across exec); the status shim passes
    // them on to the command's own process group: a stop reaches the command, which ends in its
    // own time (Valgrind completes its XML), instead of bwrap dying at once and taking everything
    // inside with it (--die-with-parent). SIGKILL after the grace period still ends them all.
    const auto stop = status_fd >= 0 ? SIG_IGN : SIG_DFL;
    ::signal(SIGINT, stop);
    ::signal(SIGTERM, stop);
    ::signal(SIGPIPE, SIG_DFL);
    return {};
  }
};

class OutputFile {
 public:
  explicit OutputFile(const std::string& path)
      : m_fd(::open(path.empty() ? "/dev/null" : path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {}
  ~OutputFile() {
    if (m_fd >= 0) ::close(m_fd);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  int fd() const { return m_fd; }

 private:
  int m_fd;
};

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra,
                                           const std::vector<std::string>& unset) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const auto key = std::string(kv.substr(0, kv.find('=')));
    if (!extra.count(key) && std::find(unset.begin(), unset.end(), key) == unset.end()) env.emplace_back(kv);
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

ProcessResult decode(int status) {
  ProcessResult result;
  if (WIFSIGNALED(status))
    result.signal = WTERMSIG(status);
  else if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  return result;
}

// The read end of the sandbox's status pipe (exec/sandbox.hpp); the write end goes to the child.
class StatusPipe {
 public:
  StatusPipe() {
    if (::pipe2(m_fds, O_CLOEXEC | O_NONBLOCK) != 0) m_fds[0] = m_fds[1] = -1;
  }
  ~StatusPipe() {
    for (int fd : m_fds)
      if (fd >= 0) ::close(fd);
  }
  StatusPipe(const StatusPipe&) = delete;
  StatusPipe& operator=(const StatusPipe&) = delete;
  int write_end() const { return m_fds[1]; }
  void close_write_end() {
    if (m_fds[1] >= 0) ::close(m_fds[1]);
    m_fds[1] = -1;
  }
  // What the shim wrote (it has ended: nothing more comes).
  std::string read_all() {
    std::string text;
    char buffer[256];
    for (ssize_t n; m_fds[0] >= 0 && (n = ::read(m_fds[0], buffer, sizeof buffer)) > 0 && text.size() < 4096;)
      text.append(buffer, static_cast<std::size_t>(n));
    return text;
  }

 private:
  int m_fds[2] = {-1, -1};
};

// How a sandboxed command ended, from what its shim said and how bwrap ended.
ProcessResult decode_sandboxed(int bwrap_status, const std::string& said, const Command& command) {
  std::istringstream in(said);
  bool started = false;
  std::optional<int> status;
  std::vector<std::string> notes;
  for (std::string word; in >> word;) {
    int value = 0, from = 0;
    if (word == "started") started = true;
    if (word == "status" && in >> value) status = value;
    if (word == "ignored" && in >> value >> from)
      notes.push_back(fmt::format("a process of this job (pid {}) sent {} to Sohound; it was ignored", from, signal_name(value)));
    if (word == "noexec" && in >> value) {
      ProcessResult failed;
      failed.started = false;
      failed.start_error = command.argv.front() + ": " + std::strerror(value) + " (in the sandbox)";
      return failed;
    }
  }
  if (status) {
    auto result = decode(*status);
    result.notes = std::move(notes);
    return result;
  }
  auto result = decode(bwrap_status);
  result.notes = std::move(notes);
  if (!started) {
    ProcessResult failed;
    failed.started = false;
    failed.start_error = fmt::format("the sandbox (bubblewrap) did not start it (bwrap exit status {}; its message is in {})",
                                     result.exit_code, command.stderr_path.empty() ? "/dev/null" : command.stderr_path);
    return failed;
  }
  // The shim itself was killed (a timeout's SIGKILL, or the code under test): bwrap says 128+N.
  if (result.exit_code > 128 && result.exit_code < 128 + 65) {
    result.signal = result.exit_code - 128;
    result.exit_code = -1;
  }
  return result;
}

// Waits until `pid` (our child) has exited, without reaping it, through a pidfd of our own, and
// checks with waitid(WNOWAIT) on every wake-up. Why not Boost.Process's async_wait alone: when its
// descriptor reports ready it calls a blocking waitpid(pid, 0); a wake-up for a process still
// running (seen here when a batch stopped itself with SIGSTOP while another job ran: an epoll
// event left by a pidfd whose number was reused) blocked the whole event loop, and with it every
// timeout. Completes with operation_aborted when cancelled.
asio::awaitable<boost::system::error_code> wait_for_exit(pid_t pid) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  auto exited = [pid] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == pid;
  };
  if (fd < 0) {
    // No pidfd (kernel before 5.3): poll.
    asio::steady_timer tick(co_await asio::this_coro::executor);
    while (!exited()) {
      tick.expires_after(std::chrono::milliseconds(20));
      auto [ec] = co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return ec;
    }
    co_return boost::system::error_code{};
  }
  asio::posix::stream_descriptor pidfd(co_await asio::this_coro::executor, fd);
  while (!exited()) {
    auto [ec] = co_await pidfd.async_wait(asio::posix::descriptor_base::wait_read, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
  }
  co_return boost::system::error_code{};
}

// The program to start and its arguments: the command's, or bwrap's with the status shim and the
// command inside (`bwrap ... -- sohound-status FD -- PROGRAM ARGS`). An error when it cannot start.
util::Result<std::pair<std::filesystem::path, std::vector<std::string>>> launch_line(const Command& command) {
  if (command.argv.empty()) return util::make_error("empty command");
  std::filesystem::path exe = command.argv.front();
  if (command.argv.front().find('/') == std::string::npos) exe = bp::environment::find_executable(command.argv.front());
  if (exe.empty()) return util::make_error(command.argv.front() + ": not found on PATH");
  std::vector<std::string> args(command.argv.begin() + 1, command.argv.end());
  if (!command.sandbox.empty()) {
    args.assign(command.sandbox.begin() + 1, command.sandbox.end());
    args.push_back(exe.string());
    args.insert(args.end(), command.argv.begin() + 1, command.argv.end());
    exe = command.sandbox.front();
  }
  // Check what exec would say before forking: Boost.Process 1.81 throws from its constructor on an
  // exec failure (even with an error_code) and leaves the failed child unreaped.
  if (::access(exe.c_str(), X_OK) != 0) return util::make_error(exe.string() + ": " + std::strerror(errno));
  return std::pair{exe, args};
}

// Cancelled (timeout or Ctrl-C): stops the whole group, gives it the grace period, then kills it.
// The caller has reset its cancellation state first (a cancelled coroutine's next co_await throws).
asio::awaitable<void> stop_group(bp::process& proc, pid_t group, const std::string& token,
                                 std::chrono::milliseconds grace_period) {
  ::kill(-group, SIGTERM);
  asio::steady_timer grace(co_await asio::this_coro::executor, grace_period);
  auto first = co_await (wait_for_exit(group) || grace.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (first.index() == 1) {
    ::kill(-group, SIGKILL);
    co_await wait_for_exit(group);
  }
  co_await proc.async_wait(asio::as_tuple(asio::use_awaitable));
  ::kill(-group, SIGKILL);
  kill_strays(token);
}

}  // namespace

asio::awaitable<ProcessResult> BoostProcessLauncher::run(const Command& command) {
  auto executor = co_await asio::this_coro::executor;
  ProcessResult failed;
  failed.started = false;
  auto line = launch_line(command);
  if (!line) {
    failed.start_error = line.error().message;
    co_return failed;
  }
  const auto& [exe, args] = *line;
  OutputFile out(command.stdout_path), err(command.stderr_path);
  if (out.fd() < 0 || err.fd() < 0) {
    failed.start_error = "cannot create output file: " + std::string(std::strerror(errno));
    co_return failed;
  }
  StatusPipe status;
  if (!command.sandbox.empty() && status.write_end() < 0) {
    failed.start_error = std::string("cannot make the sandbox's status pipe: ") + std::strerror(errno);
    co_return failed;
  }
  // Every process the command starts inherits the token, so those that leave its process group
  // are still found when it ends (strays.hpp).
  become_subreaper();
  const auto token = command.token.empty() ? new_job_token() : command.token;
  auto extra = command.env;
  extra[k_job_token_variable] = token;
  const auto env = child_environment(extra, command.unset_env);
  const std::filesystem::path cwd = command.cwd.empty() ? std::filesystem::current_path() : std::filesystem::path(command.cwd);
  std::optional<bp::process> started;
  try {
    started.emplace(executor, exe, args, bp::process_stdio{nullptr, out.fd(), err.fd()}, bp::process_start_dir{cwd},
                    bp::process_environment{env},
                    NewProcessGroup{command.max_file_bytes, command.sandbox.empty() ? -1 : status.write_end()});
  } catch (const std::exception& e) {
    failed.start_error = exe.string() + ": " + e.what();
    co_return failed;
  }
  bp::process& proc = *started;
  const pid_t group = proc.id();
  status.close_write_end();
  if (co_await wait_for_exit(group) == asio::error::operation_aborted) {
    co_await asio::this_coro::reset_cancellation_state();
    co_await stop_group(proc, group, token, m_grace);
    throw boost::system::system_error(asio::error::operation_aborted);
  }
  co_await proc.async_wait(asio::as_tuple(asio::use_awaitable));  // reaps at once: it has exited
  auto result = command.sandbox.empty() ? decode(proc.native_exit_code())
                                        : decode_sandboxed(proc.native_exit_code(), status.read_all(), command);
  if (command.may_leave_processes)
    for (auto& stray : kill_strays(token)) result.strays.push_back(std::move(stray));
  ::kill(-group, SIGKILL);  // stragglers that cleared their environment but stayed in the group
  co_return result;
}

}  // namespace harness::exec
