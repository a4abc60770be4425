// Helpers for end-to-end tests: read a fixture run's results.json, find jobs and findings, run
// the sohound binary and capture what it prints.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace e2e {

using nlohmann::json;

// A run's results.json from its output folder (an empty object when there is none).
inline json read_results(const std::string& dir) {
  std::ifstream in(dir + "/results.json");
  return in ? json::parse(in) : json::object();
}

// A fixture run's results (folder `run` under the e2e output), read once.
inline const json& results(const std::string& run) {
  static std::map<std::string, json> cache;
  auto it = cache.find(run);
  if (it == cache.end()) it = cache.emplace(run, read_results(std::string(SOHOUND_E2E_OUT) + "/" + run)).first;
  return it->second;
}

// The job of `feature` (and `tool`, unless empty) in a run's results.
inline const json* job_in(const json& results, const std::string& feature, const std::string& tool = "") {
  if (!results.contains("jobs")) return nullptr;
  for (const auto& j : results["jobs"])
    if (j["feature"] == feature && (tool.empty() || j["tool"] == tool)) return &j;
  return nullptr;
}

inline const json* job(const std::string& run, const std::string& feature, const std::string& tool) {
  return job_in(results(run), feature, tool);
}

// The finding of `kind` whose primary stack holds `function` (exactly, or with a parameter list);
// a reported one before a suppressed one (tool noise inside `function` may be suppressed).
inline const json* finding(const json& job, const std::string& kind, const std::string& function) {
  const json* suppressed = nullptr;
  for (const auto& f : job["findings"]) {
    if (f["kind"] != kind) continue;
    for (const auto& frame : f["stack"]) {
      const std::string fn = frame["function"];
      if (fn != function && fn.rfind(function + "(", 0) != 0) continue;
      if (f["status"] != "suppressed") return &f;
      if (!suppressed) suppressed = &f;
    }
  }
  return suppressed;
}

inline std::string frames_of(const json& job) {
  std::string out;
  for (const auto& f : job["findings"]) {
    out += std::string(f["kind"]) + ":";
    for (const auto& frame : f["stack"]) out += " " + std::string(frame["function"]);
    out += "\n";
  }
  return out;
}

struct Output {
  int exit_code = -1;
  std::string text;  // stdout and stderr together
};

// Every e2e run does its work: no result cache unless a test names one (--cache-dir).
inline void no_default_cache() { ::setenv("SOHOUND_CACHE", "0", 0); }

// Runs a shell command line (which may start sohound several times); what it printed.
inline Output run_sohound_shell(const std::string& line) {
  no_default_cache();
  Output out;
  FILE* pipe = ::popen((line + " 2>&1").c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.text.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

inline Output run_sohound(const std::string& args, const std::string& env = "") {
  return run_sohound_shell(env + " " + SOHOUND_BIN + " " + args);
}

// A file's bytes ("" when it cannot be read), and a file written with its folders made.
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Processes whose command line names the sandbox (drivers, valgrind, children of either).
inline std::vector<std::string> processes_in(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || name == std::to_string(::getpid())) continue;
    auto cmdline = slurp(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    // The folder itself, not one whose name it starts (catalogue/unknown_option is not
    // catalogue/unknown_option_did_you_mean, which a test running beside it uses).
    const auto& path = dir.string();
    for (auto at = cmdline.find(path); at != std::string::npos; at = cmdline.find(path, at + 1)) {
      const auto after = at + path.size();
      if (after == cmdline.size() || cmdline[after] == '/' || cmdline[after] == ' ') {
        found.push_back(name + " " + cmdline);
        break;
      }
    }
  }
  return found;
}

inline void put(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Starts the sohound binary in the background with `args` (no shell); its pid, or 0.
inline pid_t spawn_sohound(std::vector<std::string> args) {
  no_default_cache();
  args.insert(args.begin(), SOHOUND_BIN);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  return ::posix_spawn(&pid, SOHOUND_BIN, nullptr, nullptr, argv.data(), environ) == 0 ? pid : 0;
}

}  // namespace e2e
