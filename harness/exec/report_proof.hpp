// What a finished driver's reports prove about its run (issue 19, "no false PASS"): the
// completion record the driver runtime writes after its last feature (drivers/sohound_rt.h), the
// reports it counted, the channel restorations it made, and a tool's own word that it cut its
// report. Pure text reading; job_reports turns the proof into an outcome.
#pragma once

#include "harness/exec/attribution.hpp"
#include "harness/model/job_result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace harness::exec {

// What a sanitizer report channel proves about its run: a driver's (drivers/sohound_rt.h, one
// process, one record) or a program's (drivers/sohound_channel.c: each process that owned the
// channel says "sohound:open pid=N" and, when it ended through its exit handlers,
// "sohound:complete pid=N ...").
struct ChannelProof {
  bool complete = false;                // every owner's "sohound:complete" record arrived
  unsigned long reports_made = 0;       // reports the runtimes said they printed (the records' reports=N)
  unsigned long reports_seen = 0;       // "SUMMARY: " lines that arrived before the last record
  std::string nonce;                    // the first record's nonce= (the run's secret; "-" when it had none)
  std::vector<std::string> unfinished;  // PIDs that opened the channel and wrote no record
  struct Restored {
    std::string fd;       // the descriptor the channel had
    std::string feature;  // the feature running then ("-": none)
  };
  std::vector<Restored> restored;  // the channel was closed or replaced, and restored
};

// Reads the proof out of a channel's text (pure; for tests).
ChannelProof read_channel_proof(std::string_view text);

// The tool's own word that it cut its report ("Too many leaks! Only the first 5000 leaks
// encountered will be reported."), or "" when the text has none.
std::string report_truncation(std::string_view text);

// The value of `field=` in a record line ("sohound:complete reports=3 nonce=ab"), or "".
std::string record_field(std::string_view line, std::string_view field);

// Who wrote the channel: the driver runtime, or the channel library in one of the user's programs.
enum class ChannelSource { driver, program };

// A driver that finished, or a program that ended on its own, must prove its sanitizer saw the
// whole run: `channel_text` (the channel file `channel_name`) ends with the completion record
// carrying `nonce` (when given), and every report the runtime printed arrived; else job is
// report_lost (when it was ok). Each channel restoration becomes a note for the feature that closed
// the channel, in the last stream.
void judge_channel(model::JobResult& job, const std::string& channel_name, std::string_view channel_text,
                   std::vector<ProcessStream>& streams, const std::string& nonce, ChannelSource source = ChannelSource::driver);

}  // namespace harness::exec
