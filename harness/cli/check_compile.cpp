// `sohound check` compiles what a spec's features say, as `run` would compile them (the plain
// flavour, the suite's compiler, includes and flags, the library's pkg-config flags), with
// -fsyntax-only: a feature that does not compile is found before a run, at its spec line.
#include "harness/cli/commands.hpp"
#include "harness/codegen/driver_codegen.hpp"
#include "harness/exec/build_commands.hpp"
#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

namespace harness::cli {
namespace fs = std::filesystem;

namespace {

// A folder of the driver runtime's headers for the compiler's -I, removed when done.
class RuntimeHeaders {
 public:
  RuntimeHeaders() {
    std::string pattern = (fs::temp_directory_path() / "sohound-check-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return;
    m_dir = pattern;
    // build_commands put runtime_dir(OUT) on -I: OUT/runtime.
    fs::create_directories(m_dir + "/runtime");
    for (const auto& [name, text] : codegen::runtime_files())
      util::write_file(m_dir + "/runtime/" + std::string(name), std::string(text));
  }
  ~RuntimeHeaders() {
    std::error_code ec;
    if (!m_dir.empty()) fs::remove_all(m_dir, ec);
  }
  RuntimeHeaders(const RuntimeHeaders&) = delete;
  RuntimeHeaders& operator=(const RuntimeHeaders&) = delete;
  const std::string& out_dir() const { return m_dir; }

 private:
  std::string m_dir;
};

// One compile with -fsyntax-only of `source` (a file, or "-" for `input`); "" when it compiles,
// else what the compiler said.
std::string syntax_check(const model::SuiteSpec& suite, const model::FeatureSpec& first, const exec::PackageFlags& package,
                         const std::string& out_dir, const std::string& source, const std::string& input) {
  const auto language = codegen::language_of(suite, first);
  auto command = exec::feature_compile(suite, first, model::Flavour::plain, out_dir, package, source, "/dev/null");
  auto& argv = command.argv;
  argv[1] = "-fsyntax-only";
  argv.resize(argv.size() - 2);  // "-o /dev/null"
  argv.insert(argv.end() - 1, {"-x", language == model::Language::cxx ? "c++" : "c"});
  const auto said = util::capture_said(argv, input);
  if (!said) return fmt::format("{} could not be run\n", argv.front());
  return said->status == 0 ? std::string() : said->output;
}

}  // namespace

// The compiler's messages for every feature that does not compile; "" when all do. `checked`:
// how many were compiled. Features are compiled in the translation units `run` shares among them
// (one compile of a C++ suite's heavy headers for up to 128 features); a unit that does not
// compile has each of its features compiled alone, so the message names the one at fault.
std::string compile_features(const model::SuiteSpec& suite, std::size_t& checked) {
  checked = 0;
  exec::PackageFlags package;
  if (suite.library.kind == model::LibraryKind::pkg_config) {
    std::vector<std::string> argv = {"pkg-config", "--cflags", "--libs"};
    util::append(argv, suite.library.pkg_config);
    const auto flags = util::capture(argv);
    if (!flags) return "pkg-config --cflags failed for " + util::join(suite.library.pkg_config, " ");
    package = exec::split_package_flags(*flags);
  }
  RuntimeHeaders runtime;
  if (runtime.out_dir().empty()) return "cannot make a temporary folder for the driver runtime's headers";
  std::vector<std::size_t> wanted;
  for (std::size_t f = 0; f < suite.features.size(); ++f)
    if (!suite.features[f].program && suite.features[f].todo.empty()) wanted.push_back(f);
  std::string problems;
  auto alone = [&](std::size_t f) {
    const auto& feature = suite.features[f];
    const auto said = syntax_check(suite, feature, package, runtime.out_dir(), "-", codegen::generate_feature(suite, feature));
    if (!said.empty()) problems += fmt::format("feature '{}' does not compile:\n{}", feature.name, said);
  };
  const auto src = runtime.out_dir() + "/src";
  fs::create_directories(src);
  std::size_t number = 0;
  for (const auto& unit :
       codegen::translation_units(suite, wanted, codegen::k_features_per_unit, codegen::k_features_per_cxx_unit)) {
    checked += unit.size();
    if (unit.size() == 1) {
      alone(unit[0]);
      continue;
    }
    std::vector<std::string> files;
    for (auto f : unit) {
      const auto& feature = suite.features[f];
      files.push_back(codegen::feature_file_name(feature.name, codegen::language_of(suite, feature)));
      util::write_file(src + "/" + files.back(), codegen::generate_feature(suite, feature));
    }
    const auto& first = suite.features[unit[0]];
    const auto source =
        src + "/" + codegen::feature_file_name(fmt::format("+unit-{}", ++number), codegen::language_of(suite, first));
    util::write_file(source, codegen::generate_unit(files));
    if (!syntax_check(suite, first, package, runtime.out_dir(), source, {}).empty())
      for (auto f : unit) alone(f);
  }
  return problems;
}

}  // namespace harness::cli
