// The catalogue of hostile inputs (issue: hardening): each row runs the real binary in a sandbox
// folder and asserts its exit code, its message (with file:line:col where there is one), that no
// file outside the run's own output folder changed, that no process it started is left, and that
// a secret in its environment appears in no file it wrote.
//
// Faults in code under test are the other half: e2e_faults_test.cpp.
#include "e2e_support.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <sstream>

namespace e2e {
namespace {
namespace fs = std::filesystem;

constexpr const char* k_secret = "sohound-catalogue-secret-7f3a9c";

// Every file, folder and link under `root` (links not followed), with a digest of each file.
std::map<std::string, std::string> snapshot(const fs::path& root, const std::vector<fs::path>& skip) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto& p = it->path();
    if (std::any_of(skip.begin(), skip.end(), [&](const fs::path& s) { return p == s; })) {
      it.disable_recursion_pending();
      continue;
    }
    const auto rel = fs::relative(p, root).string();
    if (it->is_symlink())
      out[rel] = "link:" + fs::read_symlink(p).string();
    else if (it->is_directory())
      out[rel] = "dir";
    else
      out[rel] = "file:" + std::to_string(std::hash<std::string>{}(slurp(p)));
  }
  return out;
}

std::vector<std::string> files_with_secret(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && !it->is_symlink() && it->file_size(ec) < (64u << 20) &&
        slurp(it->path()).find(k_secret) != std::string::npos)
      found.push_back(it->path().string());
  return found;
}

const std::string k_good_spec = R"(suite: good
includes: [stdlib.h]
tools: [memcheck]
features:
  - name: clean
    code: free(malloc(8));
)";

// A spec whose fourth line is "  - name: NAME" (the name starts at column 11).
std::string spec_with_feature(const std::string& name) {
  return "suite: x\nincludes: [stdlib.h]\nfeatures:\n  - name: " + name + "\n    code: free(malloc(8));\n";
}

std::string results_with(const std::string& job_fields) {
  return R"({"schema": "sohound.results/1", "sohound_version": "0", "jobs": [{"suite": "s", "feature": "f", "tool": "memcheck", )" +
         job_fields + "}]}";
}

struct Row {
  std::string name;
  std::map<std::string, std::string> files;  // relative to the sandbox
  std::string args;                          // {d} is the sandbox folder
  int exit_code;
  std::string message;                                    // a regular expression searched in the output ({d} replaced)
  std::vector<std::string> may_change = {"out"};          // folders (relative) the run may write
  std::function<void(const fs::path&)> before = nullptr;  // more set-up (links, locks)
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

// A spec whose cflags use a 1 MB string 20,000 times through one alias (1.1 MB of text; read
// naively, 20 GB).
std::string alias_bomb() {
  std::string text = "suite: x\ncflags: [&big \"" + std::string(1 << 20, 'a') + "\"";
  for (int i = 0; i < 20000; ++i) text += ", *big";
  return text + "]\nfeatures:\n  - name: a\n    code: f();\n";
}

// A spec on a prebuilt system library whose include-dirs are `dirs` (relative to the spec).
std::string library_spec(const std::string& dirs) {
  return "suite: x\nlibrary:\n  path: /usr/lib/x86_64-linux-gnu/libz.so.1\n  include-dirs: " + dirs +
         "\nincludes: [stdlib.h]\ntools: [memcheck]\nfeatures:\n  - name: a\n    code: free(malloc(8));\n";
}

std::vector<Row> input_rows() {
  const std::string deep_json = std::string(200000, '[') + std::string(200000, ']');
  const std::string deep_yaml = "suite: x\nfeatures:\n" + std::string(5000, '[') + std::string(5000, ']') + "\n";
  // A table, one row per case, kept as written.
  // clang-format off
  std::vector<Row> rows = {
      // Names become folders: nothing may escape --out.
      {"suite_named_dotdot", {{"s.yaml", "suite: ..\nfeatures:\n  - name: a\n    code: f();\n"}}, "run {d}/s.yaml --out {d}/user/out", 2,
       R"(s\.yaml:1:8: suite name '\.\.' may only use)"},
      {"feature_named_dotdot", {{"s.yaml", spec_with_feature("..")}}, "run {d}/s.yaml --out {d}/user/out", 2,
       R"(s\.yaml:4:11: feature name '\.\.' may only use)"},
      {"feature_named_dot", {{"s.yaml", spec_with_feature(".")}}, "run {d}/s.yaml --out {d}/out", 2, R"(s\.yaml:4:11: feature name '\.')"},
      {"feature_name_5000_characters", {{"s.yaml", spec_with_feature(std::string(5000, 'a'))}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:4:11: feature name 'a{40}\.\.\. \(5000 characters\)')"},
      {"feature_name_with_slash", {{"s.yaml", spec_with_feature("a/b")}}, "run {d}/s.yaml --out {d}/out", 2, R"(s\.yaml:4:11: feature name 'a/b')"},
      {"library_named_dotdot",
       {{"s.yaml", "suite: x\nlibrary:\n  build:\n    name: ../x\n    sources: [lib.c]\nfeatures:\n  - name: a\n    code: f();\n"},
        {"lib.c", "int f(void) { return 0; }\n"}},
       "run {d}/s.yaml --out {d}/out", 2, R"(s\.yaml:4:11: library name '\.\./x')"},
      {"suite_name_with_space", {{"s.yaml", "suite: a b\nfeatures:\n  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:1:8: suite name 'a b')"},
      // Spec syntax and structure.
      // check compiles every feature as run would: the error at the spec's line (issue 23).
      {"feature_does_not_compile", {{"s.yaml", "suite: x\nincludes: [stdlib.h]\nfeatures:\n  - name: a\n    code: |\n      free(1, 2);\n"}},
       "check {d}/s.yaml", 2, R"(feature 'a' does not compile:[\s\S]*s\.yaml:6:\d+: error: too many arguments to function \S*free)"},
      {"feature_todo", {{"s.yaml", "suite: x\nfeatures:\n  - name: a\n    todo: call the parser\n"}}, "check {d}/s.yaml", 0,
       R"(ok \(suite 'x', 1 feature \(1 not written yet\))"},
      {"yaml_unclosed_bracket", {{"s.yaml", "suite: x\nfeatures: [\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:3:1: )"},
      {"yaml_bad_indentation", {{"s.yaml", "suite: x\nfeatures:\n  - name: a\n   code: f();\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:4:\d+: )"},
      {"yaml_top_level_list", {{"s.yaml", "- a\n- b\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:1:1: )"},
      {"yaml_empty_file", {{"s.yaml", ""}}, "check {d}/s.yaml", 2, R"(s\.yaml:1:1: )"},
      {"yaml_binary_garbage", {{"s.yaml", std::string("\x00\x01\xff\xfe garbage \x00", 14)}}, "check {d}/s.yaml", 2, R"(s\.yaml:)"},
      {"yaml_nested_5000_deep", {{"s.yaml", deep_yaml}}, "check {d}/s.yaml", 2, R"(s\.yaml:)"},
      {"features_not_a_list", {{"s.yaml", "suite: x\nfeatures: 7\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:2:11: )"},
      {"feature_without_code", {{"s.yaml", "suite: x\nfeatures:\n  - name: a\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:3:5: feature 'a' needs 'code')"},
      {"unknown_key_did_you_mean", {{"s.yaml", "suite: x\nfeatures:\n  - name: a\n    cod: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:4:5: unknown key 'cod' in feature; did you mean 'code'\?)"},
      {"duplicate_key", {{"s.yaml", "suite: x\nsuite: y\nfeatures:\n  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:2:1: duplicate key 'suite')"},
      {"duplicate_feature", {{"s.yaml", spec_with_feature("a") + "  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:6:11: duplicate feature name 'a')"},
      {"threads_zero", {{"s.yaml", spec_with_feature("a") + "    threads: 0\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:6:14: 'threads' must be between)"},
      {"threads_huge", {{"s.yaml", spec_with_feature("a") + "    threads: 100000\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:6:14: 'threads' must be between)"},
      {"repeat_negative", {{"s.yaml", spec_with_feature("a") + "    repeat: -1\n"}}, "check {d}/s.yaml", 2, R"(s\.yaml:6:13: 'repeat' must be between)"},
      {"timeout_negative", {{"s.yaml", spec_with_feature("a") + "    timeout: -5\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:6:14: 'timeout' must be a positive number of seconds)"},
      {"timeout_not_a_number", {{"s.yaml", spec_with_feature("a") + "    timeout: soon\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:6:14: 'timeout' must be a positive number of seconds)"},
      {"unknown_tool_in_spec", {{"s.yaml", "suite: x\ntools: [memchek]\nfeatures:\n  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:2:9: unknown tool 'memchek'; did you mean 'memcheck'\?)"},
      {"source_file_missing", {{"s.yaml", "suite: x\nfeatures:\n  - name: a\n    source: nothere.c\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:4:13: .*nothere\.c)"},
      {"library_source_missing",
       {{"s.yaml", "suite: x\nlibrary:\n  build:\n    name: x\n    sources: [nothere.c]\nfeatures:\n  - name: a\n    code: f();\n"}},
       "check {d}/s.yaml", 2, R"(s\.yaml:5:15: .*nothere\.c)"},
      {"includes_not_strings", {{"s.yaml", "suite: x\nincludes: [{a: b}]\nfeatures:\n  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:2:12: items of 'includes' must be strings)"},
      {"env_not_a_mapping", {{"s.yaml", "suite: x\nenv: [A]\nfeatures:\n  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:2:6: 'env' must be a mapping)"},
      {"suppression_kind_a_number", {{"s.yaml", "suite: x\nsuppressions:\n  - kind: 7\nfeatures:\n  - name: a\n    code: f();\n"}},
       "check {d}/s.yaml", 2, R"(s\.yaml:3:11: 'kind' must be a finding kind)"},
      {"suppression_frames_a_string", {{"s.yaml", "suite: x\nsuppressions:\n  - frames: \"str\"\nfeatures:\n  - name: a\n    code: f();\n"}},
       "check {d}/s.yaml", 2, R"(s\.yaml:3:13: 'frames' must be a list)"},
      {"suppression_hides_everything", {{"s.yaml", "suite: x\nsuppressions:\n  - reason: all\nfeatures:\n  - name: a\n    code: f();\n"}},
       "check {d}/s.yaml", 2, R"(s\.yaml:3:5: this suppression would hide every finding)"},
      {"native_suppressions_unknown_tool",
       {{"s.yaml", "suite: x\nnative-suppressions:\n  memchek: [a.supp]\nfeatures:\n  - name: a\n    code: f();\n"}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:3:3: unknown tool 'memchek' in native-suppressions)"},
      // The command line.
      {"out_is_root", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --out /", 2, "--out '/' would write into the root folder"},
      {"out_is_a_file", {{"good.yaml", k_good_spec}, {"file", "mine"}}, "run {d}/good.yaml --out {d}/file", 2,
       "--out '{d}/file' exists and is not a folder"},
      {"out_under_a_file", {{"good.yaml", k_good_spec}, {"file", "mine"}}, "run {d}/good.yaml --out {d}/file/out", 2,
       "--out '{d}/file/out': cannot create it: Not a directory"},
      {"out_empty", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --out ''", 2, "--out is empty"},
      {"out_is_a_users_folder", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --out {d}/user", 2,
       "--out '{d}/user' holds files Sohound did not write"},
      {"out_unwritable", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --out /proc/sohound-out", 2,
       "--out '/proc/sohound-out': cannot create it"},
      {"out_is_a_link", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --out {d}/link", 2, "--out '{d}/link' is a symbolic link",
       {"out"}, [](const fs::path& d) { fs::create_directory_symlink(d / "user", d / "link"); }},
      {"out_held_by_another_run", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --out {d}/out", 3,
       "another Sohound run is writing to --out '{d}/out'", {"out"},
       [](const fs::path& d) {
         fs::create_directories(d / "out");
         put(d / "out" / ".sohound-out", "x");
         const int fd = ::open((d / "out" / ".sohound-lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
         ::flock(fd, LOCK_EX);  // held by this test process for the row (closed at exit)
       }},
      {"jobs_zero", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml -j 0 --out {d}/out", 2, R"(--jobs: Value 0 not in range 1 to 1024)"},
      {"jobs_huge", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml -j 99999 --out {d}/out", 2, R"(--jobs: Value 99999 not in range 1 to 1024)"},
      {"unknown_option", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --timeout 5 --out {d}/out", 2,
       R"(sohound run: unknown option '--timeout')"},
      {"unknown_option_did_you_mean", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --tool memcheck", 2,
       R"(unknown option '--tool' \(did you mean '--tools'\?\))"},
      {"unknown_tool_on_command_line", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --tools memchek --out {d}/out", 2,
       R"(unknown tool 'memchek' \(did you mean 'memcheck'\?\))"},
      {"unknown_report", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --report htm --out {d}/out", 2,
       R"(unknown report 'htm' \(did you mean 'html'\?\))"},
      {"unknown_compiler", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --compiler icc --out {d}/out", 2, R"(--compiler: icc not in)"},
      {"spec_missing", {}, "run {d}/nothere.yaml --out {d}/out", 2, "spec '{d}/nothere.yaml' does not exist"},
      {"spec_is_a_folder", {}, "check {d}/user", 2, "spec '{d}/user' is not a regular file"},
      {"filter_matches_nothing", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --filter nothing --out {d}/out", 2,
       R"(--filter 'nothing' matched no feature)"},
      {"baseline_missing", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --baseline {d}/nothere.json --out {d}/out", 2,
       "baseline '{d}/nothere.json' does not exist"},
      {"baseline_wrong_schema", {{"good.yaml", k_good_spec}, {"b.json", R"({"schema": 1})"}},
       "run {d}/good.yaml --baseline {d}/b.json --out {d}/out", 2, "b.json: not a Sohound baseline"},
      {"baseline_nested_200000_deep", {{"good.yaml", k_good_spec}, {"b.json", deep_json}},
       "run {d}/good.yaml --baseline {d}/b.json --out {d}/out", 2, R"(b\.json:1:65: nested more than 64 levels deep)"},
      {"baseline_wrong_types", {{"good.yaml", k_good_spec}, {"b.json", R"({"schema": "sohound.baseline/1", "findings": [{"fingerprint": 7}]})"}},
       "run {d}/good.yaml --baseline {d}/b.json --out {d}/out", 2, R"(b\.json: /findings/0/fingerprint: expected a string)"},
      {"suppressions_file_syntax_error", {{"good.yaml", k_good_spec}, {"supp.yaml", "suppressions:\n  - kind: [\n"}},
       "run {d}/good.yaml --suppressions {d}/supp.yaml --out {d}/out", 2, R"(supp\.yaml:3:1: )"},
      {"native_valgrind_suppressions_broken",
       {{"s.yaml", "suite: x\nincludes: [stdlib.h]\ntools: [memcheck]\nnative-suppressions:\n  valgrind: [bad.supp]\nfeatures:\n"
                   "  - name: a\n    code: free(malloc(8));\n"},
        {"bad.supp", "{\n  broken\n  Memcheck:Leak\n"}},
       "run {d}/s.yaml --out {d}/out --no-progress", 3,
       R"(tool_failed: valgrind: FATAL: in suppressions file "{d}/bad\.supp" near line 3: unexpected end-of-file)"},
      {"write_baseline_into_missing_folder", {{"good.yaml", k_good_spec}}, "run {d}/good.yaml --write-baseline {d}/no/such/b.json --out {d}/out",
       3, "cannot write baseline {d}/no/such/b.json"},
      // results.json from elsewhere: report, merge, suppressions.
      {"results_wrong_schema_type", {{"r/results.json", R"({"schema": 1})"}}, "report {d}/r/results.json --out {d}/out", 2,
       "not a Sohound results file"},
      {"results_nested_200000_deep", {{"r/results.json", deep_json}}, "report {d}/r/results.json --out {d}/out", 2,
       R"(results\.json:1:65: nested more than 64 levels deep)"},
      {"results_truncated", {{"r/results.json", "{\n  \"schema\": \"sohound.results/1\",\n  \"jobs\": [\n    {\"suite\": \"s\""}},
       "report {d}/r/results.json --out {d}/out", 2, R"(results\.json:4:\d+: syntax error)"},
      {"results_wrong_types", {{"r/results.json", results_with(R"("findings": [{"stack": "x"}])")}}, "report {d}/r/results.json --out {d}/out",
       2, R"(/jobs/0/findings/0/stack: expected an array, found a string)"},
      {"results_negative_count", {{"r/results.json", results_with(R"("findings": [{"count": -5}])")}},
       "suppressions {d}/r/results.json -o {d}/out/s.yaml", 2, R"(/jobs/0/findings/0/count: expected a count \(0 or more\), found -5)"},
      {"results_unknown_tool", {{"r/results.json", R"({"schema": "sohound.results/1", "jobs": [{"tool": "purify"}]})"}},
       "merge {d}/r/results.json -o {d}/out/m.json", 2, R"(/jobs/0/tool: unknown tool 'purify')"},
      {"results_unknown_outcome", {{"r/results.json", results_with(R"("outcome": "exploded")")}}, "report {d}/r/results.json --out {d}/out", 2,
       R"(/jobs/0/outcome: unknown outcome 'exploded')"},
      {"report_into_a_users_folder", {{"user/results.json", results_with(R"("findings": [])")}}, "report {d}/user/results.json", 2,
       R"(--out '{d}/user' holds files Sohound did not write.*or give the report command an --out folder)"},
      {"merge_input_missing", {}, "merge {d}/nothere.json -o {d}/out/m.json", 2, "results file '{d}/nothere.json' does not exist"},
      {"suppressions_truncated_input", {{"r/results.json", "{\"schema\": \"sohound.results/1\", \"jobs\": [{"}},
       "suppressions {d}/r/results.json", 2, R"(results\.json:1:\d+: syntax error)"},
      {"check_without_specs", {}, "check", 2, R"(specs is required)"},
      // Bounded work (issue 19): what aliases expand to, files that block or never end.
      {"alias_of_one_megabyte_used_20000_times", {{"s.yaml", alias_bomb()}}, "check {d}/s.yaml", 2,
       R"(s\.yaml:\d+:\d+: this spec expands to more than 64 MiB of text or \d+ nodes through its aliases)"},
      {"include_dirs_proc_with_the_cache_on", {{"s.yaml", library_spec("[/proc]")}},
       "run {d}/s.yaml --out {d}/out --cache-dir {d}/cache --no-progress", 0, R"(PASS \(exit 0\))", {"out", "cache"}},
      {"include_dirs_with_a_40_gigabyte_sparse_header", {{"s.yaml", library_spec("[inc]")}, {"inc/small.h", "int x;\n"}},
       // (inc/ is not compared before and after: reading it would read 40 GB, or block on the FIFO)
       "run {d}/s.yaml --out {d}/out --cache-dir {d}/cache --no-progress", 0, R"(PASS \(exit 0\))", {"out", "cache", "inc"},
       [](const fs::path& d) {
         std::ofstream(d / "inc" / "huge.h").put('\n');
         fs::resize_file(d / "inc" / "huge.h", 40ull << 30);
       }},
      {"include_dirs_with_a_fifo", {{"s.yaml", library_spec("[inc]")}, {"inc/small.h", "int x;\n"}},
       "run {d}/s.yaml --out {d}/out --cache-dir {d}/cache --no-progress", 0, R"(PASS \(exit 0\))", {"out", "cache", "inc"},
       [](const fs::path& d) { ::mkfifo((d / "inc" / "pipe.h").c_str(), 0644); }},
  };
  // clang-format on
  return rows;
}

class Catalogue : public ::testing::TestWithParam<Row> {};

TEST_P(Catalogue, HostileInputGetsItsExitCodeAndMessageAndTouchesNothingElse) {
  const auto& row = GetParam();
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "catalogue" / row.name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  put(dir / "user" / "keep.txt", "the user's own file");
  put(dir / "user" / "memcheck" / "precious.txt", "a folder a '..' name would have emptied");
  for (const auto& [name, text] : row.files) put(dir / name, text);
  if (row.before) row.before(dir);
  std::vector<fs::path> skip;
  for (const auto& m : row.may_change) skip.push_back(dir / m);
  const auto before = snapshot(dir, skip);

  auto expand = [&](std::string text) {
    for (std::size_t at; (at = text.find("{d}")) != std::string::npos;) text.replace(at, 3, dir.string());
    return text;
  };
  const auto out = run_sohound(expand(row.args), std::string("SOHOUND_CATALOGUE_SECRET=") + k_secret);
  EXPECT_EQ(out.exit_code, row.exit_code) << out.text;
  EXPECT_TRUE(std::regex_search(out.text, std::regex(expand(row.message)))) << "expected /" << expand(row.message) << "/ in:\n"
                                                                            << out.text;
  EXPECT_EQ(out.text.find("terminate called"), std::string::npos) << out.text;
  EXPECT_EQ(snapshot(dir, skip), before) << "a file outside the output folder changed";
  EXPECT_EQ(processes_in(dir), std::vector<std::string>{});
  EXPECT_EQ(files_with_secret(dir), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Inputs, Catalogue, ::testing::ValuesIn(input_rows()), [](const auto& row) { return row.param.name; });

// Inputs that run tools: a secret behind #line, a path with a space, 20-wildcard suppressions.
TEST(CatalogueRuns, NoSecretOrForeignFileReachesAnyReport) {
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "catalogue-runs" / "secrets";
  fs::remove_all(dir);
  put(dir / "outside" / "secret.c", "int x;\nint y_outside_marker;\nint z;\n");
  // A frame naming /proc/self/environ (through #line) and a C file outside every snippet root.
  put(dir / "spec" / "s.yaml",
      "suite: secrets\nincludes: [stdlib.h]\ntools: [memcheck]\nfeatures:\n"
      "  - name: environ\n    code: |\n      #line 1 \"/proc/self/environ\"\n      free(malloc(8)); malloc(9);\n"
      "  - name: outside\n    code: |\n      #line 2 \"" +
          (dir / "outside" / "secret.c").string() + "\"\n      malloc(10);\n");
  const auto out = run_sohound("run " + (dir / "spec" / "s.yaml").string() + " --out " + (dir / "out").string() +
                                   " --no-progress --report html,junit,sarif,json --source-root " + (dir / "spec").string(),
                               std::string("SOHOUND_CATALOGUE_SECRET=") + k_secret);
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto results = read_results((dir / "out").string());
  const auto* environ = job_in(results, "environ", "memcheck");
  ASSERT_NE(environ, nullptr);
  ASSERT_NE(finding(*environ, "leak.definite", "feature_environ"), nullptr) << "the leak is still reported";
  EXPECT_EQ(files_with_secret(dir / "out"), std::vector<std::string>{});
  const auto html = slurp(dir / "out" / "report.html");
  EXPECT_EQ(html.find("SOHOUND_CATALOGUE_SECRET"), std::string::npos);
  EXPECT_EQ(html.find("y_outside_marker"), std::string::npos) << "no snippet from a file outside the roots";
  // Rendered again with the widest root there is: a C file under it may be quoted now, /proc never.
  const auto again = run_sohound("report " + (dir / "out" / "results.json").string() + " --source-root /",
                                 std::string("SOHOUND_CATALOGUE_SECRET=") + k_secret);
  EXPECT_EQ(again.exit_code, 0) << again.text;
  EXPECT_EQ(files_with_secret(dir / "out"), std::vector<std::string>{});
  EXPECT_NE(slurp(dir / "out" / "report.html").find("y_outside_marker"), std::string::npos)
      << "the control: it is read when allowed";
}

TEST(CatalogueRuns, AnOutputPathWithASpaceWorksForEverySanitizer) {
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "catalogue-runs" / "with space";
  fs::remove_all(dir);
  put(dir / "s.yaml",
      "suite: spaced\nincludes: [stdlib.h]\ntools: [memcheck, asan, tsan, ubsan]\nfeatures:\n"
      "  - name: leaks\n    code: malloc(11);\n");
  const auto out =
      run_sohound("run '" + (dir / "s.yaml").string() + "' --out '" + (dir / "out dir").string() + "' --no-progress");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto results = read_results((dir / "out dir").string());
  for (const char* tool : {"memcheck", "asan", "tsan", "ubsan"}) {
    const auto* j = job_in(results, "leaks", tool);
    ASSERT_NE(j, nullptr) << tool;
    EXPECT_EQ((*j)["outcome"], "ok") << tool << ": " << (*j)["message"];
  }
  EXPECT_NE(finding(*job_in(results, "leaks", "asan"), "leak.definite", "feature_leaks"), nullptr);
}

TEST(CatalogueRuns, ManyWildcardSuppressionsFinishAndMatchAsWritten) {
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "catalogue-runs" / "wildcards";
  fs::remove_all(dir);
  std::string frames;
  for (int i = 0; i < 20; ++i) frames += std::string(i ? ", " : "") + "\"...\", \"*e*\"";
  put(dir / "s.yaml", "suite: wild\nincludes: [stdlib.h]\ntools: [memcheck]\nsuppressions:\n  - kind: leak.*\n    frames: [" +
                          frames + ", never_there]\nfeatures:\n  - name: leaks\n    code: malloc(12);\n");
  const auto out = run_sohound("run " + (dir / "s.yaml").string() + " --out " + (dir / "out").string() + " --no-progress");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  const auto results = read_results((dir / "out").string());
  const auto* j = job_in(results, "leaks", "memcheck");
  ASSERT_NE(j, nullptr);
  const auto* leak = finding(*j, "leak.definite", "feature_leaks");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ((*leak)["status"], "new") << "the suppression does not match: its last frame is never there";
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// The issue's own measure: mutated copies of a real results.json (bytes flipped, cut, and
// brackets, quotes, huge numbers and nulls inserted; fixed seed) given to report, merge and
// suppressions. Each must end in exit 0 or 2 with a message, never a signal.
TEST(CatalogueRuns, MutatedResultsJsonNeverCrashesReportMergeOrSuppressions) {
  const auto source = slurp(fs::path(SOHOUND_E2E_OUT) / "examples" / "results.json");
  ASSERT_FALSE(source.empty());
  const fs::path dir = fs::path(SOHOUND_E2E_OUT) / "catalogue-runs" / "mutated";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937 random(20261130);
  const char* inserts[] = {"[", "{", "\"", "-1", "null", "true", "1e999", "\"x\"", "{}", "[]", "18446744073709551616"};
  int crashes = 0, rejected = 0, accepted = 0;
  for (int i = 0; i < 100; ++i) {
    std::string text = source;
    const int edits = 1 + static_cast<int>(random() % 20);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const auto at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          text.erase(at, 1 + random() % 50);
          break;
        default:
          text.insert(at, inserts[random() % std::size(inserts)]);
      }
    }
    const auto input = dir / ("m" + std::to_string(i) + ".json");
    put(input, text);
    for (const auto& command :
         {"suppressions " + input.string(), "report " + input.string() + " --out " + (dir / ("o" + std::to_string(i))).string(),
          "merge " + input.string() + " -o " + (dir / ("x" + std::to_string(i) + ".json")).string()}) {
      const auto out = run_sohound(command);
      if (out.exit_code == 0 || out.exit_code == 1)
        ++accepted;
      else if (out.exit_code == 2)
        ++rejected;
      else
        ++crashes;
      EXPECT_TRUE(out.exit_code >= 0 && out.exit_code <= 2) << command << "\n" << out.text;
      EXPECT_EQ(out.text.find("terminate called"), std::string::npos) << command << "\n" << out.text;
    }
  }
  EXPECT_EQ(crashes, 0);
  EXPECT_GT(rejected, 0) << "the mutations did break the files";
  RecordProperty("accepted", accepted);
  RecordProperty("rejected", rejected);
}

}  // namespace
}  // namespace e2e
