#include "harness/exec/strays.hpp"

#include "harness/util/files.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <regex>
#include <set>
#include <thread>

namespace harness::exec {
namespace fs = std::filesystem;

namespace {

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

std::string read_proc(pid_t pid, const char* what) { return util::read_file_or_empty(fmt::format("/proc/{}/{}", pid, what)); }

// A process's parent: 0 for one whose parent is outside our pid namespace (init, kthreadd), -1 when
// its stat cannot be read (it ended, or is not ours to read).
pid_t parent_of(pid_t pid) {
  const auto stat = read_proc(pid, "stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return -1;
  return static_cast<pid_t>(std::atol(stat.c_str() + close + 4));
}

bool is_zombie(pid_t pid) {
  const auto stat = read_proc(pid, "stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

// When a process started: field 22 of /proc/PID/stat (starttime, clock ticks since boot), as text;
// "" when it cannot be read.
std::string start_ticks(pid_t pid) {
  const auto stat = read_proc(pid, "stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  // Counted from the state, field 3.
  std::size_t at = close + 2;
  for (int field = 3; field < 22 && at != std::string::npos; ++field) at = stat.find(' ', at + 1);
  if (at == std::string::npos) return {};
  return stat.substr(at + 1, stat.find(' ', at + 1) - at - 1);
}

}  // namespace

double started_ms_of(pid_t pid) {
  // Its start in clock ticks since boot (CLOCK_BOOTTIME), moved to CLOCK_MONOTONIC by the two
  // clocks' difference now.
  const auto text = start_ticks(pid);
  if (text.empty()) return -1;
  const double ticks = std::strtod(text.c_str(), nullptr);
  const long hz = ::sysconf(_SC_CLK_TCK);
  timespec boot{}, mono{};
  if (hz <= 0 || ::clock_gettime(CLOCK_BOOTTIME, &boot) != 0 || ::clock_gettime(CLOCK_MONOTONIC, &mono) != 0) return -1;
  const double boot_ms = static_cast<double>(boot.tv_sec) * 1000.0 + static_cast<double>(boot.tv_nsec) / 1e6;
  const double mono_ms = static_cast<double>(mono.tv_sec) * 1000.0 + static_cast<double>(mono.tv_nsec) / 1e6;
  return ticks * 1000.0 / static_cast<double>(hz) - (boot_ms - mono_ms);
}

namespace {

// The value of `name` in a process's environment, or "" (gone, not ours to read, not set).
std::string environ_value(pid_t pid, std::string_view name) {
  const auto environ = read_proc(pid, "environ");
  const auto key = std::string(name) + "=";
  std::size_t at = 0;
  while (at < environ.size()) {
    const auto end = environ.find('\0', at);
    const std::string_view entry(environ.data() + at, (end == std::string::npos ? environ.size() : end) - at);
    if (entry.substr(0, key.size()) == key) return std::string(entry.substr(key.size()));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return {};
}

int feature_slot_of(pid_t pid) {
  const auto text = environ_value(pid, k_feature_slot_variable);
  int slot = 0;
  if (text.empty() || std::from_chars(text.data(), text.data() + text.size(), slot).ec != std::errc{}) return 0;
  return slot;
}

std::string command_of(pid_t pid) {
  auto cmdline = read_proc(pid, "cmdline");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
  if (cmdline.empty()) cmdline = "[" + std::string(util::read_file_or_empty(fmt::format("/proc/{}/comm", pid))) + "]";
  if (cmdline.size() > 200) cmdline = cmdline.substr(0, 200) + "...";
  std::erase(cmdline, '\n');
  return cmdline;
}

bool environ_has(const std::string& environ, const std::string& needle) {
  std::size_t at = 0;
  while ((at = environ.find(needle, at)) != std::string::npos) {
    if ((at == 0 || environ[at - 1] == '\0') && (at + needle.size() == environ.size() || environ[at + needle.size()] == '\0'))
      return true;
    at += needle.size();
  }
  return false;
}

// Processes seen with an empty environment for longer than an exec takes ("pid starttime").
std::set<std::string>& empty_environments() {
  static std::set<std::string> k_seen;
  return k_seen;
}
std::string identity(pid_t pid) {
  const auto ticks = start_ticks(pid);
  return ticks.empty() ? std::string() : std::to_string(pid) + " " + ticks;
}
bool empty_environment_known(pid_t pid) { return empty_environments().count(identity(pid)) > 0; }
void remember_empty_environment(pid_t pid) {
  if (auto id = identity(pid); !id.empty()) empty_environments().insert(std::move(id));
}

// Whether `pid` descends from this process (its parent chain reaches us).
bool descends_from_us(pid_t pid) {
  const pid_t self = ::getpid();
  for (int steps = 0; steps < 256 && pid > 1; ++steps) {
    pid = parent_of(pid);
    if (pid == self) return true;
  }
  return false;
}

void reap_if_ours(pid_t pid) {
  if (parent_of(pid) == ::getpid() || is_zombie(pid)) {
    // Only our own children can be waited for; WNOHANG after a short wait for SIGKILL to land.
    for (int i = 0; i < 50; ++i) {
      const auto r = ::waitpid(pid, nullptr, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
}

// Kills (SIGKILL) and reaps `hits`, then what `scan` finds again (a forking process may have
// started another in between), until it finds none (bounded rounds). What it killed, once each.
std::vector<Stray> kill_until_none(std::vector<pid_t> hits, const std::function<std::vector<pid_t>()>& scan) {
  std::vector<Stray> found;
  for (int round = 0; round < 20 && !hits.empty(); ++round) {
    for (auto pid : hits) {
      if (std::none_of(found.begin(), found.end(), [&](const Stray& s) { return s.pid == pid; }))
        found.push_back({pid, command_of(pid), started_ms_of(pid), parent_of(pid), feature_slot_of(pid)});
      ::kill(pid, SIGKILL);
    }
    for (auto pid : hits) reap_if_ours(pid);
    hits = scan();
  }
  for (const auto& stray : found) reap_if_ours(stray.pid);
  return found;
}

}  // namespace

bool become_subreaper() {
  static const bool k_ok = ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
  return k_ok;
}

const std::string& run_token_prefix() {
  static const std::string k_prefix = [] {
    std::random_device random;
    const auto high = static_cast<std::uint64_t>(random()) << 32;
    return fmt::format("{}.{:016x}", ::getpid(), high | random());
  }();
  return k_prefix;
}

bool is_dead_run(const std::string& prefix) {
  static const std::regex k_shape(R"(([1-9][0-9]{0,9})\.[0-9a-f]{16})");
  std::smatch m;
  if (!std::regex_match(prefix, m, k_shape) || prefix == run_token_prefix()) return false;
  const auto pid = std::stol(m[1].str());
  return pid > 0 && pid <= std::numeric_limits<pid_t>::max() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string new_job_token() {
  static std::atomic<unsigned> counter{0};
  return fmt::format("{}-{}", run_token_prefix(), counter++);
}

std::string token_of(pid_t pid) { return environ_value(pid, k_job_token_variable); }

// (Waiting for a process whose parent is outside our namespace, pid 1 or kthreadd, cost every run
// 2 s: its environment reads empty for good.)
bool may_be_ours_in_exec(pid_t pid) { return parent_of(pid) < 0 || descends_from_us(pid); }

std::vector<Stray> kill_strays(const std::string& token) {
  const auto needle = std::string(k_job_token_variable) + "=" + token;
  const pid_t self = ::getpid();
  // A process on its way through execve reads an empty /proc/PID/environ for that moment (the new
  // image's environment is not laid out yet): a daemon the job started just before it ended (`setsid
  // sleep 30 &` then exit) can be there. So a descendant of ours whose environment reads empty is
  // read again until it shows one (or has ended, or has truly none), never passed over.
  auto scan = [&] {
    std::vector<pid_t> hits, unread;
    for (auto pid : all_pids()) {
      if (pid == self || is_zombie(pid)) continue;
      // One read decides: read twice, a process could finish its exec in between and be neither
      // a hit (the first read was empty) nor unread (the second was not).
      const auto environ = read_proc(pid, "environ");
      if (environ_has(environ, needle))
        hits.push_back(pid);
      else if (environ.empty() && may_be_ours_in_exec(pid))
        unread.push_back(pid);
    }
    // Up to 2 s (a loaded machine can leave a process inside execve for well over 100 ms); one
    // that still has no environment then truly has none, and is remembered so as not to be waited
    // for again (by pid and start time).
    std::erase_if(unread, [](pid_t pid) { return empty_environment_known(pid); });
    for (int attempt = 0; attempt < 2000 && !unread.empty(); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::erase_if(unread, [&](pid_t pid) {
        if (::kill(pid, 0) != 0 || is_zombie(pid)) return true;
        const auto environ = read_proc(pid, "environ");
        if (environ.empty()) return false;  // still in exec (or no environment at all)
        if (environ_has(environ, needle)) hits.push_back(pid);
        return true;
      });
    }
    for (auto pid : unread) remember_empty_environment(pid);
    return hits;
  };
  auto hits = scan();
  if (hits.empty()) return {};
  // A helper on its way out (a sanitizer's symbolizer reading EOF) is not a stray: give what we
  // saw a moment to end by itself.
  for (int i = 0; i < 30 && !hits.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::erase_if(hits, [](pid_t pid) { return ::kill(pid, 0) != 0 || is_zombie(pid); });
  }
  return kill_until_none(std::move(hits), scan);
}

std::vector<Stray> kill_run_leftovers(const std::string& prefix) {
  if (!is_dead_run(prefix)) return {};
  const auto wanted = prefix + "-";
  const pid_t self = ::getpid();
  auto scan = [&] {
    std::vector<pid_t> hits;
    for (auto pid : all_pids())
      if (pid != self && !is_zombie(pid) && token_of(pid).rfind(wanted, 0) == 0) hits.push_back(pid);
    return hits;
  };
  return kill_until_none(scan(), scan);
}

std::vector<Stray> kill_orphans(const std::vector<pid_t>& keep) {
  std::vector<Stray> found;
  const pid_t self = ::getpid();
  for (int round = 0; round < 20; ++round) {
    // No child at all, alive or not (a run that started no process, as an all-cached rerun):
    // nothing to look for among every process of the machine.
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD) break;
    bool any = false;
    for (auto pid : all_pids()) {
      if (parent_of(pid) != self || std::find(keep.begin(), keep.end(), pid) != keep.end()) continue;
      any = true;
      if (!is_zombie(pid)) {
        found.push_back({pid, command_of(pid)});
        ::kill(pid, SIGKILL);
      }
      reap_if_ours(pid);
    }
    if (!any) break;
  }
  return found;
}

}  // namespace harness::exec
