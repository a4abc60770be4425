#include "harness/exec/output_dir.hpp"

#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace harness::exec {
namespace fs = std::filesystem;

namespace {

std::string describe(const std::error_code& ec) { return ec.message(); }

// A folder written by a Sohound from before the mark: results.json of its schema, and the driver
// runtime every run writes (a results.json copied into a folder of the user's does not make it ours).
bool legacy_output(const std::string& path) {
  if (!fs::is_regular_file(path + "/runtime/sohound_rt.h")) return false;
  const auto head = util::read_file_ends(path + "/results.json", 256, 0);
  return head.find("\"schema\": \"sohound.results/1\"") != std::string::npos ||
         head.find("\"schema\":\"sohound.results/1\"") != std::string::npos;
}

}  // namespace

util::Result<OutputDir> OutputDir::claim(const std::string& requested, bool* busy) {
  if (busy) *busy = false;
  if (requested.empty()) return util::make_error("sohound: --out is empty; name a folder for the results");
  std::error_code ec;
  auto absolute = fs::absolute(requested, ec).lexically_normal();
  if (ec) return util::make_error(fmt::format("sohound: --out '{}': {}", requested, describe(ec)));
  auto path = absolute.string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/") return util::make_error("sohound: --out '/' would write into the root folder; name a folder of its own");
  // The path is passed to the tools: sanitizer options can quote ' or " but not both, and no tool
  // takes a line break in a file name.
  if (path.find_first_of("\n\r") != std::string::npos ||
      (path.find('"') != std::string::npos && path.find('\'') != std::string::npos))
    return util::make_error(fmt::format(
        "sohound: --out '{}' holds a line break, or both kinds of quote, which the sanitizers' options cannot carry", requested));

  const auto status = fs::symlink_status(path, ec);
  const bool exists = !ec && status.type() != fs::file_type::not_found;
  if (exists && fs::is_symlink(status))
    return util::make_error(fmt::format("sohound: --out '{}' is a symbolic link; name the folder itself", requested));
  if (exists && !fs::is_directory(status))
    return util::make_error(fmt::format("sohound: --out '{}' exists and is not a folder", requested));
  if (exists && !fs::exists(fs::path(path) / k_marker) && !legacy_output(path)) {
    // A folder Sohound did not make: take it only when it is empty.
    auto it = fs::directory_iterator(path, ec);
    if (ec) return util::make_error(fmt::format("sohound: --out '{}': cannot read it: {}", requested, describe(ec)));
    if (it != fs::directory_iterator())
      return util::make_error(
          fmt::format("sohound: --out '{}' holds files Sohound did not write (it has no {} mark); Sohound writes and deletes "
                      "only in its own folders: name a new or empty folder",
                      requested, k_marker));
  }
  if (!exists) {
    fs::create_directories(path, ec);
    if (ec) return util::make_error(fmt::format("sohound: --out '{}': cannot create it: {}", requested, describe(ec)));
  }
  const auto lock_path = path + "/" + std::string(k_lock);
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return util::make_error(fmt::format("sohound: --out '{}': cannot write in it: {}", requested, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      if (busy) *busy = true;
      return util::make_error(fmt::format(
          "sohound: another Sohound run is writing to --out '{}'; wait for it to finish or name another folder", requested));
    }
    return util::make_error(fmt::format("sohound: --out '{}': cannot lock it: {}", requested, std::strerror(err)));
  }
  if (!fs::exists(fs::path(path) / k_marker) &&
      !util::write_file(path + "/" + std::string(k_marker),
                        "This folder was created by Sohound (sohound run --out). Sohound may replace anything in "
                        "it on the next run into it.\n")) {
    ::close(fd);
    return util::make_error(fmt::format("sohound: --out '{}': cannot write in it", requested));
  }
  return OutputDir(path, fd);
}

OutputDir::OutputDir(OutputDir&& other) noexcept : m_path(std::move(other.m_path)), m_lock_fd(other.m_lock_fd) {
  other.m_lock_fd = -1;
}

OutputDir::~OutputDir() {
  if (m_lock_fd >= 0) ::close(m_lock_fd);  // releases the flock
}

void OutputDir::check_inside(const std::string& dir) const {
  if (dir == m_path || !util::is_within(dir, m_path) || fs::path(dir).lexically_normal() != fs::path(dir))
    throw std::runtime_error(fmt::format("refusing to touch {}: it is not inside the output folder {}", dir, m_path));
}

void OutputDir::recreate(const std::string& dir) const {
  check_inside(dir);
  // remove_all does not follow a symbolic link at `dir` itself; the check above resolved its parents.
  fs::remove_all(dir);
  fs::create_directories(dir);
}

void OutputDir::create(const std::string& dir) const {
  check_inside(dir);
  fs::create_directories(dir);
}

std::vector<Stray> OutputDir::take_over(const std::vector<std::string>& verdict_files) const {
  const auto run_file = m_path + "/" + std::string(k_run_file);
  const auto previous = std::string(util::trim(util::read_file_ends(run_file, 200, 0)));
  auto stopped = kill_run_leftovers(previous);
  util::write_file(run_file, run_token_prefix() + "\n");
  for (const auto& name : verdict_files) {
    std::error_code ec;
    fs::remove(m_path + "/" + name, ec);
  }
  return stopped;
}

void OutputDir::mark_finished() const {
  util::write_file(m_path + "/" + std::string(k_run_file), std::string(k_run_finished) + "\n");
}

}  // namespace harness::exec
