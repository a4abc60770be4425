#include "harness/exec/shared_start.hpp"

#include "harness/util/text.hpp"

#include <charconv>

namespace harness::exec {

std::string encode_shared_runs(const std::vector<SharedRun>& runs) {
  std::string out;
  auto field = [&](std::string_view text) {
    out += text;
    out += '\0';
  };
  field("sohound-zygote 1");
  field(std::to_string(runs.size()));
  for (const auto& run : runs) {
    field(run.cwd);
    field(run.stdout_path);
    field(run.stderr_path);
    field(std::to_string(run.timeout_ms));
    field(std::to_string(run.argv.size()));
    for (std::size_t k = 1; k < run.argv.size(); ++k) field(run.argv[k]);
  }
  return out;
}

namespace {

template <typename T>
bool number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

}  // namespace

SharedStatus parse_shared_status(std::string_view text) {
  SharedStatus status;
  for (auto line : util::split_lines(text)) {
    if (line == "done") {
      status.done = true;
      continue;
    }
    std::vector<std::string_view> parts;
    for (std::size_t at = 0; at <= line.size();) {
      const auto space = std::min(line.find(' ', at), line.size());
      parts.push_back(line.substr(at, space - at));
      at = space + 1;
    }
    if (parts.size() == 2 && parts[0] == "parent") {
      if (!number(parts[1], status.parent)) status.parent = 0;
      continue;
    }
    std::size_t index = 0;
    SharedRunEnd end;
    long ms = 0;
    if (parts.size() != 7 || !number(parts[0], index) || !number(parts[1], end.pid) || !number(parts[3], end.value) ||
        !number(parts[4], ms) || !number(parts[5], end.from) || !number(parts[6], end.to) || end.from > end.to)
      continue;
    if (parts[2] == "exit")
      end.how = SharedRunEnd::How::exit;
    else if (parts[2] == "signal")
      end.how = SharedRunEnd::How::signal;
    else if (parts[2] == "timeout")
      end.how = SharedRunEnd::How::timeout;
    else
      continue;
    end.seconds = static_cast<double>(ms) / 1000.0;
    status.runs.insert_or_assign(index, end);
  }
  return status;
}

std::optional<SharedXml> split_shared_xml(std::string_view text, const SharedStatus& status) {
  std::map<std::size_t, std::size_t> ranges;  // from -> index, in file order
  for (const auto& [index, end] : status.runs) {
    if (end.to > text.size()) return std::nullopt;
    if (end.from == end.to) continue;  // wrote nothing (it could not start): no document
    if (!ranges.emplace(end.from, index).second) return std::nullopt;
  }
  SharedXml out;
  std::size_t at = 0;
  for (const auto& [from, index] : ranges) {
    const auto& end = status.runs.at(index);
    if (from < at) return std::nullopt;
    out.own += text.substr(at, from - at);
    out.runs[index] = std::string(text.substr(from, end.to - from));
    at = end.to;
  }
  out.own += text.substr(at);
  return out;
}

std::string record_of_run(std::string_view record, long run_pid, const std::set<long>& run_pids) {
  std::string out;
  for (auto line : util::split_lines(record)) {
    const auto tab = line.find('\t');
    const auto next = tab == std::string_view::npos ? tab : line.find('\t', tab + 1);
    long pid = 0;
    const bool known = next != std::string_view::npos && number(line.substr(tab + 1, next - tab - 1), pid);
    if (known && pid != run_pid && run_pids.count(pid)) continue;
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace harness::exec
