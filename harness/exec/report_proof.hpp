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

// What a driver's sanitizer report channel (drivers/sohound_rt.h) proves about its run.
struct ChannelProof {
  bool complete = false;           // the runtime's "sohound:complete" record arrived
  unsigned long reports_made = 0;  // reports the runtime said it printed (the record's reports=N)
  unsigned long reports_seen = 0;  // "SUMMARY: " lines that arrived before the record
  std::string nonce;               // the record's nonce= (the run's secret; "-" when it had none)
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

// A driver that finished must prove its sanitizer saw the whole run: `channel_text` (the channel
// file `channel_name`) ends with the runtime's completion record carrying `nonce` (when given), and
// every report the runtime printed arrived; else job is report_lost (when it was ok). Each channel
// restoration becomes a note for the feature that closed the channel, in the last stream.
void judge_channel(model::JobResult& job, const std::string& channel_name, std::string_view channel_text,
                   std::vector<ProcessStream>& streams, const std::string& nonce);

}  // namespace harness::exec
