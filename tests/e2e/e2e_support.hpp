// Helpers for end-to-end tests: read a fixture run's results.json, find jobs and findings, run
// the sohound binary and capture what it prints.
#pragma once

#include <gtest/gtest.h>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

namespace e2e {

using nlohmann::json;

inline const json& results(const std::string& run) {
  static std::map<std::string, json> cache;
  auto it = cache.find(run);
  if (it == cache.end()) {
    std::ifstream in(std::string(SOHOUND_E2E_OUT) + "/" + run + "/results.json");
    json data = in ? json::parse(in) : json::object();
    it = cache.emplace(run, std::move(data)).first;
  }
  return it->second;
}

inline const json* job(const std::string& run, const std::string& feature, const std::string& tool) {
  const auto& r = results(run);
  if (!r.contains("jobs")) return nullptr;
  for (const auto& j : r["jobs"])
    if (j["feature"] == feature && j["tool"] == tool) return &j;
  return nullptr;
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

inline Output run_sohound(const std::string& args, const std::string& env = "") {
  const std::string command = env + " " + SOHOUND_BIN + " " + args + " 2>&1";
  Output out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.text.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace e2e
