// Valgrind XML (protocol 4-6; memcheck, helgrind, drd) -> records, streamed with expat so memory
// stays flat however large the file. See ../shared/docs/formats.md §1 for the quirks handled:
// duplicate top-level <suppression>, orphan <stack>, truncated files from SIGKILL.
#pragma once

#include "harness/model/finding.hpp"
#include "harness/util/result.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::parse {

// One <error> as Valgrind wrote it.
struct ValgrindError {
  std::string unique;  // hex id, keys <errorcounts> within one file
  int tid = 0;
  std::string kind;  // Valgrind's kind: InvalidRead, Leak_DefinitelyLost, ...
  std::string what;  // <what> or <xwhat><text>
  std::vector<model::Frame> stack;
  std::vector<model::AuxStack> aux_stacks;  // each later <stack>, labelled by the <auxwhat> before it
  std::vector<std::string> aux_texts;       // every <auxwhat>/<xauxwhat><text>
  std::uint64_t leaked_bytes = 0;
  std::uint64_t leaked_blocks = 0;
};

struct FatalSignal {
  int signo = 0;
  std::string signame;
  std::string event;
  std::vector<model::Frame> stack;
};

// A client request's message (VALGRIND_PRINTF: the driver runtime's feature markers), with where
// it fell in the stream: after `errors_before` <error> records.
struct ClientMessage {
  std::size_t errors_before = 0;
  std::string text;
};

struct ValgrindReport {
  int protocol_version = 0;
  std::string tool;  // protocoltool
  int pid = 0;
  int ppid = 0;
  std::string exe;                // the client program (<args><argv><exe>), as it was started
  std::vector<std::string> args;  // and its arguments (<args><argv><arg>)
  bool finished = false;          // saw <status><state>FINISHED
  bool complete = false;          // saw </valgrindoutput>: the file was not truncated
  std::string problem;            // why the document is incomplete or malformed ("" when fine)
  std::optional<FatalSignal> fatal_signal;
  std::map<std::string, std::uint64_t> error_counts;  // unique -> count
  // The suppressions that matched (<suppcounts>): name -> how many errors each hid. Written when
  // the process ends, so a cut report has none.
  std::map<std::string, std::uint64_t> suppression_counts;
  std::vector<ValgrindError> errors;  // empty when a sink consumed them
  // Top-level <stack>s outside any record: with --track-fds=yes, Valgrind 3.19 writes each open
  // descriptor's open-site stack here, in the order its text log lists the descriptors.
  std::vector<std::vector<model::Frame>> orphan_stacks;
  std::vector<ClientMessage> client_messages;  // in stream order
  std::size_t fatal_signal_errors_before = 0;  // where <fatal_signal> fell, like a client message
};

// Incremental parser: feed chunks as they are read; each complete <error> goes to the sink.
class ValgrindXmlParser {
 public:
  using Sink = std::function<void(ValgrindError&&)>;
  explicit ValgrindXmlParser(Sink sink = {});
  ~ValgrindXmlParser();
  ValgrindXmlParser(const ValgrindXmlParser&) = delete;
  ValgrindXmlParser& operator=(const ValgrindXmlParser&) = delete;

  // False once the input is malformed; the report keeps every record completed before that.
  bool feed(std::string_view chunk);
  // Reads a whole file into expat's own buffer (no copy per chunk) and ends the input.
  ValgrindReport parse_file(std::FILE* file);
  // Ends the input. Returns the report (truncation is recorded, not an error).
  ValgrindReport finish();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

// Parses a whole document held in memory; errors are collected into report.errors.
util::Result<ValgrindReport> valgrind_xml(std::string_view text);

// Streams a file from disk in 256 KiB chunks.
util::Result<ValgrindReport> valgrind_xml_file(const std::string& path, ValgrindXmlParser::Sink sink = {});

}  // namespace harness::parse
