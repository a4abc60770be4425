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

// Makes this process the child subreaper for its descendants (prctl PR_SET_CHILD_SUBREAPER):
// orphans are reparented to it instead of init, so none escapes. Once per process; false when
// the kernel refuses.
bool become_subreaper();

// A fresh token for one job's processes.
std::string new_job_token();
// The token in a process's environment, or "" (gone, or not one of a job's processes).
std::string token_of(pid_t pid);

struct Stray {
  pid_t pid = 0;
  std::string command;  // /proc/PID/cmdline, spaces between arguments, cut at 200 characters
};

// Kills (SIGKILL) every process whose environment holds `token`, repeating until none is left (a
// forking process may start another in between; bounded rounds), and reaps those that were our
// children. Returns what it found, once each.
std::vector<Stray> kill_strays(const std::string& token);

// Kills and reaps every child of this process except `keep` (orphans whose token was cleared).
std::vector<Stray> kill_orphans(const std::vector<pid_t>& keep = {});

}  // namespace harness::exec
