#include "harness/exec/report_proof.hpp"

#include "harness/util/text.hpp"

#include <fmt/format.h>

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
  for (auto line : util::split_lines(text)) {
    if (proof.complete) break;
    if (util::starts_with(line, "SUMMARY: ")) {
      ++proof.reports_seen;
    } else if (util::starts_with(line, "sohound:channel ")) {
      proof.restored.push_back({record_field(line, "fd"), record_field(line, "feature")});
    } else if (util::starts_with(line, "sohound:complete ")) {
      proof.complete = true;
      proof.reports_made = std::strtoul(record_field(line, "reports").c_str(), nullptr, 10);
      proof.nonce = record_field(line, "nonce");
    }
  }
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
                   std::vector<ProcessStream>& streams, const std::string& nonce) {
  using model::JobOutcome;
  const auto& tool = model::info(job.tool);
  const auto proof = read_channel_proof(channel_text);
  for (const auto& restored : proof.restored) {
    const auto owner = restored.feature == "-" ? std::string() : restored.feature;
    auto text = fmt::format(
        "{} closed or replaced descriptor {}, which carried {}'s reports ({}); the driver "
        "restored the channel and wrote what {} printed meanwhile again, so nothing was lost",
        owner.empty() ? std::string("the code under test") : "the feature " + owner, restored.fd, tool.name, name, tool.name);
    if (streams.empty()) streams.emplace_back();
    streams.back().notes.push_back({std::move(text), owner});
  }
  if (job.outcome != JobOutcome::ok) return;
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
