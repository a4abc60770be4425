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

}  // namespace

// The compiler's messages for every feature that does not compile; "" when all do. `checked`:
// how many were compiled.
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
  std::string problems;
  for (const auto& feature : suite.features) {
    if (feature.program || !feature.todo.empty()) continue;
    const auto language = codegen::language_of(suite, feature);
    auto command = exec::feature_compile(suite, feature, model::Flavour::plain, runtime.out_dir(), package, "-", "/dev/null");
    auto& argv = command.argv;
    argv[1] = "-fsyntax-only";
    argv.resize(argv.size() - 2);  // "-o /dev/null"
    argv.insert(argv.end() - 1, {"-x", language == model::Language::cxx ? "c++" : "c"});
    util::CaptureOptions options;
    options.keep_stderr = true;
    options.input = codegen::generate_feature(suite, feature);
    int status = 0;
    options.exit_status = &status;
    const auto said = util::capture(argv, options);
    ++checked;
    if (!said) {
      problems += fmt::format("feature '{}': {} could not be run\n", feature.name, argv.front());
    } else if (status != 0) {
      problems += fmt::format("feature '{}' does not compile:\n{}", feature.name, *said);
    }
  }
  return problems;
}

}  // namespace harness::cli
