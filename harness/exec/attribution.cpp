#include "harness/exec/attribution.hpp"

#include "harness/util/text.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

#include <fmt/format.h>

namespace harness::exec {

std::optional<Marker> parse_marker(std::string_view text) {
  text = util::trim(text);
  constexpr std::string_view k_prefix = "sohound:";
  if (!util::starts_with(text, k_prefix)) return std::nullopt;
  text.remove_prefix(k_prefix.size());
  Marker m;
  const auto word_end = text.find(' ');
  if (word_end == std::string_view::npos) return std::nullopt;
  const auto word = text.substr(0, word_end);
  if (word == "begin")
    m.kind = Marker::Kind::begin;
  else if (word == "end")
    m.kind = Marker::Kind::end;
  else if (word == "timeout")
    m.kind = Marker::Kind::timeout;
  else
    return std::nullopt;
  text.remove_prefix(word_end + 1);
  const auto name_end = text.find(' ');
  m.feature = std::string(text.substr(0, name_end));
  if (m.feature.empty()) return std::nullopt;
  text = name_end == std::string_view::npos ? std::string_view{} : text.substr(name_end + 1);
  while (!text.empty()) {
    const auto end = text.find(' ');
    const auto field = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (util::starts_with(field, "t=")) {
      double t = -1;
      const auto value = field.substr(2);
      if (std::from_chars(value.data(), value.data() + value.size(), t).ec == std::errc{}) m.t_ms = t;
    } else if (util::starts_with(field, "slot=")) {
      int slot = 0;
      const auto value = field.substr(5);
      if (std::from_chars(value.data(), value.data() + value.size(), slot).ec == std::errc{} && slot > 0) m.slot = slot;
    } else if (util::starts_with(field, "fds=") || util::starts_with(field, "kids=")) {
      auto& into = util::starts_with(field, "fds=") ? m.fds : m.kids;
      auto list = field.substr(field.find('=') + 1);
      while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = list.substr(0, comma);
        int number = -1;
        const auto colon = item.find(':');
        const auto head = item.substr(0, colon);
        if (!head.empty() && std::from_chars(head.data(), head.data() + head.size(), number).ec == std::errc{}) {
          into.push_back(number);
          if (&into == &m.kids) {
            int parent = 0;
            if (colon != std::string_view::npos) {
              const auto tail = item.substr(colon + 1);
              std::from_chars(tail.data(), tail.data() + tail.size(), parent);
            }
            m.kid_parents.push_back(parent);
          }
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  return m;
}

void StreamOwner::marker(Marker m) {
  m_marked = true;
  if (m.kind == Marker::Kind::begin) m_current = m.feature;
  if (m.kind == Marker::Kind::end) m_current.clear();
  m_stream.markers.push_back(std::move(m));
}

void StreamOwner::finding(model::Finding f) { finding(std::move(f), m_current); }

void StreamOwner::finding(model::Finding f, std::string owner) {
  m_stream.findings.push_back({std::move(f), std::move(owner), !m_marked});
}

std::string fd_owner(const std::vector<Marker>& markers, int fd) {
  for (auto it = markers.rbegin(); it != markers.rend(); ++it)
    if (it->kind == Marker::Kind::end)
      for (int open : it->fds)
        if (open == fd) return it->feature;
  return {};
}

std::string process_owner(const std::vector<Marker>& markers, int pid, double started_ms, int parent, int slot) {
  if (slot > 0)
    for (const auto& m : markers)
      if (m.kind == Marker::Kind::begin && m.slot == slot) return m.feature;
  // First listing of each process, and its parent.
  std::map<int, std::pair<std::string, int>> first;
  for (const auto& m : markers)
    if (m.kind == Marker::Kind::end)
      for (std::size_t i = 0; i < m.kids.size(); ++i)
        first.try_emplace(m.kids[i], m.feature, i < m.kid_parents.size() ? m.kid_parents[i] : 0);
  // Up the parent chain while the parents were listed too: the oldest listed ancestor's feature.
  std::string owner;
  // One no marker listed (started after the last list that could have, or as it was read) whose
  // parent was listed: the parent's (a fork bomb's descendants, forked between two features).
  if (!first.count(pid) && parent > 0 && first.count(parent)) pid = parent;
  for (int at = pid, steps = 0; steps < 64; ++steps) {
    auto it = first.find(at);
    if (it == first.end()) break;
    owner = it->second.first;
    at = it->second.second;
  }
  if (!owner.empty() || started_ms < 0) return owner;
  // Listed by no end marker (it was inside execve when the feature's list was read, which reads an
  // empty environment): the feature that last began before it started, since features run one
  // after another. Its start is known to the kernel's tick (10 ms), so a feature that began within
  // that tick counts as before it.
  for (const auto& m : markers)
    if (m.kind == Marker::Kind::begin && m.t_ms >= 0 && m.t_ms <= started_ms + 10.0) owner = m.feature;
  return owner;
}

namespace {

std::string leak_key(const model::Finding& f) {
  std::string key = f.kind;
  for (const auto& frame : f.stack) {
    key += '\n';
    key += frame.function;
    key += '@';
    key += frame.file;
    key += ':';
    key += std::to_string(frame.line);
    if (frame.function.empty() && frame.file.empty()) key += frame.object;
  }
  return key;
}

// "(72 (+72) direct, 876 (+876) indirect)" -> "(72 direct, 876 indirect)", with the growth when a
// delta check gave it; "" when the record has no such part. The part says how much indirect memory
// the leak owns (aggregate::indirect_bytes_owned).
std::string direct_indirect_part(const std::string& message) {
  static const std::regex k_part(R"(\(([\d,]+)(?: \(\+([\d,]+)\))? direct, ([\d,]+)(?: \(\+([\d,]+)\))? indirect\))");
  std::smatch m;
  if (!std::regex_search(message, m, k_part)) return "";
  return fmt::format("({} direct, {} indirect)", m[2].matched ? m[2].str() : m[1].str(), m[4].matched ? m[4].str() : m[3].str());
}

// Valgrind's leak check after a feature says "16 (+16) bytes in 1 (+1) blocks are definitely lost
// in loss record 2 of 3": the numbers depend on what ran before in the process. Keep what a
// feature alone would read: "16 bytes in 1 blocks are definitely lost", and its direct/indirect
// split: "948 (72 direct, 876 indirect) bytes in 1 blocks are definitely lost".
std::string plain_leak_message(const std::string& message, std::uint64_t bytes, std::uint64_t blocks) {
  if (message.find(" (+") == std::string::npos && message.find(" in loss record ") == std::string::npos) return message;
  std::string out = message;
  if (const auto at = out.find(" in loss record "); at != std::string::npos) out.resize(at);
  const auto bytes_at = out.find(" bytes in ");
  const auto blocks_at = out.find(" blocks ");
  if (bytes_at == std::string::npos || blocks_at == std::string::npos || blocks_at < bytes_at) return out;
  auto with_commas = [](std::uint64_t n) {
    auto digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
  };
  const auto split = direct_indirect_part(message);
  return with_commas(bytes) + (split.empty() ? "" : " " + split) + " bytes in " + with_commas(blocks) + out.substr(blocks_at);
}

}  // namespace

void subtract_repeated_leaks(ProcessStream& stream, bool markerless) {
  struct Seen {
    std::uint64_t bytes = 0, blocks = 0;
  };
  std::map<std::string, Seen> seen;
  std::erase_if(stream.findings, [&](OwnedFinding& owned) {
    auto& f = owned.finding;
    if (!util::starts_with(f.kind, "leak.")) return false;
    if (owned.early && !markerless) return true;
    // "Still reachable" is what remains at exit, after Valgrind's freeres (glibc's time-zone cache
    // is reachable after a feature and freed at exit): only the end-of-run check says that.
    if (f.kind == "leak.reachable" && !owned.owner.empty()) return true;
    auto& s = seen[leak_key(f)];
    if (f.bytes <= s.bytes && f.blocks <= s.blocks) return true;  // reported before, nothing new
    const Seen total{std::max(f.bytes, s.bytes), std::max(f.blocks, s.blocks)};
    f.bytes -= std::min(f.bytes, s.bytes);
    f.blocks -= std::min(f.blocks, s.blocks);
    s = total;
    if (util::starts_with(f.tool_kind, "Leak_")) f.message = plain_leak_message(f.message, f.bytes, f.blocks);
    return false;
  });
}

std::map<std::string, FeatureShare> attribute(const std::vector<ProcessStream>& streams, const std::vector<std::string>& features,
                                              const std::function<std::string(const std::string&)>& code_of) {
  std::map<std::string, FeatureShare> shares;
  for (const auto& name : features) shares[name];
  std::vector<model::Finding> outside;
  // Whether a feature's own code (its body, setup or teardown function) is in a finding's stacks.
  auto mentions = [&](const model::Finding& f, const std::string& name) {
    if (!code_of) return false;
    const auto prefix = code_of(name);
    auto in = [&](const std::vector<model::Frame>& frames) {
      for (const auto& frame : frames)
        if (frame.function == prefix || util::starts_with(frame.function, prefix + "_setup") ||
            util::starts_with(frame.function, prefix + "_teardown") || util::starts_with(frame.function, prefix + "("))
          return true;
      return false;
    };
    if (in(f.stack)) return true;
    for (const auto& aux : f.aux_stacks)
      if (in(aux.frames)) return true;
    return false;
  };
  for (const auto& stream : streams) {
    std::map<std::string, double> began_at;
    for (const auto& m : stream.markers) {
      auto it = shares.find(m.feature);
      if (it == shares.end()) continue;
      auto& share = it->second;
      if (m.kind == Marker::Kind::begin) {
        if (share.state == FeatureState::not_started) share.state = FeatureState::running;
        began_at[m.feature] = m.t_ms;
      } else if (m.kind == Marker::Kind::end) {
        share.state = FeatureState::finished;
        if (auto b = began_at.find(m.feature); b != began_at.end() && b->second >= 0 && m.t_ms >= b->second)
          share.seconds = (m.t_ms - b->second) / 1000.0;
      }
    }
    for (const auto& note : stream.notes) {
      if (auto it = shares.find(note.owner); it != shares.end())
        it->second.notes.push_back(note.text);
      else
        for (auto& [name, share] : shares) share.notes.push_back(note.text);
    }
    for (const auto& [finding, owner, early] : stream.findings) {
      auto it = shares.find(owner);
      // A leak reported by one feature's check but allocated in another feature's code (its own
      // check was skipped or did not see it): the other feature's.
      if (it != shares.end() && code_of && util::starts_with(finding.kind, "leak.") && !mentions(finding, it->first))
        for (const auto& name : features)
          if (name != it->first && mentions(finding, name)) {
            it = shares.find(name);
            break;
          }
      if (it == shares.end())
        outside.push_back(finding);
      else
        it->second.findings.push_back(finding);
    }
  }
  for (const auto& f : outside) {
    std::vector<std::string> owners;
    if (code_of)
      for (const auto& name : features)
        if (mentions(f, name)) owners.push_back(name);
    if (owners.empty()) owners = features;
    for (const auto& name : owners) shares[name].findings.push_back(f);
  }
  return shares;
}

UnitSplit split_unit(const std::vector<FeatureState>& states) {
  UnitSplit split;
  const bool all_finished = std::all_of(states.begin(), states.end(), [](FeatureState s) { return s == FeatureState::finished; });
  const bool any_began = std::any_of(states.begin(), states.end(), [](FeatureState s) { return s != FeatureState::not_started; });
  split.whole = states.size() <= 1 || all_finished || !any_began;
  for (std::size_t k = 0; k < states.size(); ++k) {
    if (!split.whole && states[k] == FeatureState::running)
      split.run_alone = k;
    else if (!split.whole && states[k] == FeatureState::not_started)
      split.run_again.push_back(k);
    else
      split.report.push_back(k);
  }
  return split;
}

}  // namespace harness::exec
