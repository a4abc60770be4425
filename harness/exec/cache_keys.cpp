#include "harness/exec/cache_keys.hpp"

#include "harness/codegen/driver_codegen.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <sys/stat.h>

namespace harness::exec {
namespace fs = std::filesystem;

std::string program_identity(const std::string& program) {
  const auto found = util::find_on_path(program);
  struct stat st {};
  if (found.empty() || ::stat(found.c_str(), &st) != 0) return program + " (not found)";
  std::error_code ec;
  const auto real = fs::canonical(found, ec);
  return fmt::format("{} {} {}", ec ? found : real.string(), st.st_size, st.st_mtim.tv_sec);
}

namespace {

// Every header under `dir` (by extension; sorted, at most 20000), skipping `skip` (the run's own
// output folder and the cache, which may well lie under an include folder): what a library's
// include folder holds, whose change must invalidate cached results of drivers that include it.
void hash_tree(Hasher& h, const std::string& dir, const std::vector<std::string>& skip) {
  static const std::set<std::string> k_headers = {".h", ".hh", ".hpp", ".hxx", ".h++", ".inc", ".inl", ".ipp", ".tcc", ""};
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto path = it->path().string();
    if (it->is_directory(ec)) {
      for (const auto& s : skip)
        if (!s.empty() && util::is_within(path, s)) it.disable_recursion_pending();
      if (fs::exists(it->path() / ".sohound-out", ec)) it.disable_recursion_pending();
      ec.clear();
      continue;
    }
    if (!it->is_regular_file(ec) || !k_headers.count(it->path().extension().string())) continue;
    files.push_back(path);
    if (files.size() > 20000) break;
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) h.add(f).add_file(f);
}

// A library file a -lNAME resolves to (-L folders, then the system's).
std::string find_library(const std::string& name, const std::vector<std::string>& search) {
  for (const auto& dir : search)
    for (const auto& file : {dir + "/lib" + name + ".so", dir + "/lib" + name + ".a"})
      if (fs::exists(file)) return file;
  return {};
}

void hash_package(Hasher& h, const PackageFlags& flags) {
  std::vector<std::string> search;
  for (const auto& w : flags.libs)
    if (util::starts_with(w, "-L")) search.push_back(w.substr(2));
  util::append(search, std::vector<std::string>{"/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                                                "/usr/lib", "/lib"});
  for (const auto& w : flags.cflags) h.add(w);
  for (const auto& w : flags.libs) {
    h.add(w);
    if (util::starts_with(w, "-l")) {
      const auto file = find_library(w.substr(2), search);
      h.add(file);
      if (!file.empty()) h.add_file(file);
    }
  }
}

// The driver runtime's files and suppressions, hashed once per process (51 KB).
const std::string& runtime_digest() {
  static const std::string k_digest = [] {
    Hasher runtime;
    for (const auto& [name, text] : codegen::runtime_files()) runtime.add(name).add(text);
    runtime.add(codegen::runtime_valgrind_suppressions());
    return runtime.hex();
  }();
  return k_digest;
}

// The C library this process runs with (what the compilers here build against).
const std::string& c_library_identity() {
  static const std::string k_identity = [] {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&::gnu_get_libc_version), &info) == 0 || !info.dli_fname) return std::string("libc");
    return program_identity(info.dli_fname) + " " + ::gnu_get_libc_version();
  }();
  return k_identity;
}

}  // namespace

std::string main_object_key(const Command& compile, std::size_t launcher, const std::string& source) {
  Hasher h;
  h.add("main object");
  for (const auto& word : compile.argv) h.add(word);
  h.add(source).add(runtime_digest()).add(c_library_identity());
  if (launcher < compile.argv.size()) h.add(program_identity(compile.argv[launcher]));
  return h.hex();
}

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return fmt::format("{} {} {} {} {}.{} {}.{}", path, st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

std::string valgrind_identity(const std::string& valgrind) {
  const auto found = util::find_on_path(valgrind);
  std::error_code ec;
  const auto command = found.empty() ? fs::path() : fs::canonical(found, ec);
  if (command.empty() || ec) return {};
  const auto stat_of = [](const fs::path& path) {
    auto identity = file_identity(path.string());
    return identity.empty() ? identity : identity + "\n";
  };
  std::string identity = stat_of(command) + stat_of(command.parent_path() / "valgrind.bin");  // Debian's wrapper runs .bin
  for (const fs::path dir : valgrind_lib_dirs(valgrind)) {
    if (!fs::is_directory(dir, ec)) continue;
    std::string tools;
    for (const auto* tool : {"memcheck", "helgrind", "drd"})
      tools += stat_of(dir / fmt::format("{}-amd64-linux", tool)) + stat_of(dir / fmt::format("{}-arm64-linux", tool));
    if (tools.empty()) continue;
    return identity + stat_of(dir) + tools;
  }
  return {};  // no tools found where Valgrind looks: ask it every run
}

std::string portable(const Command& command, const std::string& out_dir) {
  std::string text;
  auto add = [&](std::string piece) {
    for (auto at = piece.find(out_dir); !out_dir.empty() && at != std::string::npos; at = piece.find(out_dir, at + 3))
      piece.replace(at, out_dir.size(), "OUT");
    text += piece;
    text += '\x1f';
  };
  for (const auto& a : command.argv) add(a);
  for (const auto& [k, v] : command.env) add(k + "=" + v);
  for (const auto& k : command.unset_env) add("-u " + k);
  add("cwd " + command.cwd);
  return text;
}

CacheKeys::CacheKeys(const std::vector<model::SuiteSpec>& suites, CacheKeyFacts facts)
    : m_suites(suites), m_facts(std::move(facts)), m_runtime_digest(runtime_digest()) {}

const std::string& CacheKeys::compiler_identity(const std::string& program) {
  auto [it, fresh] = m_compilers.try_emplace(program);
  if (fresh) it->second = program_identity(program);
  return it->second;
}

// What the library is made of, the same in every flavour (its sources, its file or package, its
// headers): hashed once per suite, not once per flavour.
const std::string& CacheKeys::library_files_hash(std::size_t s, const PackageFlags& flags) {
  auto [it, fresh] = m_library_files.try_emplace(s);
  if (!fresh) return it->second;
  const auto& suite = m_suites[s];
  Hasher h;
  h.add(fmt::format("kind {}", static_cast<int>(suite.library.kind)));
  switch (suite.library.kind) {
    case model::LibraryKind::build:
      for (const auto& src : suite.library.build.sources) h.add(src).add_file(src);
      break;
    case model::LibraryKind::path:
      h.add(suite.library.path).add_file(suite.library.path);
      break;
    case model::LibraryKind::pkg_config:
      hash_package(h, flags);
      break;
    case model::LibraryKind::none:
      break;
  }
  for (const auto& dir : suite.library.include_dirs) {
    h.add(dir);
    hash_tree(h, dir, {m_facts.out_dir, m_facts.cache_dir});
  }
  it->second = h.hex();
  return it->second;
}

std::string CacheKeys::library_hash(std::size_t s, model::Flavour flavour, const PackageFlags& flags) {
  auto [it, fresh] = m_libraries.try_emplace({s, flavour});
  if (!fresh) return it->second;
  const auto& suite = m_suites[s];
  Hasher h;
  h.add(library_files_hash(s, flags));
  if (suite.library.kind == model::LibraryKind::build) {  // how this flavour builds it
    for (const auto& src : suite.library.build.sources)
      h.add(portable(library_compile(suite, flavour, src, "OBJ"), m_facts.out_dir));
    h.add(portable(library_link(suite, flavour, {}, "DIR", false), m_facts.out_dir));
  }
  it->second = h.hex();
  return it->second;
}

std::string CacheKeys::job_key(const plan::JobPlan& job, const PackageFlags& flags) {
  const auto& suite = m_suites[job.suite];
  const auto& feature = suite.features[job.feature];
  const auto& tool = model::info(job.tool);
  const auto language = codegen::language_of(suite, feature);
  const auto& out = m_facts.out_dir;
  Hasher h;
  h.add("sohound").add(m_facts.sohound_version).add("cache 1").add(m_facts.sandboxed ? "sandboxed" : "not sandboxed");
  h.add(tool.name);
  h.add(compiler_identity(compiler_for(suite.compiler, language)));
  h.add(compiler_identity(compiler_for(suite.compiler, model::Language::c)));
  auto [source, fresh] = m_feature_sources.try_emplace({job.suite, job.feature});
  if (fresh) source->second = codegen::generate_feature(suite, feature);
  h.add(source->second);
  if (!feature.source.empty()) h.add_file(feature.source);
  h.add(m_runtime_digest);
  h.add(portable(feature_compile(suite, feature, tool.flavour, out, flags, "SRC", "OBJ"), out));
  h.add(portable(driver_link(suite, tool.flavour, {}, "DRIVER", "LIB", flags, false, feature.ldflags), out));
  h.add(library_hash(job.suite, tool.flavour, flags));
  const double timeout = model::scaled_timeout_s(feature.timeout_s.value_or(suite.timeout_s), job.tool);
  const auto command = unit_command({job.tool,
                                     "DRIVER",
                                     "DIR",
                                     {feature.name},
                                     model::environment_of(suite, feature),
                                     timeout,
                                     m_facts.host,
                                     m_facts.runtime_supp});
  h.add(portable(command, out));
  // The native suppression files this tool reads (the Valgrind ones for a Valgrind tool, lsan's
  // for ASan, its own for a sanitizer).
  for (const auto key : model::native_suppression_keys(job.tool))
    if (const auto it = suite.native_suppressions.find(std::string(key)); it != suite.native_suppressions.end())
      for (const auto& file : it->second) h.add(key).add(file).add_file(file);
  return h.hex();
}

std::string CacheKeys::with_tool_version(const std::string& key, model::Tool tool) const {
  if (key.empty() || model::info(tool).family != model::ToolFamily::valgrind) return key;
  return Hasher().add(key).add(m_facts.valgrind_version).hex();
}

std::string CacheKeys::program_file(const plan::JobPlan& job) const {
  const auto& program = *m_suites[job.suite].features[job.feature].program;
  return program.program_for(model::info(job.tool).flavour);
}

void CacheKeys::loaded_libraries(const std::string& program, std::vector<std::string> libraries) {
  m_loaded_by[program] = std::move(libraries);
}

std::string CacheKeys::program_key(const plan::JobPlan& job) {
  const auto& suite = m_suites[job.suite];
  const auto& feature = suite.features[job.feature];
  const auto& program = *feature.program;
  const auto& tool = model::info(job.tool);
  const auto binary = program.program_for(tool.flavour);
  if (binary.empty()) return {};
  Hasher h;
  h.add("sohound").add(m_facts.sohound_version).add("program cache 1").add(tool.name);
  h.add(m_facts.sandboxed ? "sandboxed" : "not sandboxed");
  if (tool.family == model::ToolFamily::valgrind) h.add(m_facts.valgrind_version);
  auto command = program_command(job.tool, program, "DIR", model::environment_of(suite, feature), m_facts.host,
                                 m_facts.runtime_supp, m_facts.channel_preload);
  const bool recorded = records_inputs(job);
  if (recorded) {
    record_inputs(command, program, binary, "DIR", m_facts.record_preload);
    h.add("recorded inputs").add_file(m_facts.record_preload);
  }
  h.add(portable(command, m_facts.out_dir));
  if (tool.family == model::ToolFamily::sanitizer && !m_facts.channel_preload.empty()) h.add_file(m_facts.channel_preload);
  // A run may have shared its start with other runs of the program (exec/pipeline_programs.cpp).
  if (model::can_share_program_process(program, job.tool) && !m_facts.zygote_preload.empty())
    h.add("shared start").add_file(m_facts.zygote_preload);
  h.add(std::to_string(feature.timeout_s.value_or(suite.timeout_s)));
  // What a passing run is: the cached outcome was judged by it.
  const auto& verdict = program.verdict;
  h.add(fmt::format("exit {} will_fail {} skip {} error {} tap {}", program.exit_status, verdict.will_fail,
                    verdict.skip_exit_status.value_or(-1), verdict.error_exit_status.value_or(-1), verdict.tap));
  for (const auto* patterns : {&verdict.pass_regex, &verdict.fail_regex, &verdict.skip_regex})
    h.add("regex").add(util::join(*patterns, "\x1f"));
  h.add(codegen::runtime_valgrind_suppressions());
  for (const auto& [key, files] : suite.native_suppressions)
    for (const auto& file : files) h.add(key).add(file).add_file(file);
  h.add(binary).add(file_digest(binary));
  for (const auto& lib : m_loaded_by[binary]) h.add(lib).add(file_digest(lib));
  if (!recorded)
    for (const auto& pattern : program.inputs.value_or(std::vector<std::string>{})) {
      h.add(pattern);
      for (const auto& file : util::glob_files(pattern)) h.add(file).add_file(file);
    }
  return h.hex();
}

const std::string& CacheKeys::file_digest(const std::string& path) {
  auto identity = file_identity(path);
  if (identity.empty()) identity = path + " (none)";
  auto [it, fresh] = m_digests.try_emplace(identity);
  if (fresh) {
    Hasher h;
    h.add_file(path);
    it->second = h.hex();
  }
  return it->second;
}

bool CacheKeys::records_inputs(const plan::JobPlan& job) const {
  const auto& program = m_suites[job.suite].features[job.feature].program;
  return program && !program->inputs && !m_facts.record_preload.empty();
}

std::string CacheKeys::recorded_key(const std::string& base, const std::vector<RecordedInput>& inputs) {
  Hasher h;
  h.add("recorded").add(base).add(encode_manifest(inputs));
  hash_input_state(h, inputs);
  return h.hex();
}

}  // namespace harness::exec
