// One Valgrind start for several runs of one program (issue 22): the runs file the start library
// reads (drivers/sohound_zygote.c), the status lines it writes, and its XML file cut into each
// run's document. Pure text; exec/pipeline_programs.cpp runs it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

inline constexpr const char* k_zygote_preload = "libsohound-zygote.so";

struct SharedRun {
  std::string cwd;  // "" = the parent's
  std::string stdout_path, stderr_path;
  long timeout_ms = 0;
  std::vector<std::string> argv;  // argv[0] is the program's (the parent's own)
};

// The runs file: NUL-separated fields, as drivers/sohound_zygote.c reads them. Arguments holding a
// NUL cannot be given (nor can they to execve).
std::string encode_shared_runs(const std::vector<SharedRun>& runs);

struct SharedRunEnd {
  long pid = 0;
  enum class How { exit, signal, timeout } how = How::exit;
  int value = 0;         // the exit status, or the signal
  double seconds = 0;    // how long it ran
  std::size_t from = 0;  // its XML document: these bytes of the parent's file
  std::size_t to = 0;
};

struct SharedStatus {
  long parent = 0;                           // the process that started the runs ("parent PID")
  std::map<std::size_t, SharedRunEnd> runs;  // by the run's index
  bool done = false;                         // the parent's last line: it waited for every run
};

// The status file; a malformed line is left out (its run has no status, so it runs again alone).
SharedStatus parse_shared_status(std::string_view text);

// The parent's XML file cut apart: each run's document (the bytes its status names), and the
// parent's own (the rest, in order). nullopt when a range does not fit the file or overlaps another.
struct SharedXml {
  std::string own;
  std::map<std::size_t, std::string> runs;  // by index
};
std::optional<SharedXml> split_shared_xml(std::string_view text, const SharedStatus& status);

// The part of the start's input record (drivers/sohound_record.c: "OP<tab>PID<tab>...") that the
// run whose process is `run_pid` can have caused: the start's own lines (what the program did
// before the runs), the run's, and those of every process that is no run (what a run started: each
// is given to every run, as no line says whose child it was). `run_pids` are every run's.
std::string record_of_run(std::string_view record, long run_pid, const std::set<long>& run_pids);

}  // namespace harness::exec
