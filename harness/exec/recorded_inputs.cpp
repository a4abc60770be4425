#include "harness/exec/recorded_inputs.hpp"

#include "harness/exec/result_cache.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include <fcntl.h>
#include <sys/stat.h>

namespace harness::exec {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_max_record_bytes = 16u << 20;
constexpr std::size_t k_max_inputs = 20000;
constexpr std::size_t k_max_tree_entries = 50000;

constexpr char letter(InputKind kind) {
  switch (kind) {
    case InputKind::file:
      return 'f';
    case InputKind::probe:
      return 'p';
    case InputKind::listing:
      return 'l';
    case InputKind::tree:
      return 't';
    case InputKind::glob:
      return 'g';
  }
  return '?';
}

std::optional<InputKind> kind_of(char c) {
  for (auto kind : {InputKind::file, InputKind::probe, InputKind::listing, InputKind::tree, InputKind::glob})
    if (letter(kind) == c) return kind;
  return std::nullopt;
}

// How much a kind says about a path: an open says more than a listing, a listing more than a stat.
int strength(InputKind kind) {
  switch (kind) {
    case InputKind::file:
      return 3;
    case InputKind::listing:
      return 2;
    case InputKind::probe:
      return 1;
    default:
      return 0;
  }
}

bool is_process_exe(const std::string& path) {
  if (path == "/proc/self/exe") return true;
  if (!util::starts_with(path, "/proc/") || !util::ends_with(path, "/exe")) return false;
  const auto middle = path.substr(6, path.size() - 10);
  return !middle.empty() && std::all_of(middle.begin(), middle.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Devices whose content no run sees twice and no key could name: /dev/null and /dev/zero read the
// same every time; the kernel's random sources never do, which is what a program reading them asks
// for (as one calling getrandom(2), which no file list sees). The cache treats both as it treats the
// clock: the cached result is the recorded run's.
bool is_content_free_device(const std::string& path) {
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"})
    if (path == device) return true;
  return false;
}

bool is_system_path(const std::string& path) {
  for (const char* root : {"/proc", "/sys", "/dev"})
    if (util::is_within(path, root)) return true;
  return false;
}

struct Line {
  char op = 0;
  long pid = 0;
  long number = 0;
  std::string path;
};

std::optional<Line> parse_line(std::string_view text) {
  Line line;
  std::string_view fields[3];
  for (auto& field : fields) {
    const auto tab = text.find('\t');
    if (tab == std::string_view::npos) return std::nullopt;
    field = text.substr(0, tab);
    text.remove_prefix(tab + 1);
  }
  if (fields[0].size() != 1) return std::nullopt;
  line.op = fields[0][0];
  auto number = [](std::string_view s, long& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (!number(fields[1], line.pid) || !number(fields[2], line.number)) return std::nullopt;
  line.path = std::string(text);
  return line;
}

std::string normal(const std::string& path) {
  auto text = fs::path(path).lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

// Reads the lines of one record in order.
class RecordReader {
 public:
  explicit RecordReader(const std::vector<std::string>& ignored) : m_ignored(ignored) {}

  void read(const Line& line) {
    if (line.op == 'N') return refuse(line.path);
    if (line.op == 'G') return void(m_globs.push_back(line.path));
    const auto path = normal(line.path);
    switch (line.op) {
      case 'H':
        m_hello = true;
        m_pending.erase(line.pid);
        return input(path, InputKind::file);
      case 'X':
        if (line.pid >= 0) m_pending[line.pid] = path;
        return input(path, InputKind::file);
      case 'F':
        return void(m_pending.erase(line.pid));
      case 'O':
        return open(path, line.number);
      case 'P':
        return input(path, InputKind::probe);
      case 'D':
        return input(path, InputKind::listing);
      case 'T':
        return input(path, InputKind::tree);
      case 'L':
        return input(path, InputKind::file);
      case 'W':
      case 'M':
        return output(path);
      default:
        return refuse("its record of what it opened is damaged");
    }
  }

  RecordedInputs finish() {
    if (!m_hello)
      refuse(
          "the program did not load Sohound's recorder (a static program, or one the loader does not preload into, "
          "such as a set-user-ID program): what it read is not known");
    if (!m_pending.empty())
      refuse(
          fmt::format("it ran {}, which did not load Sohound's recorder (a static or set-user-ID program): what that read "
                      "is not known",
                      m_pending.begin()->second));
    for (const auto& [path, state] : m_paths)
      if (state.output) check_written_into_read_folder(path);
    RecordedInputs out;
    if (m_paths.size() + m_globs.size() > k_max_inputs)
      refuse(fmt::format("it opened more than {} paths: too many to key a cache entry on", k_max_inputs));
    if (!m_why.empty()) {
      out.uncacheable = m_why;
      return out;
    }
    for (const auto& [path, state] : m_paths)
      if (state.input && !state.output) out.inputs.push_back({*state.input, path});
    for (const auto& pattern : m_globs) out.inputs.push_back({InputKind::glob, pattern});
    std::sort(out.inputs.begin(), out.inputs.end(),
              [](const RecordedInput& a, const RecordedInput& b) { return std::tie(a.path, a.kind) < std::tie(b.path, b.kind); });
    out.inputs.erase(std::unique(out.inputs.begin(), out.inputs.end()), out.inputs.end());
    return out;
  }

  void refuse(std::string why) {
    if (m_why.empty()) m_why = std::move(why);
  }

 private:
  struct PathState {
    std::optional<InputKind> input;
    bool output = false;  // made or changed before it was read: the program's own
  };

  bool ignored(const std::string& path) const {
    return std::any_of(m_ignored.begin(), m_ignored.end(), [&](const std::string& root) { return util::is_within(path, root); });
  }

  void input(const std::string& path, InputKind kind) {
    if (ignored(path) || is_content_free_device(path) || is_process_exe(path)) return;
    if (is_system_path(path))
      return refuse(fmt::format("it read {}, a system file whose content is not what the program saw when it ran", path));
    auto& state = m_paths[path];
    if (state.output) return;
    if (!state.input || (kind == InputKind::tree || strength(kind) > strength(*state.input))) state.input = kind;
  }

  void output(const std::string& path) {
    if (ignored(path) || is_system_path(path)) return;
    auto& state = m_paths[path];
    if (state.input && !state.output)
      return refuse(fmt::format("it changed {} after reading it: its next run would not see what this one saw", path));
    state.output = true;
  }

  void open(const std::string& path, long number) {
    const int flags = static_cast<int>(number & ((1L << 30) - 1));
    const bool existed = (number >> 30) & 1;
    const int access = flags & O_ACCMODE;
    if (access == O_RDONLY) return input(path, InputKind::file);
    if (access == O_RDWR && existed && !(flags & O_TRUNC) && !m_paths[path].output && !ignored(path) && !is_system_path(path))
      return refuse(fmt::format("it opened {} to read and change it: its next run would not see what this one saw", path));
    output(path);
  }

  // A file made in a folder the program listed changes that listing for its next run.
  void check_written_into_read_folder(const std::string& path) {
    for (auto parent = fs::path(path).parent_path(); !parent.empty() && parent != parent.root_path();
         parent = parent.parent_path()) {
      const auto it = m_paths.find(parent.string());
      if (it == m_paths.end() || !it->second.input || it->second.output) continue;
      const auto kind = *it->second.input;
      std::error_code ec;
      const bool listed =
          kind == InputKind::tree || (parent == fs::path(path).parent_path() &&
                                      (kind == InputKind::listing || (kind == InputKind::file && fs::is_directory(parent, ec))));
      if (listed)
        return refuse(fmt::format("it made {} in a folder it had listed: its next run would not see what this one saw", path));
    }
  }

  const std::vector<std::string>& m_ignored;
  std::map<std::string, PathState> m_paths;
  std::vector<std::string> m_globs;
  std::map<long, std::string> m_pending;  // exec'd, no hello yet
  bool m_hello = false;
  std::string m_why;
};

void hash_listing(Hasher& h, const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string() + (it->is_directory(ec) ? "/" : ""));
  std::sort(names.begin(), names.end());
  h.add(fmt::format("{} entries", names.size()));
  for (const auto& name : names) h.add(name);
}

void hash_tree(Hasher& h, const std::string& dir) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end && entries.size() < k_max_tree_entries; it.increment(ec)) {
    const auto relative = it->path().lexically_relative(dir).string();
    std::error_code e2;
    if (it->is_directory(e2))
      entries.push_back(relative + "/");
    else
      entries.push_back(fmt::format("{} {}", relative, it->is_regular_file(e2) ? it->file_size(e2) : 0));
  }
  std::sort(entries.begin(), entries.end());
  h.add(fmt::format("{} entries", entries.size()));
  for (const auto& entry : entries) h.add(entry);
}

}  // namespace

RecordedInputs read_record(std::string_view text, const std::vector<std::string>& ignored) {
  RecordReader reader(ignored);
  if (text.size() > k_max_record_bytes) {
    reader.refuse("it opened too much to record");
    return reader.finish();
  }
  for (const auto& raw : util::split_lines(text)) {
    if (raw.empty()) continue;
    const auto line = parse_line(raw);
    if (!line) {
      reader.refuse("its record of what it opened is damaged");
      break;
    }
    reader.read(*line);
  }
  return reader.finish();
}

void hash_input_state(Hasher& h, const std::vector<RecordedInput>& inputs) {
  for (const auto& input : inputs) {
    h.add(std::string(1, letter(input.kind))).add(input.path);
    struct stat st {};
    const bool exists = input.kind != InputKind::glob && ::stat(input.path.c_str(), &st) == 0;
    switch (input.kind) {
      case InputKind::file:
        if (!exists)
          h.add("absent");
        else if (S_ISREG(st.st_mode))
          h.add("file").add_file(input.path);
        else if (S_ISDIR(st.st_mode))
          hash_listing(h.add("folder"), input.path);
        else
          h.add(fmt::format("special {:o}", st.st_mode & S_IFMT));
        break;
      case InputKind::probe:
        if (!exists)
          h.add("absent");
        else if (S_ISDIR(st.st_mode))
          h.add("folder");
        else if (S_ISREG(st.st_mode))
          h.add(fmt::format("file {}", st.st_size));
        else
          h.add(fmt::format("special {:o}", st.st_mode & S_IFMT));
        break;
      case InputKind::listing:
        if (!exists || !S_ISDIR(st.st_mode))
          h.add(exists ? "not a folder" : "absent");
        else
          hash_listing(h, input.path);
        break;
      case InputKind::tree:
        if (!exists || !S_ISDIR(st.st_mode))
          h.add(exists ? "not a folder" : "absent");
        else
          hash_tree(h, input.path);
        break;
      case InputKind::glob: {
        auto matches = util::glob_files(input.path);
        std::sort(matches.begin(), matches.end());
        h.add(util::join(matches, "\n"));
        break;
      }
    }
  }
}

std::string encode_manifest(const std::vector<RecordedInput>& inputs) {
  std::string text;
  for (const auto& input : inputs) text += fmt::format("{}\t{}\n", letter(input.kind), input.path);
  return text;
}

std::optional<std::vector<RecordedInput>> decode_manifest(std::string_view text) {
  std::vector<RecordedInput> inputs;
  for (const auto& line : util::split_lines(text)) {
    if (line.empty()) continue;
    const auto kind = line.size() > 2 && line[1] == '\t' ? kind_of(line[0]) : std::nullopt;
    if (!kind) return std::nullopt;
    inputs.push_back({*kind, std::string(line.substr(2))});
  }
  return inputs;
}

}  // namespace harness::exec
