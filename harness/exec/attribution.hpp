// One tool process ran one or more features (a run unit); this splits what it reported into one
// result per feature, exactly as if each feature had run alone. Pure: no files, no processes.
//
// The driver runtime writes markers into the tool's own report stream (drivers/sohound_rt.h):
// "sohound:begin NAME t=MS slot=J" before a feature (J: its position in the run, which the runtime
// also writes into the environment every process the feature starts inherits), "sohound:end NAME t=MS fds=3,4," after it and its
// leak check, "sohound:timeout NAME" when it overran its time in a batch. A report between a
// feature's markers is that feature's; one outside every feature's markers (start-up, exit) is
// every feature's, as each would have seen it running alone. Leak checks repeat what earlier checks
// reported (LeakSanitizer's recoverable check always, Valgrind's end-of-run check): a leak record
// counts only by what it grew since the last time its stack was reported.
#pragma once

#include "harness/model/finding.hpp"
#include "harness/model/job_result.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

struct Marker {
  enum class Kind { begin, end, timeout };
  Kind kind = Kind::begin;
  std::string feature;
  double t_ms = -1;              // the runtime's monotonic clock, when given
  int slot = 0;                  // begin: the feature's position, as in SOHOUND_FEATURE_SLOT (0: not given)
  std::vector<int> fds;          // end: descriptors the feature opened and left open
  std::vector<int> kids;         // end: processes carrying the job's token, still running
  std::vector<int> kid_parents;  // their parents, by position in `kids` (0 when unknown)
};

// Parses one marker line (trailing white space ignored); nullopt when `text` is not a marker.
std::optional<Marker> parse_marker(std::string_view text);

// A finding of one process and whose it is.
struct OwnedFinding {
  model::Finding finding;
  std::string owner;   // the feature whose markers enclose it; "" = outside every feature
  bool early = false;  // reported before the first marker (start-up, the runtime's first leak check)
};

// A note about one feature's run (the feature closed the report channel), or about every
// feature's when `owner` is empty.
struct OwnedNote {
  std::string text;
  std::string owner;
};

// Findings of one process in stream order, and the markers in order.
struct ProcessStream {
  std::vector<OwnedFinding> findings;
  std::vector<Marker> markers;
  std::vector<OwnedNote> notes;
};

// The feature whose end marker last listed `fd` as left open; "" when none did.
std::string fd_owner(const std::vector<Marker>& markers, int fd);
// The feature that left process `pid` running. First the feature whose begin marker has the
// process's `slot` (SOHOUND_FEATURE_SLOT in its environment, inherited from the feature that
// started its line: it holds even for a daemon forked after that feature ended); 0 when unknown.
// Then its parent's, when a feature's end marker listed the parent (a fork bomb's late
// descendants), else the feature whose end marker listed it first; listed by none, its `parent`'s
// when that was listed, else the feature that last began before it started (`started_ms`, on the
// markers' clock; -1: unknown); else "".
std::string process_owner(const std::vector<Marker>& markers, int pid, double started_ms = -1, int parent = 0, int slot = 0);

// Feeds markers and findings in stream order and keeps track of whose they are.
class StreamOwner {
 public:
  void marker(Marker m);
  void finding(model::Finding f);
  // A finding whose owner is known some other way (a descriptor by the feature that left it open).
  void finding(model::Finding f, std::string owner);
  const std::string& current() const { return m_current; }
  ProcessStream take() { return std::move(m_stream); }

 private:
  ProcessStream m_stream;
  std::string m_current;
  bool m_marked = false;
};

// Drops what a leak check repeats: each leak record (by kind and allocation stack) is reduced by
// what earlier records of the same stack already reported in this process; records with nothing
// new are removed. Leak records from before the first feature (the runtime's check of what
// start-up allocated) are dropped: the end-of-run check reports whatever of that is still lost at
// exit, after Valgrind's freeres, exactly as a run of one feature would (libstdc++'s 72 KiB
// emergency pool is "reachable" before any feature and freed at exit). For the same reason
// "still reachable" records of a feature's own check are dropped: the end-of-run check reports
// what is reachable at exit, given to the feature whose code is in its stack. Run over one
// process's stream in order. With `markerless` (a program of the user's, not a driver) there is no
// start-up check to drop: every leak record counts.
void subtract_repeated_leaks(ProcessStream& stream, bool markerless = false);

// What became of one feature in a unit.
enum class FeatureState {
  finished,     // began and ended: its findings are final
  running,      // began, did not end: the process stopped inside it (crash, timeout, exit)
  not_started,  // the process stopped before it began
};

struct FeatureShare {
  FeatureState state = FeatureState::not_started;
  std::vector<model::Finding> findings;  // its own, then those outside every feature
  std::vector<std::string> notes;        // its own notes, then every feature's
  double seconds = -1;                   // from its markers, when both carried a time
};

// Splits the streams of a unit's processes over `features` (the unit's, in run order). A finding
// outside every feature's markers (start-up, exit: a static's destructor) goes to the features
// whose code appears in its stacks (`code_of` gives a feature's function name prefix, as in
// feature_NAME), else to every feature.
std::map<std::string, FeatureShare> attribute(const std::vector<ProcessStream>& streams, const std::vector<std::string>& features,
                                              const std::function<std::string(const std::string&)>& code_of = {});

// What the end of a unit's process means for its features (given in run order, by state).
struct UnitSplit {
  // Every feature takes the process's outcome: it ran alone, every feature finished, or none
  // began (the process failed before the first: each feature's own run would fail the same way).
  bool whole = true;
  std::vector<std::size_t> report;       // positions whose results stand now
  std::optional<std::size_t> run_alone;  // the feature the process stopped in: run again alone
  std::vector<std::size_t> run_again;    // features that never began: a new batch
};
UnitSplit split_unit(const std::vector<FeatureState>& states);

}  // namespace harness::exec
