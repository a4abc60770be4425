#include "harness/aggregate/judge.hpp"

#include "harness/aggregate/baseline.hpp"
#include "harness/aggregate/fingerprint.hpp"
#include "harness/aggregate/root_cause.hpp"
#include "harness/aggregate/suppress.hpp"
#include "harness/util/text.hpp"

#include <algorithm>
#include <unordered_map>

namespace harness::aggregate {

model::Severity default_severity(std::string_view kind) {
  return kind == "leak.reachable" ? model::Severity::warning : model::Severity::error;
}

namespace {
bool names_coroutine(const std::string& glob, const model::Finding& finding) {
  auto named = [&](const std::string& name) {
    return util::glob_match(glob, name) || util::glob_match(glob, normalize_function(name));
  };
  if (finding.leaked_coroutine && named(finding.leaked_coroutine->name)) return true;
  return std::any_of(finding.coroutines.begin(), finding.coroutines.end(), named);
}
}  // namespace

bool matches(const model::Expectation& e, model::Tool tool, const model::Finding& finding) {
  if (e.tool && *e.tool != tool) return false;
  if (!util::glob_match(e.kind, finding.kind)) return false;
  if (!e.coroutine.empty() && !names_coroutine(e.coroutine, finding)) return false;
  if (e.function.empty()) return true;
  // "obj:GLOB" names the object (a stripped library's unnamed frames have nothing else).
  if (util::starts_with(e.function, "obj:")) {
    const auto object = std::string_view(e.function).substr(4);
    for (const auto& frame : finding.stack)
      if (util::glob_match(object, frame.object)) return true;
    return false;
  }
  for (const auto& frame : finding.stack)
    if (util::glob_match(e.function, frame.function) || util::glob_match(e.function, normalize_function(frame.function)))
      return true;
  return false;
}

std::vector<model::Finding> merge_findings(std::vector<model::Finding> findings) {
  std::vector<model::Finding> merged;
  std::unordered_map<std::string, std::size_t> index;
  for (auto& f : findings) {
    if (f.fingerprint.empty()) f.fingerprint = fingerprint(f);
    auto [it, inserted] = index.try_emplace(f.fingerprint, merged.size());
    if (inserted) {
      merged.push_back(std::move(f));
      continue;
    }
    auto& into = merged[it->second];
    into.count += f.count;
    into.bytes += f.bytes;
    into.blocks += f.blocks;
  }
  return merged;
}

model::Severity severity_for(std::string_view kind, const std::vector<std::pair<std::string, model::Severity>>& policy) {
  auto severity = default_severity(kind);
  for (const auto& [glob, value] : policy)
    if (util::glob_match(glob, kind)) severity = value;
  return severity;
}

void judge(model::JobResult& job, const std::vector<model::Expectation>& expectations) {
  JudgeContext context;
  context.expectations = expectations;
  judge(job, context);
}

void mark_allocators(std::vector<model::Frame>& stack, const std::vector<std::string>& allocators) {
  if (allocators.empty()) return;
  for (auto& frame : stack) {
    const auto name = normalize_function(frame.function);
    const bool wrapper = !is_unnamed(frame) && std::any_of(allocators.begin(), allocators.end(), [&](const std::string& glob) {
      return util::glob_match(glob, name) || util::glob_match(glob, frame.function);
    });
    if (wrapper)
      frame.allocator = true;
    else if (!is_runtime_frame(frame))
      break;  // the first frame of code that is not allocation: the wrappers are above it only
  }
}

void judge(model::JobResult& job, const JudgeContext& context) {
  const auto& expectations = context.expectations;
  for (auto& f : job.findings) {
    mark_allocators(f.stack, context.allocators);
    for (auto& aux : f.aux_stacks) mark_allocators(aux.frames, context.allocators);
  }
  job.findings = merge_findings(std::move(job.findings));
  std::vector<bool> used(expectations.size(), false);
  bool unexpected = false;
  for (auto& f : job.findings) {
    f.severity = severity_for(f.kind, context.policy);
    for (const auto& [suppression, counter] : context.suppressions) {
      if (!matches(*suppression, job.tool, f)) continue;
      f.status = model::FindingStatus::suppressed;
      f.suppressed_by = suppression->name;
      if (counter) ++*counter;
      break;
    }
    // Every entry that describes the finding has found it (none consumes it for the others); the
    // first one names it.
    for (std::size_t i = 0; i < expectations.size(); ++i) {
      if (!matches(expectations[i], job.tool, f)) continue;
      used[i] = true;
      if (f.status != model::FindingStatus::new_finding) continue;
      f.status = model::FindingStatus::expected;
      f.expected_by = expectations[i].describe();
    }
    if (f.status == model::FindingStatus::new_finding && context.ownership) {
      const auto owner = decide_ownership(f, *context.ownership, job.findings);
      f.ownership = owner.explanation;
      if (owner.third_party) {
        f.owner = owner.library;
        if (!context.third_party_fails) f.status = model::FindingStatus::third_party;
      }
    }
    if (f.status == model::FindingStatus::new_finding && context.baseline &&
        context.baseline->count(context.baseline_v1 ? fingerprint_v1(f) : f.fingerprint))
      f.status = model::FindingStatus::baseline;
  }
  group_root_causes(job.findings, job.tool);
  for (const auto& f : job.findings)
    if (is_failing(f)) unexpected = true;
  job.unmatched_expectations.clear();
  // An expectation aimed at another tool is not "no longer found" here; nor are expectations of a
  // job that never got to run the feature.
  if (job.outcome == model::JobOutcome::ok) {
    for (std::size_t i = 0; i < expectations.size(); ++i)
      if (!used[i] && (!expectations[i].tool || *expectations[i].tool == job.tool) &&
          model::can_report(job.tool, expectations[i].kind))
        job.unmatched_expectations.push_back(expectations[i].describe());
  }
  job.passed = (job.outcome == model::JobOutcome::ok || job.outcome == model::JobOutcome::skipped) && !unexpected;
  // A known failure: the same outcome, feature, tool, signal and top frame as the baseline's.
  job.baselined = !job.passed && !unexpected && can_baseline(job.outcome) && context.baseline_jobs &&
                  context.baseline_jobs->count(job_signature(job));
  if (job.baselined) job.passed = true;
}

}  // namespace harness::aggregate
