#include "harness/exec/report_proof.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace harness::exec {

std::string record_field(std::string_view line, std::string_view field) {
  const auto key = " " + std::string(field) + "=";
  const auto at = line.find(key);
  if (at == std::string_view::npos) return {};
  auto value = line.substr(at + key.size());
  return std::string(util::trim(value.substr(0, value.find(' '))));
}

ChannelProof read_channel_proof(std::string_view text) {
  ChannelProof proof;
  std::vector<std::string> open;  // owners without their record yet, in order
  bool any_open = false, any_record = false;
  unsigned long seen = 0;
  for (auto line : util::split_lines(text)) {
    if (any_record && open.empty() && !any_open) break;  // a driver's one record ends its proof
    if (util::starts_with(line, "SUMMARY: ")) {
      ++seen;
    } else if (util::starts_with(line, "sohound:channel ")) {
      proof.restored.push_back({record_field(line, "fd"), record_field(line, "feature")});
    } else if (util::starts_with(line, "sohound:open ")) {
      any_open = true;
      if (auto pid = record_field(line, "pid"); std::find(open.begin(), open.end(), pid) == open.end()) open.push_back(pid);
    } else if (util::starts_with(line, "sohound:complete ")) {
      const auto pid = record_field(line, "pid");
      if (any_open && std::find(open.begin(), open.end(), pid) == open.end()) continue;  // no owner opened it
      std::erase(open, pid);
      if (!any_record) proof.nonce = record_field(line, "nonce");
      any_record = true;
      proof.reports_made += std::strtoul(record_field(line, "reports").c_str(), nullptr, 10);
      proof.reports_seen = seen;
    }
  }
  proof.complete = any_record && open.empty();
  proof.unfinished = std::move(open);
  return proof;
}

std::string report_truncation(std::string_view text) {
  constexpr std::string_view k_lsan_cap = "Too many leaks! Only the first ";
  const auto at = text.find(k_lsan_cap);
  if (at == std::string_view::npos) return {};
  const auto end = text.find('\n', at);
  return std::string(util::trim(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at)));
}

void judge_channel(model::JobResult& job, const std::string& name, std::string_view channel_text,
                   std::vector<ProcessStream>& streams, const std::string& nonce, ChannelSource source) {
  using model::JobOutcome;
  const auto& tool = model::info(job.tool);
  const auto proof = read_channel_proof(channel_text);
  for (const auto& restored : proof.restored) {
    const auto owner = restored.feature == "-" ? std::string() : restored.feature;
    auto text = fmt::format(
        "{} closed or replaced descriptor {}, which carried {}'s reports ({}); {} "
        "restored the channel and wrote what {} printed meanwhile again, so nothing was lost",
        owner.empty() ? std::string("the code under test") : "the feature " + owner, restored.fd, tool.name, name,
        source == ChannelSource::driver ? "the driver" : "Sohound's channel library", tool.name);
    if (streams.empty()) streams.emplace_back();
    streams.back().notes.push_back({std::move(text), owner});
  }
  if (job.outcome != JobOutcome::ok) return;
  if (!proof.complete && source == ChannelSource::program) {
    job.outcome = JobOutcome::report_lost;
    job.message = fmt::format(
        "the program ended, but {} does not end with the completion record of Sohound's channel library{}: the "
        "process skipped its exit handlers (_exit, exec of a program without {}, or a kill), where {}'s exit-time "
        "checks run, or its report channel was cut, so a clean result proves nothing (end the program with exit() or "
        "a return from main)",
        name, proof.unfinished.empty() ? std::string() : fmt::format(" (process {})", util::join(proof.unfinished, ", ")),
        tool.name, tool.name);
    return;
  }
  if (!proof.complete) {
    job.outcome = JobOutcome::report_lost;
    job.message = fmt::format(
        "every feature returned, but {} does not end with the driver's completion record: {}'s report channel was "
        "closed, replaced or cut and could not be restored, so a clean result proves nothing (does the code close "
        "descriptors it did not open, or change the job folder's files?)",
        name, tool.name);
    return;
  }
  if (!nonce.empty() && proof.nonce != nonce) {
    job.outcome = JobOutcome::report_lost;
    job.message = fmt::format(
        "{}'s completion record is not this run's: {} was replaced or edited by name while the code ran (a report "
        "Sohound cannot trust), so a clean result proves nothing",
        name, name);
    return;
  }
  if (proof.reports_seen < proof.reports_made) {
    job.outcome = JobOutcome::report_lost;
    job.message = fmt::format(
        "{} printed {} report(s) but {} arrived in {}: the rest were lost on the way, so the "
        "findings are incomplete",
        tool.name, proof.reports_made, proof.reports_seen, name);
  }
}

}  // namespace harness::exec
