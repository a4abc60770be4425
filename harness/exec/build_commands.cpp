#include "harness/exec/build_commands.hpp"

#include "harness/exec/recorded_inputs.hpp"
#include "harness/exec/strays.hpp"

#include "harness/exec/tool_commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace harness::exec {
namespace fs = std::filesystem;

std::string job_dir(const std::string& out_dir, const std::string& suite, const std::string& feature, const std::string& tool) {
  return out_dir + "/jobs/" + suite + "/" + feature + "/" + tool;
}

std::string batch_dir(const std::string& out_dir, const std::string& suite, model::Tool tool, int number) {
  return fmt::format("{}/batches/{}/{}-{}", out_dir, suite, model::name(tool), number);
}

std::string build_dir(const std::string& out_dir, const std::string& suite, model::Flavour flavour) {
  return fmt::format("{}/build/{}/{}", out_dir, suite, model::name(flavour));
}

std::string library_dir(const std::string& out_dir, const std::string& suite, model::Flavour flavour) {
  return fmt::format("{}/lib/{}/{}", out_dir, suite, model::name(flavour));
}

std::string library_file(const std::string& out_dir, const model::SuiteSpec& suite, model::Flavour flavour) {
  if (suite.library.kind == model::LibraryKind::build)
    return library_dir(out_dir, suite.name, flavour) + "/lib" + suite.library.build.name + ".so";
  if (suite.library.kind == model::LibraryKind::path) return suite.library.path;
  return {};
}

std::string runtime_dir(const std::string& out_dir) { return out_dir + "/runtime"; }

PackageFlags split_package_flags(std::string_view text) {
  PackageFlags flags;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) {
    if (util::starts_with(word, "-l") || util::starts_with(word, "-L") || util::starts_with(word, "-Wl"))
      flags.libs.push_back(word);
    else
      flags.cflags.push_back(word);
  }
  return flags;
}

std::vector<std::string> include_flags(const model::SuiteSpec& suite) {
  std::vector<std::string> flags;
  for (const auto& dir : suite.library.include_dirs) flags.push_back("-I" + dir);
  return flags;
}

Command library_compile(const model::SuiteSpec& suite, model::Flavour flavour, const std::string& source,
                        const std::string& object) {
  const auto language = util::ends_with(source, ".c") ? model::Language::c : model::Language::cxx;
  Command c;
  c.argv = {compiler_for(suite.compiler, language), "-c", "-fPIC"};
  util::append(c.argv, base_flags(suite.compiler, language, CodeOrigin::library));
  util::append(c.argv, flavour_flags(flavour));
  util::append(c.argv, cxx_sync_flags(flavour, language));
  util::append(c.argv, compiler_workaround_flags(suite.compiler, flavour, language));
  util::append(c.argv, include_flags(suite));
  util::append(c.argv, suite.library.build.cflags);
  c.argv.insert(c.argv.end(), {source, "-o", object});
  return c;
}

Command library_link(const model::SuiteSpec& suite, model::Flavour flavour, const std::vector<std::string>& objects,
                     const std::string& dir, bool any_cxx) {
  Command link;
  link.argv = {compiler_for(suite.compiler, any_cxx ? model::Language::cxx : model::Language::c), "-shared", "-pthread"};
  util::append(link.argv, flavour_flags(flavour));
  util::append(link.argv, objects);
  link.argv.insert(link.argv.end(), {"-o", dir + "/lib" + suite.library.build.name + ".so"});
  util::append(link.argv, suite.library.build.ldflags);
  return link;
}

Command feature_compile(const model::SuiteSpec& suite, const model::FeatureSpec& feature, model::Flavour flavour,
                        const std::string& out_dir, const PackageFlags& package, const std::string& source,
                        const std::string& object) {
  const auto language = feature.language.value_or(suite.language);
  Command c;
  c.argv = {compiler_for(suite.compiler, language), "-c"};
  util::append(c.argv, base_flags(suite.compiler, language, CodeOrigin::driver));
  util::append(c.argv, flavour_flags(flavour));
  util::append(c.argv, cxx_sync_flags(flavour, language));
  util::append(c.argv, compiler_workaround_flags(suite.compiler, flavour, language));
  c.argv.push_back("-I" + runtime_dir(out_dir));
  util::append(c.argv, include_flags(suite));
  util::append(c.argv, package.cflags);
  util::append(c.argv, suite.cflags);
  util::append(c.argv, feature.cflags);
  c.argv.insert(c.argv.end(), {source, "-o", object});
  return c;
}

Command main_compile(const model::SuiteSpec& suite, model::Flavour flavour, const std::string& out_dir, const std::string& source,
                     const std::string& object) {
  Command c;
  c.argv = {compiler_for(suite.compiler, model::Language::c), "-c"};
  util::append(c.argv, base_flags(suite.compiler, model::Language::c, CodeOrigin::driver));
  util::append(c.argv, flavour_flags(flavour));
  c.argv.push_back("-I" + runtime_dir(out_dir));
  c.argv.insert(c.argv.end(), {source, "-o", object});
  return c;
}

Command localize_symbols(const std::string& object, const std::string& symbol_list_file) {
  Command c;
  c.argv = {"objcopy", "--localize-symbols=" + symbol_list_file, object};
  return c;
}

Command driver_link(const model::SuiteSpec& suite, model::Flavour flavour, const std::vector<std::string>& objects,
                    const std::string& output, const std::string& lib_dir, const PackageFlags& package, bool any_cxx,
                    const std::vector<std::string>& extra_ldflags) {
  Command c;
  c.argv = {compiler_for(suite.compiler, any_cxx ? model::Language::cxx : model::Language::c), "-pthread", "-g"};
  util::append(c.argv, flavour_flags(flavour));
  util::append(c.argv, objects);
  c.argv.insert(c.argv.end(), {"-o", output});
  if (suite.library.kind == model::LibraryKind::build) {
    c.argv.insert(c.argv.end(), {"-L" + lib_dir, "-l" + suite.library.build.name, "-Wl,-rpath," + lib_dir});
  } else if (suite.library.kind == model::LibraryKind::path) {
    c.argv.push_back(suite.library.path);
    c.argv.push_back("-Wl,-rpath," + fs::path(suite.library.path).parent_path().string());
  }
  util::append(c.argv, package.libs);
  util::append(c.argv, driver_link_flags(suite.compiler, flavour));
  util::append(c.argv, suite.ldflags);
  util::append(c.argv, extra_ldflags);
  return c;
}

Command unit_command(const UnitCommandInput& input) {
  auto command = tool_command(input.tool, input.driver, input.dir, input.host);
  if (!input.runtime_suppressions.empty() && model::info(input.tool).family == model::ToolFamily::valgrind) {
    auto at = std::find(command.argv.begin(), command.argv.end(), std::string("--"));
    command.argv.insert(at, "--suppressions=" + input.runtime_suppressions);
  }
  util::append(command.argv, input.features);
  for (const auto& [k, v] : input.env) command.env.insert_or_assign(k, v);
  command.env["SOHOUND_TOOL"] = std::string(model::name(input.tool));
  command.env[k_feature_slot_variable] = k_feature_slot_zeros;  // whose a process left running is
  const auto& info = model::info(input.tool);
  if (info.family == model::ToolFamily::sanitizer)
    command.env["SOHOUND_REPORT_FILE"] = fmt::format("{}/{}.report", input.dir, info.log_prefix);
  if (input.tool == model::Tool::memcheck && !input.host.loader_clocks.empty())
    command.env["SOHOUND_LOADER_CLOCKS"] = input.host.loader_clocks;
  if (input.features.size() > 1 && input.feature_timeout_s > 0)
    command.env["SOHOUND_FEATURE_TIMEOUT_MS"] = std::to_string(static_cast<long long>(std::ceil(input.feature_timeout_s * 1000)));
  return command;
}

Command program_command(model::Tool tool, const model::ProgramSpec& program, const std::string& dir,
                        const std::map<std::string, std::string>& env, const HostFacts& host,
                        const std::string& runtime_suppressions, const std::string& channel_preload) {
  const auto& info = model::info(tool);
  const auto binary = program.program_for(info.flavour);
  if (binary.empty()) return {};
  auto command = tool_command(tool, binary, dir, host);
  command.env.erase("SOHOUND_DONE_FILE");  // only generated drivers write it
  if (info.family == model::ToolFamily::valgrind) {
    auto at = std::find(command.argv.begin(), command.argv.end(), std::string("--"));
    std::vector<std::string> options = {"--trace-children=yes"};
    if (!program.skip_children.empty()) options.push_back("--trace-children-skip=" + util::join(program.skip_children, ","));
    if (!runtime_suppressions.empty()) options.push_back("--suppressions=" + runtime_suppressions);
    // --child-silent-after-fork stays: a forked child writes into its parent's XML file until it
    // execs (two documents in one file, measured); after exec it has a report of its own.
    command.argv.insert(at, options.begin(), options.end());
  }
  // A build started its own way (sohound ctest: that build's listing) brings its own command line,
  // folder and environment; the others differ from the plain build in their executable only.
  const auto setup = program.setups.find(info.flavour);
  const auto& argv = setup != program.setups.end() ? setup->second.argv : program.argv;
  command.argv.insert(command.argv.end(), argv.begin() + 1, argv.end());
  if (!program.gtest_case.empty()) {
    command.argv.push_back("--gtest_filter=" + program.gtest_case);
    command.env["GTEST_TOTAL_SHARDS"] = "1";
    command.env["GTEST_SHARD_INDEX"] = "0";
  }
  const auto& cwd = setup != program.setups.end() ? setup->second.cwd : program.cwd;
  if (!cwd.empty()) command.cwd = cwd;
  for (const auto& [k, v] : env) command.env.insert_or_assign(k, v);
  // Unset names leave the inherited environment only: what the tool or the test sets stays set.
  const auto& own = setup != program.setups.end() ? setup->second.env : program.env;
  for (const auto& [k, v] : own.set) command.env.insert_or_assign(k, v);
  command.unset_env = own.unset;
  if (info.family == model::ToolFamily::sanitizer && !channel_preload.empty()) {
    command.env["SOHOUND_TOOL"] = std::string(info.name);
    command.env["SOHOUND_REPORT_FILE"] = fmt::format("{}/{}.report", dir, info.log_prefix);
    auto& preload = command.env["LD_PRELOAD"];
    preload = preload.empty() ? channel_preload : channel_preload + ":" + preload;
    // The channel library is preloaded before a runtime that is a shared library (its hooks must
    // come first); it runs LeakSanitizer's exit-time check itself, before its completion record.
    if (tool == model::Tool::asan) command.env["ASAN_OPTIONS"] += ":verify_asan_link_order=0:leak_check_at_exit=0";
  }
  return command;
}

void record_inputs(Command& command, const model::ProgramSpec& program, const std::string& binary, const std::string& dir,
                   const std::string& recorder) {
  if (command.argv.empty() || recorder.empty()) return;
  std::error_code ec;
  auto executable = fs::weakly_canonical(binary, ec).string();
  std::string first_argument = program.argv.size() > 1 ? program.argv[1] : std::string();
  bool has_first = program.argv.size() > 1;
  // A script runs as its interpreter, given (the interpreter's own argument or) the script.
  const auto head = util::read_file_ends(binary, 256, 0);
  if (util::starts_with(head, "#!")) {
    const auto line = util::trim(head.substr(2, head.find('\n') == std::string::npos ? std::string::npos : head.find('\n') - 2));
    const auto space = line.find_first_of(" \t");
    executable = fs::weakly_canonical(std::string(line.substr(0, space)), ec).string();
    first_argument = space == std::string::npos ? binary : std::string(util::trim(line.substr(space + 1)));
    has_first = true;
  }
  command.env["SOHOUND_RECORD_FILE"] = dir + "/" + k_record_file;
  command.env["SOHOUND_RECORD_PROGRAM"] = executable;
  if (has_first) command.env["SOHOUND_RECORD_ARG1"] = first_argument;
  command.env["SOHOUND_RECORD_ARMED"] = "0";  // the program's process makes it 1 for its descendants
  auto& preload = command.env["LD_PRELOAD"];
  preload = preload.empty() ? recorder : preload + ":" + recorder;
}

std::map<std::string, std::string> add_native_suppressions(const model::SuiteSpec& suite, model::Tool tool, Command& command,
                                                           const std::string& dir) {
  std::map<std::string, std::string> files_to_write;
  const auto& native = suite.native_suppressions;
  std::vector<std::string> files;
  for (auto key : model::native_suppression_keys(tool))
    if (auto it = native.find(std::string(key)); it != native.end()) util::append(files, it->second);
  if (files.empty()) return files_to_write;
  const auto& info = model::info(tool);
  if (info.family == model::ToolFamily::valgrind) {
    // Before "-- driver features...".
    auto at = std::find(command.argv.begin(), command.argv.end(), std::string("--"));
    for (const auto& file : files) at = command.argv.insert(at, "--suppressions=" + file) + 1;
    return files_to_write;
  }
  // A sanitizer reads one file: the spec's files, concatenated.
  std::string combined;
  for (const auto& file : files) combined += util::read_file_or_empty(file) + "\n";
  const auto path = fmt::format("{}/{}.supp", dir, info.native_suppressions);
  files_to_write[path] = combined;
  auto& options_value = command.env[std::string(info.options_variable)];
  options_value += std::string(options_value.empty() ? "" : ":") + "suppressions=" + sanitizer_option_value(path);
  return files_to_write;
}

}  // namespace harness::exec
