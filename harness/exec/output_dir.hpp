// The run's output folder (--out): the only place a run writes, and the only place it deletes.
//
// Claiming a folder: a new or empty folder is created (or taken) and marked with `.sohound-out`;
// a folder that has the mark is one Sohound made and may be reused; anything else (`/`, a file, a
// folder holding files Sohound did not write) is refused, so no user file is ever overwritten or
// deleted. A claimed folder is locked (flock on `.sohound-lock`) for the life of the object: a
// second run into it fails at once instead of mixing its reports with the first's.
#pragma once

#include "harness/exec/strays.hpp"
#include "harness/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

class OutputDir {
 public:
  // Why a folder cannot be claimed, as an error whose message names the folder and the fix;
  // `busy` is set when the only problem is another run holding the lock.
  static util::Result<OutputDir> claim(const std::string& path, bool* busy = nullptr);

  OutputDir(OutputDir&& other) noexcept;
  OutputDir& operator=(OutputDir&&) = delete;
  OutputDir(const OutputDir&) = delete;
  ~OutputDir();

  const std::string& path() const { return m_path; }  // absolute, normalised, no trailing '/'

  // Empties and recreates `dir`, which must lie inside the folder (as it resolves on disk, so a
  // symbolic link planted by a job cannot redirect it); throws std::runtime_error otherwise.
  void recreate(const std::string& dir) const;
  // Creates `dir` (and its parents) after the same check.
  void create(const std::string& dir) const;

  // What an earlier run into this folder left must not pass for this run's: the processes of a run
  // that was killed (kill -9 left its jobs' daemons running, each carrying that run's job token,
  // named in k_run_file) are stopped, this run's token prefix is recorded, and `verdict_files` (the
  // earlier run's reports) are removed before anything runs, so a run that cannot finish writing
  // its own (a full disk) leaves no earlier PASS for a CI step to read. Returns what it stopped.
  std::vector<Stray> take_over(const std::vector<std::string>& verdict_files) const;
  // Records that this run's jobs have all ended and left nothing running (each job's processes
  // were stopped when it ended): the next run into the folder need not look for leftovers (a
  // look through every process's environment). A run killed before this leaves its prefix.
  void mark_finished() const;

  static constexpr std::string_view k_marker = ".sohound-out";
  static constexpr std::string_view k_lock = ".sohound-lock";
  // The job-token prefix of the run that last claimed the folder (exec/strays.hpp), or
  // k_run_finished once that run's jobs have all ended.
  static constexpr std::string_view k_run_file = ".sohound-run";
  static constexpr std::string_view k_run_finished = "finished";

 private:
  OutputDir(std::string path, int lock_fd) : m_path(std::move(path)), m_lock_fd(lock_fd) {}
  void check_inside(const std::string& dir) const;
  std::string m_path;
  int m_lock_fd = -1;
};

}  // namespace harness::exec
