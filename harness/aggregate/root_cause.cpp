#include "harness/aggregate/root_cause.hpp"

#include "harness/aggregate/fingerprint.hpp"
#include "harness/util/text.hpp"

#include <charconv>
#include <map>

namespace harness::aggregate {

std::uint64_t indirect_bytes_owned(const std::string& message) {
  // "<total> (<direct> direct, <indirect> indirect) bytes ...", thousands separated by commas; a
  // delta leak check writes "(+N)" after each number: "48 (+48) (16 (+16) direct, 32 (+32) indirect)".
  const auto head = message.find(" direct, ");
  if (head == std::string::npos || message.find(" indirect", head) == std::string::npos) return 0;
  std::uint64_t value = 0;
  for (std::size_t i = head + 9; i < message.size(); ++i) {
    const char c = message[i];
    if (c == ',') continue;
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::string freed_block(const model::Finding& finding) {
  if (!util::starts_with(finding.kind, "mem.")) return "";
  std::string freed, allocated;
  for (const auto& aux : finding.aux_stacks) {
    const auto& label = aux.label;
    const bool free_stack = label.find(" free'd") != std::string::npos || label.find("freed by thread") != std::string::npos;
    const bool alloc_stack = label.find("alloc'd") != std::string::npos || label.find("allocated by thread") != std::string::npos;
    if (free_stack && freed.empty())
      freed = util::join(fingerprint_frames(aux.frames), "|");
    else if (alloc_stack && allocated.empty())
      allocated = util::join(fingerprint_frames(aux.frames), "|");
  }
  return freed.empty() ? "" : freed + "\n" + allocated;
}

void group_root_causes(std::vector<model::Finding>& findings, model::Tool tool) {
  for (auto& f : findings) f.root.clear();

  // Leaks.
  const model::Finding* owner = nullptr;
  std::uint64_t claimed = 0, indirect = 0, owner_owns = 0;
  for (const auto& f : findings) {
    if (f.kind == "leak.indirect") indirect += f.bytes;
    if (f.kind != "leak.definite" && f.kind != "leak.possible") continue;
    if (tool == model::Tool::asan) {
      if (!owner && f.kind == "leak.definite") owner = &f;
      continue;
    }
    const auto owned = indirect_bytes_owned(f.message);
    claimed += owned;
    if (owned > owner_owns) {
      owner = &f;
      owner_owns = owned;
    }
  }
  const bool covered = tool == model::Tool::asan || (claimed > 0 && claimed >= indirect);
  if (!owner || !covered) {
    // No reported leak owns them (all of them): a cycle, whose blocks point at each other (a
    // jansson object and its hash table's list nodes, under LeakSanitizer). The largest record is
    // the root, and fails; the rest of the cycle goes under it.
    owner = nullptr;
    for (const auto& f : findings)
      if (f.kind == "leak.indirect" && (!owner || f.bytes > owner->bytes)) owner = &f;
  }
  if (owner) {
    const auto root = owner->fingerprint;
    for (auto& f : findings)
      if (f.kind == "leak.indirect" && f.fingerprint != root) f.root = root;
  }

  // Errors about one freed block.
  std::map<std::string, std::string> first_of_block;
  for (auto& f : findings) {
    const auto block = freed_block(f);
    if (block.empty()) continue;
    auto [it, inserted] = first_of_block.try_emplace(block, f.fingerprint);
    if (!inserted && it->second != f.fingerprint) f.root = it->second;
  }
}

std::unordered_map<std::string, std::vector<const model::Finding*>> follow_ons_by_root(
    const std::vector<model::Finding>& findings) {
  std::unordered_map<std::string, std::vector<const model::Finding*>> out;
  for (const auto& f : findings)
    if (!f.root.empty()) out[f.root].push_back(&f);
  return out;
}

bool is_failing(const model::Finding& finding) {
  return finding.status == model::FindingStatus::new_finding && finding.severity == model::Severity::error &&
         finding.root.empty();
}

}  // namespace harness::aggregate
