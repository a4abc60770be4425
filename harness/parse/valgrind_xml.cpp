#include "harness/parse/valgrind_xml.hpp"

#include "harness/util/interrupt.hpp"

#include <expat.h>
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace harness::parse {
namespace {

// Elements we act on. Everything else is skipped (forward compatibility).
enum class El {
  other,
  valgrindoutput,
  protocolversion,
  protocoltool,
  pid,
  ppid,
  status,
  state,
  error,
  unique,
  tid,
  kind,
  what,
  xwhat,
  xauxwhat,
  text,
  leakedbytes,
  leakedblocks,
  auxwhat,
  stack,
  frame,
  ip,
  obj,
  fn,
  dir,
  file,
  line,
  suppression,
  errorcounts,
  suppcounts,
  name,
  pair,
  count,
  fatal_signal,
  signo,
  signame,
  event,
  other_segment_start,
  other_segment_end,
  allocation_context,
  clientmsg,
  argv,
  exe,
  arg,
};

// Called for every start tag, so dispatch on the first character before comparing.
El element(const char* n) {
  auto is = [n](const char* name) { return std::strcmp(n, name) == 0; };
  switch (n[0]) {
    case 'a':
      if (is("auxwhat")) return El::auxwhat;
      if (is("allocation_context")) return El::allocation_context;
      if (is("argv")) return El::argv;
      if (is("arg")) return El::arg;
      return El::other;
    case 'c':
      if (is("count")) return El::count;
      if (is("clientmsg")) return El::clientmsg;
      return El::other;
    case 'd':
      return is("dir") ? El::dir : El::other;
    case 'e':
      if (is("error")) return El::error;
      if (is("errorcounts")) return El::errorcounts;
      if (is("exe")) return El::exe;
      if (is("event")) return El::event;
      return El::other;
    case 'f':
      if (is("frame")) return El::frame;
      if (is("fn")) return El::fn;
      if (is("file")) return El::file;
      if (is("fatal_signal")) return El::fatal_signal;
      return El::other;
    case 'i':
      return is("ip") ? El::ip : El::other;
    case 'k':
      return is("kind") ? El::kind : El::other;
    case 'l':
      if (is("line")) return El::line;
      if (is("leakedbytes")) return El::leakedbytes;
      if (is("leakedblocks")) return El::leakedblocks;
      return El::other;
    case 'n':
      return is("name") ? El::name : El::other;
    case 'o':
      if (is("obj")) return El::obj;
      if (is("other_segment_start")) return El::other_segment_start;
      if (is("other_segment_end")) return El::other_segment_end;
      return El::other;
    case 'p':
      if (is("pair")) return El::pair;
      if (is("pid")) return El::pid;
      if (is("ppid")) return El::ppid;
      if (is("protocolversion")) return El::protocolversion;
      if (is("protocoltool")) return El::protocoltool;
      return El::other;
    case 's':
      if (is("stack")) return El::stack;
      if (is("suppression")) return El::suppression;
      if (is("suppcounts")) return El::suppcounts;
      if (is("status")) return El::status;
      if (is("state")) return El::state;
      if (is("signo")) return El::signo;
      if (is("signame")) return El::signame;
      return El::other;
    case 't':
      if (is("tid")) return El::tid;
      if (is("text")) return El::text;
      return El::other;
    case 'u':
      return is("unique") ? El::unique : El::other;
    case 'v':
      return is("valgrindoutput") ? El::valgrindoutput : El::other;
    case 'w':
      return is("what") ? El::what : El::other;
    case 'x':
      if (is("xwhat")) return El::xwhat;
      if (is("xauxwhat")) return El::xauxwhat;
      return El::other;
    default:
      return El::other;
  }
}

template <class T>
T to_number(std::string_view s) {
  T value{};
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::string_view trimmed(const std::string& s) {
  std::string_view v(s);
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
  return v;
}

}  // namespace

struct ValgrindXmlParser::State {
  XML_Parser parser = nullptr;
  Sink sink;
  ValgrindReport report;
  std::vector<El> path;  // open elements
  std::string text;      // character data of the current leaf
  bool capture = false;
  int skip_depth = 0;  // >0 while inside an element we ignore wholesale (<suppression>)
  bool failed = false;

  ValgrindError error;
  bool in_error = false;
  std::vector<model::Frame>* current_stack = nullptr;
  model::Frame frame;
  std::string frame_dir;
  std::string last_aux;
  int stacks_in_error = 0;
  std::string pair_unique;
  std::string pair_name;  // a <suppcounts> pair's suppression
  std::uint64_t pair_count = 0;
  std::size_t errors_seen = 0;  // <error> records completed so far (sunk or kept)

  El parent(std::size_t up = 1) const { return path.size() > up ? path[path.size() - 1 - up] : El::other; }

  void start(const char* name) {
    if (skip_depth) {
      ++skip_depth;
      return;
    }
    const El el = element(name);
    path.push_back(el);
    text.clear();
    capture = false;
    switch (el) {
      case El::suppression:
        skip_depth = 1;
        path.pop_back();
        return;  // in-error and top-level copies alike
      case El::error:
        current_stack = nullptr;  // it may point into the record being replaced (a malformed nesting)
        error = ValgrindError{};
        in_error = true;
        stacks_in_error = 0;
        last_aux.clear();
        break;
      case El::fatal_signal:
        current_stack = nullptr;  // likewise: the old fatal signal's stack is destroyed here
        report.fatal_signal.emplace();
        report.fatal_signal_errors_before = errors_seen;
        break;
      case El::clientmsg:
        report.client_messages.push_back({errors_seen, {}});
        break;
      case El::stack: {
        const El p = parent();
        if (p == El::error) {
          if (stacks_in_error++ == 0) {
            current_stack = &error.stack;
          } else {
            error.aux_stacks.push_back({last_aux, {}});
            current_stack = &error.aux_stacks.back().frames;
          }
        } else if ((p == El::other_segment_start || p == El::other_segment_end) && parent(2) == El::error) {
          // DRD: where the conflicting thread's segment started and ended (when it is still alive).
          error.aux_stacks.push_back({p == El::other_segment_start ? "Other segment start (conflicting thread)"
                                                                   : "Other segment end (conflicting thread)",
                                      {}});
          current_stack = &error.aux_stacks.back().frames;
        } else if (p == El::allocation_context && parent(2) == El::error) {
          // DRD: where the accessed heap block was allocated, after its "Address ... at offset N
          // from ..." auxwhat.
          error.aux_stacks.push_back({last_aux, {}});
          current_stack = &error.aux_stacks.back().frames;
        } else if (p == El::fatal_signal && report.fatal_signal) {
          current_stack = &report.fatal_signal->stack;
        } else if (p == El::valgrindoutput) {
          report.orphan_stacks.emplace_back();  // --track-fds open sites (3.19)
          current_stack = &report.orphan_stacks.back();
        } else {
          current_stack = nullptr;  // a stack inside an element we do not model
        }
        break;
      }
      case El::frame:
        frame = model::Frame{};
        frame_dir.clear();
        break;
      case El::pair:
        pair_unique.clear();
        pair_name.clear();
        pair_count = 0;
        break;
      default:
        capture = true;
        break;
    }
  }

  void end() {
    if (skip_depth) {
      --skip_depth;
      return;
    }
    if (path.empty()) return;
    const El el = path.back();
    const El p = parent();
    const auto value = trimmed(text);
    if (!end_of_report_field(el, p, value) && !end_of_error_field(el, p, value)) end_of_frame_field(el, p, value);
    path.pop_back();
    text.clear();
    capture = false;
  }

  // The document's own fields: protocol, tool, process, status, error counts, its end.
  bool end_of_report_field(El el, El p, std::string_view value) {
    switch (el) {
      case El::protocolversion:
        report.protocol_version = to_number<int>(value);
        return true;
      case El::protocoltool:
        report.tool = std::string(value);
        return true;
      case El::pid:
        if (p == El::valgrindoutput) report.pid = to_number<int>(value);
        return true;
      case El::ppid:
        if (p == El::valgrindoutput) report.ppid = to_number<int>(value);
        return true;
      case El::exe:
        if (p == El::argv) report.exe = std::string(value);
        return true;
      case El::arg:
        if (p == El::argv) report.args.emplace_back(value);
        return true;
      case El::state:
        if (p == El::status && value == "FINISHED") report.finished = true;
        return true;
      case El::count:
        if (p == El::pair) pair_count = to_number<std::uint64_t>(value);
        return true;
      case El::name:
        if (p == El::pair) pair_name = std::string(value);
        return true;
      case El::pair:
        if (p == El::errorcounts && !pair_unique.empty()) report.error_counts[pair_unique] = pair_count;
        if (p == El::suppcounts && !pair_name.empty()) report.suppression_counts[pair_name] += pair_count;
        return true;
      case El::signo:
        if (p == El::fatal_signal && report.fatal_signal) report.fatal_signal->signo = to_number<int>(value);
        return true;
      case El::signame:
        if (p == El::fatal_signal && report.fatal_signal) report.fatal_signal->signame = std::string(value);
        return true;
      case El::event:
        if (p == El::fatal_signal && report.fatal_signal) report.fatal_signal->event = std::string(value);
        return true;
      case El::valgrindoutput:
        report.complete = true;
        return true;
      default:
        return false;
    }
  }

  // An error record's fields, and the record itself when it ends (to the sink).
  bool end_of_error_field(El el, El p, std::string_view value) {
    switch (el) {
      case El::unique:
        if (p == El::error)
          error.unique = std::string(value);
        else if (p == El::pair)
          pair_unique = std::string(value);
        return true;
      case El::tid:
        if (p == El::error) error.tid = to_number<int>(value);
        return true;
      case El::kind:
        if (p == El::error) error.kind = std::string(value);
        return true;
      case El::what:
        if (p == El::error) error.what = std::string(value);
        return true;
      case El::text:
        if (p == El::xwhat && parent(2) == El::error) {
          error.what = std::string(value);
        } else if (p == El::xauxwhat && parent(2) == El::error) {
          last_aux = std::string(value);
          error.aux_texts.push_back(last_aux);
        } else if (p == El::clientmsg && !report.client_messages.empty()) {
          report.client_messages.back().text = std::string(value);
        }
        return true;
      case El::auxwhat:
        if (p == El::error) {
          last_aux = std::string(value);
          error.aux_texts.push_back(last_aux);
        }
        return true;
      case El::leakedbytes:
        if (p == El::xwhat) error.leaked_bytes = to_number<std::uint64_t>(value);
        return true;
      case El::leakedblocks:
        if (p == El::xwhat) error.leaked_blocks = to_number<std::uint64_t>(value);
        return true;
      case El::error:
        current_stack = nullptr;  // the record moves away
        in_error = false;
        ++errors_seen;
        if (sink)
          sink(std::move(error));
        else
          report.errors.push_back(std::move(error));
        return true;
      default:
        return false;
    }
  }

  // A stack frame's fields, the frame, the stack.
  void end_of_frame_field(El el, El p, std::string_view value) {
    switch (el) {
      case El::obj:
        if (p == El::frame) frame.object = std::string(value);
        break;
      case El::fn:
        if (p == El::frame) frame.function = std::string(value);
        break;
      case El::dir:
        if (p == El::frame) frame_dir = std::string(value);
        break;
      case El::file:
        if (p == El::frame) frame.file = std::string(value);
        break;
      case El::line:
        if (p == El::frame) frame.line = to_number<int>(value);
        break;
      case El::frame:
        if (current_stack) {
          if (!frame_dir.empty() && !frame.file.empty() && frame.file.front() != '/') frame.file = frame_dir + "/" + frame.file;
          current_stack->push_back(std::move(frame));
        }
        break;
      case El::stack:
        current_stack = nullptr;
        break;
      default:
        break;
    }
  }

  static void on_start(void* self, const XML_Char* name, const XML_Char**) { static_cast<State*>(self)->start(name); }
  static void on_end(void* self, const XML_Char*) { static_cast<State*>(self)->end(); }
  static void on_text(void* self, const XML_Char* s, int len) {
    auto* state = static_cast<State*>(self);
    if (state->capture && !state->skip_depth) state->text.append(s, static_cast<std::size_t>(len));
  }
};

ValgrindXmlParser::ValgrindXmlParser(Sink sink) : m_state(std::make_unique<State>()) {
  m_state->sink = std::move(sink);
  m_state->parser = XML_ParserCreate(nullptr);
  XML_SetUserData(m_state->parser, m_state.get());
  XML_SetElementHandler(m_state->parser, &State::on_start, &State::on_end);
  XML_SetCharacterDataHandler(m_state->parser, &State::on_text);
}

ValgrindXmlParser::~ValgrindXmlParser() { XML_ParserFree(m_state->parser); }

bool ValgrindXmlParser::feed(std::string_view chunk) {
  if (m_state->failed) return false;
  if (XML_Parse(m_state->parser, chunk.data(), static_cast<int>(chunk.size()), XML_FALSE) == XML_STATUS_ERROR) {
    m_state->failed = true;
    m_state->report.problem = fmt::format("malformed XML at line {}: {}", XML_GetCurrentLineNumber(m_state->parser),
                                          XML_ErrorString(XML_GetErrorCode(m_state->parser)));
    return false;
  }
  return true;
}

ValgrindReport ValgrindXmlParser::parse_file(std::FILE* file) {
  constexpr int k_chunk = 256 * 1024;
  while (!m_state->failed) {
    if (util::interrupted()) {  // Ctrl-C: stop within a chunk, keep what was parsed
      m_state->failed = true;
      m_state->report.problem = "interrupted";
      break;
    }
    void* buffer = XML_GetBuffer(m_state->parser, k_chunk);
    if (!buffer) break;
    const auto n = std::fread(buffer, 1, k_chunk, file);
    if (n == 0) break;
    if (XML_ParseBuffer(m_state->parser, static_cast<int>(n), XML_FALSE) == XML_STATUS_ERROR) {
      m_state->failed = true;
      m_state->report.problem = fmt::format("malformed XML at line {}: {}", XML_GetCurrentLineNumber(m_state->parser),
                                            XML_ErrorString(XML_GetErrorCode(m_state->parser)));
    }
  }
  return finish();
}

ValgrindReport ValgrindXmlParser::finish() {
  if (!m_state->failed && XML_Parse(m_state->parser, "", 0, XML_TRUE) == XML_STATUS_ERROR && !m_state->report.complete)
    m_state->report.problem = fmt::format("truncated XML: {} at line {}", XML_ErrorString(XML_GetErrorCode(m_state->parser)),
                                          XML_GetCurrentLineNumber(m_state->parser));
  if (!m_state->report.complete && m_state->report.problem.empty()) m_state->report.problem = "truncated XML";
  return std::move(m_state->report);
}

namespace {
util::Result<ValgrindReport> check_protocol(ValgrindReport report) {
  if (report.protocol_version == 0 && report.errors.empty() && !report.complete)
    return util::make_error(report.problem.empty() ? "not a Valgrind XML document" : report.problem);
  if (report.protocol_version != 0 && (report.protocol_version < 4 || report.protocol_version > 6))
    return util::make_error(fmt::format("unsupported Valgrind XML protocol version {}", report.protocol_version));
  return report;
}
}  // namespace

util::Result<ValgrindReport> valgrind_xml(std::string_view text) {
  ValgrindXmlParser parser;
  parser.feed(text);
  return check_protocol(parser.finish());
}

util::Result<ValgrindReport> valgrind_xml_file(const std::string& path, ValgrindXmlParser::Sink sink) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return util::make_error(fmt::format("{}: cannot open Valgrind XML report", path));
  ValgrindXmlParser parser(std::move(sink));
  auto report = parser.parse_file(file);
  std::fclose(file);
  return check_protocol(std::move(report));
}

}  // namespace harness::parse
