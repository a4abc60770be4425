// `sohound exec -- PROGRAM ARGS...`: a one-off run of an existing program under the tools, as a
// suite of one program (model::ProgramSpec) built from the command line.
#include "harness/cli/commands.hpp"
#include "harness/util/files.hpp"

#include <fmt/format.h>

#include <filesystem>

#include <unistd.h>

namespace harness::cli {
namespace fs = std::filesystem;

namespace {

// PROGRAM as a shell would find it: a path when it holds '/', else on PATH. "" when not found.
std::string find_program(const std::string& program) {
  std::error_code ec;
  if (program.find('/') != std::string::npos) {
    const auto path = fs::absolute(program, ec).lexically_normal();
    return !ec && fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0 ? path.string() : std::string();
  }
  return util::find_on_path(program);
}

bool valid_feature_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 100) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

}  // namespace

int exec_command(const ExecOptions& exec, RunOptions run) {
  if (exec.argv.empty()) {
    fmt::print(stderr, "sohound exec: name the program to run after '--': sohound exec [options] -- PROGRAM ARGS...\n");
    return k_exit_usage;
  }
  model::ProgramSpec program;
  program.argv = exec.argv;
  program.argv.front() = find_program(exec.argv.front());
  if (program.argv.front().empty()) {
    fmt::print(stderr, "sohound exec: program '{}' {}\n", exec.argv.front(),
               exec.argv.front().find('/') == std::string::npos ? "is not on PATH" : "does not exist or is not executable");
    return k_exit_usage;
  }
  for (const auto& [flavour, path] : {std::pair{model::Flavour::asan, exec.asan}, std::pair{model::Flavour::tsan, exec.tsan},
                                      std::pair{model::Flavour::ubsan, exec.ubsan}}) {
    if (path.empty()) continue;
    program.builds[flavour] = find_program(path);
    if (program.builds[flavour].empty()) {
      fmt::print(stderr, "sohound exec: --{} '{}' does not exist or is not executable\n", model::name(flavour), path);
      return k_exit_usage;
    }
  }
  std::error_code ec;
  if (!exec.cwd.empty()) {
    program.cwd = fs::absolute(exec.cwd, ec).lexically_normal().string();
    if (!fs::is_directory(program.cwd, ec)) {
      fmt::print(stderr, "sohound exec: --cwd '{}' is not a folder\n", exec.cwd);
      return k_exit_usage;
    }
  }
  program.exit_status = exec.exit_status;
  program.build_hint = "sohound exec --{} PATH";
  program.skip_children = exec.skip_children;
  if (exec.gtest) program.origin = "gtest";

  model::FeatureSpec feature;
  feature.name = exec.name.empty() ? fs::path(exec.argv.front()).filename().string() : exec.name;
  if (!valid_feature_name(feature.name)) {
    fmt::print(stderr, "sohound exec: '{}' cannot name a job (letters, digits, '_', '.', '-'); give --name\n", feature.name);
    return k_exit_usage;
  }
  feature.timeout_s = exec.timeout_s;
  feature.isolation = model::Isolation::process;
  feature.program = std::move(program);
  model::SuiteSpec suite;
  suite.name = "exec";
  suite.file = "sohound exec";
  suite.dir = fs::current_path(ec).string();
  suite.timeout_s = exec.timeout_s;
  suite.features.push_back(std::move(feature));
  run.suites.push_back(std::move(suite));
  return run_command(run);
}

}  // namespace harness::cli
