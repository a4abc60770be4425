// Subcommands. Each returns the process exit code (docs/results.md, "Exit codes").
#pragma once

#include <string>
#include <vector>

namespace harness::cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_findings = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_infrastructure = 3;

struct RunOptions {
  std::vector<std::string> specs;
  std::vector<std::string> tools;  // names, validated by the command
  int jobs = 0;                    // 0 = number of cores
  std::string out_dir = "sohound-out";
  std::string filter;
  bool progress = true;
};

int run_command(const RunOptions& options);
int check_command(const std::vector<std::string>& specs);

}  // namespace harness::cli
