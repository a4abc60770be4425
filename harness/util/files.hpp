// File I/O the harness does everywhere: bounded reads, atomic writes, and path containment.
// Every file Sohound writes goes through write_file or AtomicFile: a reader (a browser, a CI step,
// a second Sohound) sees the old complete file or the new complete file, never half of one.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace harness::util {

// Reads a whole file; false when it cannot be read.
bool read_file(const std::string& path, std::string& out);
// A file's text, or "" when it cannot be read (for optional outputs such as a tool's log).
std::string read_file_or_empty(const std::string& path);

// Opens `path` for reading only when it is a regular file on a real file system: never a FIFO, a
// device or a socket (which block or never end), and never a file of /proc, /sys or another
// kernel file system, which say they are regular but are generated (/proc/kmsg blocks for ever,
// /proc/kcore is 128 TB). The descriptor is non-blocking and close-on-exec; -1 when refused, with
// `why` ("not a regular file", "a kernel file system's file", or the open error).
int open_regular_file(const std::string& path, std::string* why = nullptr);

// A file's first `head` and last `tail` bytes (joined by one "\n[... N bytes cut ...]\n" line when
// the file is longer), or "" when it cannot be read. For a driver's stderr, which a runaway
// process can grow to gigabytes (ASan's endless "AddressSanitizer:DEADLYSIGNAL").
std::string read_file_ends(const std::string& path, std::size_t head, std::size_t tail);

// Cuts a file longer than head + tail bytes down to its first `head` and last `tail` bytes (as
// read_file_ends joins them). Returns the size it had when it was cut, 0 when it was left alone.
std::uintmax_t cap_file(const std::string& path, std::size_t head, std::size_t tail);

// Writes `text` to a temporary file beside `path` and renames it over `path` (atomic on POSIX).
bool write_file(const std::string& path, std::string_view text);
// write_file, unless `path` already holds exactly `text` (a file rewritten every run that rarely
// changes: reading it is cheaper than replacing it).
bool update_file(const std::string& path, std::string_view text);

// An output stream to a temporary file beside `path`; commit() renames it into place. Destroyed
// without commit(), it removes the temporary file and leaves `path` as it was.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return m_out; }
  bool is_open() const { return m_out.is_open(); }
  // Flushes, checks every write succeeded, renames. False (and nothing replaced) on any failure.
  bool commit();

 private:
  static constexpr std::size_t k_buffer_bytes = 256 * 1024;
  std::string m_path, m_temp;
  std::unique_ptr<char[]> m_buffer;
  std::ofstream m_out;
  bool m_done = false;
};

// True when `path` is `root` or lies below it, comparing the paths as they resolve on disk
// (symbolic links followed for every component that exists; `..` folded). Both must be absolute.
bool is_within(const std::string& path, const std::string& root);

// Where a shell would find `program` on $PATH (default /usr/bin:/bin): the first executable
// regular file of that name; "" when there is none. A name holding '/' is that file itself (as a
// shell takes it), when it is an executable regular file: a compiler or Valgrind given by path.
std::string find_on_path(std::string_view program);

// The regular files matching a shell glob pattern (glob(3): *, ?, [..]), sorted; none when nothing
// matches.
std::vector<std::string> glob_files(const std::string& pattern);

}  // namespace harness::util
