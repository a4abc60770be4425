#include "harness/spec/spec_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace harness::spec {
namespace {

// Loads `text` as "s.yaml" relative to a scratch folder holding `feature.c`.
class SpecLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("sohound-spec-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
    std::ofstream(m_dir / "feature.c") << "void feature(void) {}\n";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  util::Result<model::SuiteSpec> load_text(const std::string& text) { return load(text, "s.yaml", m_dir.string()); }
  std::string error_of(const std::string& text) {
    auto spec = load_text(text);
    return spec ? "<no error>" : spec.error().message;
  }
  std::filesystem::path m_dir;
};

TEST_F(SpecLoaderTest, LoadsAFullSpec) {
  auto spec = load_text(
      "suite: zlib-basics\n"
      "language: c\n"
      "library:\n"
      "  pkg-config: zlib\n"
      "includes: [zlib.h]\n"
      "timeout: 5\n"
      "tools: [memcheck]\n"
      "env: {A: b}\n"
      "features:\n"
      "  - name: roundtrip\n"
      "    threads: 4\n"
      "    repeat: 10\n"
      "    code: |\n"
      "      int x = 1;\n"
      "      (void)x;\n"
      "    setup: init();\n"
      "    expect:\n"
      "      - leak.definite\n"
      "      - {kind: mem.*, function: 'inflate*', tool: asan}\n"
      "  - name: from_file\n"
      "    source: feature.c\n"
      "    language: c++\n");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->name, "zlib-basics");
  EXPECT_EQ(spec->library.kind, model::LibraryKind::pkg_config);
  EXPECT_EQ(spec->library.pkg_config, std::vector<std::string>{"zlib"});
  EXPECT_EQ(spec->timeout_s, 5);
  ASSERT_TRUE(spec->tools);
  EXPECT_EQ(spec->tools->size(), 1u);
  EXPECT_EQ(spec->env.at("A"), "b");
  ASSERT_EQ(spec->features.size(), 2u);
  const auto& f = spec->features[0];
  EXPECT_EQ(f.threads, 4);
  EXPECT_EQ(f.repeat, 10);
  EXPECT_EQ(f.code.text, "int x = 1;\n(void)x;\n");
  EXPECT_EQ(f.code.pos.line, 14) << "a block scalar's text starts on the line after '|'";
  EXPECT_EQ(f.setup.pos.line, 16);
  EXPECT_EQ(f.setup.pos.column, 12);
  ASSERT_EQ(f.expect.size(), 2u);
  EXPECT_EQ(f.expect[0].kind, "leak.definite");
  EXPECT_EQ(f.expect[1].function, "inflate*");
  EXPECT_EQ(f.expect[1].tool, model::Tool::asan);
  EXPECT_EQ(spec->features[1].source, (m_dir / "feature.c").string());
  EXPECT_EQ(spec->features[1].language, model::Language::cxx);
}

TEST_F(SpecLoaderTest, YamlSyntaxError) {
  EXPECT_EQ(error_of("suite: x\nfeatures: [a, b\nlibrary: {}\n"),
            "s.yaml:3:8: YAML syntax error: end of sequence flow not found\n"
            "    library: {}\n"
            "           ^");
}

TEST_F(SpecLoaderTest, UnknownKeyWithDidYouMean) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    timout: 5\n"),
            "s.yaml:5:5: unknown key 'timout' in feature; did you mean 'timeout'?\n"
            "        timout: 5\n"
            "        ^");
}

TEST_F(SpecLoaderTest, UnknownKeyWithoutCloseMatchListsTheKeys) {
  EXPECT_EQ(error_of("suite: x\nzzz: 1\nfeatures: []\n"),
            "s.yaml:2:1: unknown key 'zzz' in suite; expected one of: suite, language, isolation, compiler, library, includes, "
            "cflags, ldflags, env, timeout, tools, globals, policy, thread_safe, allocators, suppressions, "
            "native-suppressions, features, programs\n"
            "    zzz: 1\n"
            "    ^");
}

TEST_F(SpecLoaderTest, WrongType) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    threads: many\n"),
            "s.yaml:5:14: 'threads' must be a whole number\n"
            "        threads: many\n"
            "                 ^");
  EXPECT_EQ(error_of("suite: x\nfeatures: {a: 1}\n"),
            "s.yaml:2:11: 'features' must be a list, not a mapping\n"
            "    features: {a: 1}\n"
            "              ^");
}

TEST_F(SpecLoaderTest, YamlNullIsExplained) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: null\n    code: f();\n"),
            "s.yaml:3:11: 'name' must be a string, not empty (YAML reads null, ~ and nothing as empty; quote the word "
            "to mean it: \"null\")\n"
            "      - name: null\n"
            "              ^");
}

TEST_F(SpecLoaderTest, DuplicateFeatureName) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n  - name: a\n    code: g();\n"),
            "s.yaml:5:11: duplicate feature name 'a'\n"
            "      - name: a\n"
            "              ^");
}

// A path that exists but is not what the key wants is said as such, not "not found".
TEST_F(SpecLoaderTest, AFileThatIsNotARegularFileIsSaidSo) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    source: /dev/zero\n"),
            "s.yaml:4:13: '/dev/zero' is not a regular file (/dev/zero: a device, pipe or socket)\n"
            "        source: /dev/zero\n"
            "                ^");
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    source: /tmp\n"),
            "s.yaml:4:13: '/tmp' is not a regular file (/tmp is a folder)\n"
            "        source: /tmp\n"
            "                ^");
}

TEST_F(SpecLoaderTest, MissingFile) {
  const auto message = error_of("suite: x\nfeatures:\n  - name: a\n    source: nope.c\n");
  EXPECT_EQ(message, "s.yaml:4:13: file 'nope.c' not found (looked for " + (m_dir / "nope.c").string() +
                         ")\n"
                         "        source: nope.c\n"
                         "                ^");
}

TEST_F(SpecLoaderTest, BadName) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: has space\n    code: f();\n"),
            "s.yaml:3:11: feature name 'has space' may only use A-Z a-z 0-9 _ . -, is not '.' or '..', and has at most "
            "100 characters\n"
            "      - name: has space\n"
            "              ^");
}

// Names become folders under --out: '..' would write (and empty folders) outside it.
TEST_F(SpecLoaderTest, DotNamesAndLongNamesAreRefused) {
  EXPECT_EQ(error_of("suite: ..\nfeatures:\n  - name: a\n    code: f();\n"),
            "s.yaml:1:8: suite name '..' may only use A-Z a-z 0-9 _ . -, is not '.' or '..', and has at most 100 "
            "characters\n"
            "    suite: ..\n"
            "           ^");
  EXPECT_NE(error_of("suite: x\nfeatures:\n  - name: .\n    code: f();\n").find("s.yaml:3:11: feature name '.' "),
            std::string::npos);
  const auto long_name = std::string(5000, 'a');
  const auto error = error_of("suite: x\nfeatures:\n  - name: " + long_name + "\n    code: f();\n");
  EXPECT_NE(error.find("s.yaml:3:11: feature name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (5000 characters)'"),
            std::string::npos)
      << error;
}

TEST_F(SpecLoaderTest, SuppressionFieldsHaveTheirTypes) {
  EXPECT_NE(error_of("suite: x\nsuppressions:\n  - kind: 7\nfeatures:\n  - name: a\n    code: f();\n")
                .find("s.yaml:3:11: 'kind' must be a finding kind such as leak.definite, or a glob such as 'leak.*', not '7'"),
            std::string::npos);
  EXPECT_NE(error_of("suite: x\nsuppressions:\n  - frames: \"str\"\nfeatures:\n  - name: a\n    code: f();\n")
                .find("s.yaml:3:13: 'frames' must be a list of frame patterns, the top frame first ([a, b] or one '- item' "
                      "per line), not a scalar"),
            std::string::npos);
}

TEST_F(SpecLoaderTest, UnknownToolWithDidYouMean) {
  EXPECT_EQ(error_of("suite: x\ntools: [memchek]\nfeatures: []\n"),
            "s.yaml:2:9: unknown tool 'memchek'; did you mean 'memcheck'?\n"
            "    tools: [memchek]\n"
            "            ^");
}

TEST_F(SpecLoaderTest, CodeOrSourceNotBoth) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    source: feature.c\n"),
            "s.yaml:5:5: a feature takes 'code' or 'source', not both\n"
            "        source: feature.c\n"
            "        ^");
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n"),
            "s.yaml:3:5: feature 'a' needs 'code' (an inline body) or 'source' (a file)\n"
            "      - name: a\n"
            "        ^");
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    todo: later\n    code: f();\n"),
            "s.yaml:4:5: 'todo' marks a feature with no code yet: remove it once the feature has 'code' or 'source'\n"
            "        todo: later\n"
            "        ^");
}

TEST_F(SpecLoaderTest, LibraryTakesExactlyOneKind) {
  EXPECT_EQ(error_of("suite: x\nlibrary:\n  pkg-config: zlib\n  path: feature.c\nfeatures: []\n"),
            "s.yaml:4:3: 'library' takes exactly one of 'pkg-config', 'path' or 'build'; 'pkg-config' was already given\n"
            "      path: feature.c\n"
            "      ^");
}

TEST_F(SpecLoaderTest, ReportsEveryErrorNotJustTheFirst) {
  const auto message = error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    repeat: 0\n    thread: 2\n");
  EXPECT_NE(message.find("s.yaml:5:13: 'repeat' must be between 1 and 10000000, not 0"), std::string::npos) << message;
  EXPECT_NE(message.find("s.yaml:6:5: unknown key 'thread' in feature; did you mean 'threads'?"), std::string::npos) << message;
}

TEST_F(SpecLoaderTest, ExpectationKindsMustBeKnown) {
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    expect: [leak]\n"),
            "s.yaml:5:14: unknown finding kind 'leak' (the leak kinds: leak.definite, leak.indirect, leak.possible, "
            "leak.reachable; 'leak.*' names them all)\n"
            "        expect: [leak]\n"
            "                 ^");
  EXPECT_EQ(
      error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    expect:\n      - {kind: leak.definit, function: g}\n"),
      "s.yaml:6:16: unknown finding kind 'leak.definit'; did you mean 'leak.definite'?\n"
      "          - {kind: leak.definit, function: g}\n"
      "                   ^");
  EXPECT_NE(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n    expect: [ub.signed-integer-overlow]\n")
                .find("did you mean 'ub.signed-integer-overflow'?"),
            std::string::npos);
  // Globs that name a family, kinds a tool names that Sohound does not know yet, and every kind
  // the parsers produce are accepted.
  EXPECT_EQ(error_of("suite: x\nfeatures:\n  - name: a\n    code: f();\n"
                     "    expect: [\"leak.*\", \"*\", memcheck.SomethingNew, ub.shift-exponent, process.leak, race.data]\n"),
            "<no error>");
}

TEST_F(SpecLoaderTest, PolicyAndSuppressionKindsMustBeKnown) {
  EXPECT_NE(error_of("suite: x\npolicy: {leak.posible: warning}\nfeatures:\n  - name: a\n    code: f();\n")
                .find("s.yaml:2:10: unknown finding kind 'leak.posible'; did you mean 'leak.possible'?"),
            std::string::npos);
  EXPECT_NE(error_of("suite: x\nsuppressions:\n  - {kind: race.dta, frames: [g]}\nfeatures:\n  - name: a\n    code: f();\n")
                .find("s.yaml:3:12: unknown finding kind 'race.dta'; did you mean 'race.data'?"),
            std::string::npos);
}

TEST_F(SpecLoaderTest, ThreadSafeDeclarationsAndTheThirdPartyPolicy) {
  auto spec = load_text(
      "suite: x\nthread_safe: [mdb_env_create]\nallocators: [jsonp_*]\npolicy: {third_party: error}\nfeatures:\n"
      "  - name: a\n    code: f();\n    thread_safe: mdb_txn_*\n");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->thread_safe, std::vector<std::string>{"mdb_env_create"});
  EXPECT_EQ(spec->features[0].thread_safe, std::vector<std::string>{"mdb_txn_*"});
  EXPECT_EQ(spec->allocators, std::vector<std::string>{"jsonp_*"});
  EXPECT_EQ(spec->policy.at("third_party"), model::Severity::error);
  EXPECT_NE(error_of("suite: x\nthread_safe: [\"mdb_env_create(MDB_env**)\"]\nfeatures:\n  - name: a\n    code: f();\n")
                .find("s.yaml:2:15: 'thread_safe' lists functions by name"),
            std::string::npos)
      << error_of("suite: x\nthread_safe: [\"mdb_env_create(MDB_env**)\"]\nfeatures:\n  - name: a\n    code: f();\n");
}

TEST_F(SpecLoaderTest, ProgramsRunAsTheyAreWithTheirBuildsPerFlavour) {
  const auto prog = (m_dir / "unit_test").string();
  std::ofstream(prog) << "#!/bin/sh\n";
  std::filesystem::permissions(prog, std::filesystem::perms::owner_all);
  auto spec = load_text(
      "suite: existing\n"
      "programs:\n"
      "  - name: unit\n"
      "    program: ./unit_test\n"
      "    args: [--fast, data]\n"
      "    cwd: .\n"
      "    exit_status: 3\n"
      "    asan: ./unit_test\n"
      "    skip_children: ['*/python3']\n"
      "    gtest: true\n"
      "    env: {A: b}\n"
      "    expect: leak.definite\n"
      "  - name: tool\n"
      "    program: sh\n");
  ASSERT_TRUE(spec) << spec.error().message;
  ASSERT_EQ(spec->features.size(), 2u);
  const auto& unit = spec->features[0];
  ASSERT_TRUE(unit.program);
  EXPECT_EQ(unit.program->argv, (std::vector<std::string>{prog, "--fast", "data"}));
  EXPECT_EQ(unit.program->cwd, m_dir.lexically_normal().string());
  EXPECT_EQ(unit.program->exit_status, 3);
  EXPECT_EQ(unit.program->program_for(model::Flavour::asan), prog);
  EXPECT_EQ(unit.program->program_for(model::Flavour::tsan), "");
  EXPECT_EQ(unit.program->program_for(model::Flavour::plain), prog);
  EXPECT_EQ(unit.program->skip_children, std::vector<std::string>{"*/python3"});
  EXPECT_EQ(unit.program->origin, "gtest");
  EXPECT_EQ(unit.isolation, model::Isolation::process);
  EXPECT_EQ(unit.expect.size(), 1u);
  // A bare name is found on PATH, as a shell would.
  ASSERT_TRUE(spec->features[1].program);
  EXPECT_TRUE(std::filesystem::path(spec->features[1].program->argv[0]).is_absolute());
}

TEST_F(SpecLoaderTest, ProgramErrorsPointAtTheText) {
  EXPECT_EQ(error_of("suite: x\nprograms:\n  - name: a\n    program: ./missing\n"),
            "s.yaml:4:14: file './missing' not found (looked for " + (m_dir / "missing").string() +
                ")\n        program: ./missing\n                 ^");
  EXPECT_NE(error_of("suite: x\nprograms:\n  - name: a\n    program: no-such-program-anywhere\n")
                .find("s.yaml:4:14: program 'no-such-program-anywhere' not found on PATH"),
            std::string::npos);
  EXPECT_NE(error_of("suite: x\nprograms:\n  - name: a\n").find("s.yaml:3:5: program 'a' needs 'program'"), std::string::npos);
  EXPECT_NE(error_of("suite: x\nprograms:\n  - name: a\n    program: sh\n    code: x\n")
                .find("s.yaml:5:5: unknown key 'code' in program"),
            std::string::npos);
  EXPECT_NE(error_of("suite: x\nfeatures:\n  - name: a\n    code: x\nprograms:\n  - name: a\n    program: sh\n")
                .find("s.yaml:6:11: duplicate name 'a'"),
            std::string::npos);
}

}  // namespace
}  // namespace harness::spec
