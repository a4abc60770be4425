// Processes a job left behind. Every process a job starts carries SOHOUND_JOB_TOKEN=<token> in its
// environment (inherited by its descendants unless one clears it), and the harness is the child
// subreaper of everything it starts, so a process that left the job's process group (setsid, a
// daemon's double fork) is still found: by its token, or as an orphan reparented to the harness.
// No Asio here: plain /proc reads, unit-tested with real processes.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace harness::exec {

inline constexpr const char* k_job_token_variable = "SOHOUND_JOB_TOKEN";
// Set to zeros for a driver; its runtime writes each feature's position over them in place, so a
// process carries the position of the feature that started its line (drivers/sohound_rt_watch.h).
inline constexpr const char* k_feature_slot_variable = "SOHOUND_FEATURE_SLOT";
inline constexpr const char* k_feature_slot_zeros = "0000000000";

// Makes this process the child subreaper for its descendants (prctl PR_SET_CHILD_SUBREAPER):
// orphans are reparented to it instead of init, so none escapes. Once per process; false when
// the kernel refuses.
bool become_subreaper();

// This run's part of every job token it hands out: "PID.RANDOM", unique across runs (and
// pid reuse). Written into --out (`.sohound-run`) so that a run after one that was killed (kill -9:
// its processes live on) can find and stop what that run left.
const std::string& run_token_prefix();

// Whether `prefix` has the shape run_token_prefix() gives and names a Sohound that is no longer
// running (so reaping its processes cannot touch a live run's).
bool is_dead_run(const std::string& prefix);

// A fresh token for one job's processes: run_token_prefix() + "-" + a counter.
std::string new_job_token();
// The token in a process's environment, or "" (gone, or not one of a job's processes).
std::string token_of(pid_t pid);

// Whether a process whose environment reads empty must be read again (it may be one of ours inside
// execve): a descendant of this process, or one whose parent cannot be read. Never a process whose
// parent is outside our pid namespace (init, kthreadd): their environment reads empty for good.
bool may_be_ours_in_exec(pid_t pid);

struct Stray {
  pid_t pid = 0;
  std::string command;  // /proc/PID/cmdline, spaces between arguments, cut at 200 characters
  // When it started, in CLOCK_MONOTONIC milliseconds (the clock of the driver's markers), to the
  // kernel's 10 ms tick: from /proc/PID/stat. -1 when it could not be read.
  double started_ms = -1;
  pid_t parent = 0;      // its parent when found (0: outside our pid namespace, -1: unread)
  int feature_slot = 0;  // SOHOUND_FEATURE_SLOT in its environment (0: none, or zeros)
};

// When `pid` started, as Stray::started_ms.
double started_ms_of(pid_t pid);

// Kills (SIGKILL) every process whose environment holds `token`, repeating until none is left (a
// forking process may start another in between; bounded rounds), and reaps those that were our
// children. Returns what it found, once each.
std::vector<Stray> kill_strays(const std::string& token);

// Kills every process whose token is one of run `prefix`'s (is_dead_run first), repeating until none
// is left. Returns what it found, once each.
std::vector<Stray> kill_run_leftovers(const std::string& prefix);

// Kills and reaps every child of this process except `keep` (orphans whose token was cleared).
std::vector<Stray> kill_orphans(const std::vector<pid_t>& keep = {});

}  // namespace harness::exec
