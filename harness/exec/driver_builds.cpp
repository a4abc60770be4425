#include "harness/exec/driver_builds.hpp"

#include "harness/codegen/driver_codegen.hpp"
#include "harness/exec/cache_keys.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/job_folder.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace harness::exec {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using model::Flavour;

// What a build step's span is called and hangs under (an empty name: no span).
struct DriverBuilds::SpanTag {
  SpanTag() = default;
  SpanTag(Span p, std::string n) : parent(p), name(std::move(n)) {}
  // (No initializer lists: GCC 12 rejects them inside a co_await's operands.)
  SpanTag with(std::string key, std::string value) && {
    attributes.emplace_back(std::move(key), std::move(value));
    return std::move(*this);
  }
  Span parent = model::Tracer::k_none;
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
};

namespace {

template <class T, class Make>
asio::awaitable<T> once(std::map<std::string, std::unique_ptr<AsyncOnce<T>>>& onces, const std::string& key, Make make) {
  auto& slot = onces[key];
  if (!slot) slot = std::make_unique<AsyncOnce<T>>(co_await asio::this_coro::executor);
  co_return co_await slot->get(std::move(make));
}

// Runs `count` independent coroutines at once (as the scheduler's slots allow) and waits for all.
template <class Make>
asio::awaitable<void> all_of(std::size_t count, Make make) {
  if (count == 0) co_return;
  const auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, make(std::size_t{0}), asio::deferred));
  std::vector<Op> ops;
  ops.reserve(count);
  for (std::size_t i = 0; i < count; ++i) ops.push_back(asio::co_spawn(executor, make(i), asio::deferred));
  // Cancellation of this coroutine reaches every one (the group forwards it).
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// The line a failed pkg-config run is reported at: the package it could not find, in the spec.
std::string pkg_config_error(const model::SuiteSpec& suite, const std::string& log, const ProcessResult& process) {
  auto pos = suite.library.pos;
  std::string what = "pkg-config failed for " + util::join(suite.library.pkg_config, " ");
  for (std::size_t i = 0; i < suite.library.pkg_config.size(); ++i) {
    const auto& name = suite.library.pkg_config[i];
    if (log.find("Package " + name + " was not found") != std::string::npos ||
        log.find("Package '" + name + "'") != std::string::npos) {
      if (i < suite.library.pkg_config_pos.size()) pos = suite.library.pkg_config_pos[i];
      what = fmt::format("pkg-config package '{}' not found (is its -dev package installed? is PKG_CONFIG_PATH set?)", name);
      break;
    }
  }
  if (!process.started) what = "pkg-config could not run: " + process.start_error;
  return fmt::format("{}:{}:{}: {}", pos.file, pos.line, pos.column, what);
}

}  // namespace

DriverBuilds::DriverBuilds(const std::vector<model::SuiteSpec>& suites, BuildOptions options, PipelineTrace trace)
    : m_suites(suites), m_options(std::move(options)), m_trace(trace) {}

// The driver's main object (the runtime, the same for every suite of a compiler and flavour) or its
// table of features (the same while the features to run are), kept in the result cache
// (main_object_key) so a run after an edit, or another suite, does not compile it again. Signed
// like an entry (the runtime's records are what proves a clean run). "" or the failure, as run_step.
asio::awaitable<std::string> DriverBuilds::main_object(const Command& compile, const std::string& source_text,
                                                       const std::string& object, std::string& log, const SpanTag& tag) {
  std::string key;
  if (m_options.cache && m_options.cache->enabled()) {
    key = main_object_key(compile, m_options.compiler_launcher.size(), source_text);
    if (const auto kept = m_options.cache->load_object(key); kept && util::write_file(object, *kept)) {
      const auto now = m_trace.scheduler.now_s();
      const auto span = m_trace.process_span(tag.name, tag.parent, now, now);
      for (const auto& [k, v] : tag.attributes) m_trace.tracer.annotate(span, k, v);
      m_trace.tracer.annotate(span, "kept", "true");
      co_return std::string();
    }
  }
  auto error = co_await run_step(compile, fs::path(object).replace_extension().string(), log, -1, tag);
  if (error.empty() && !key.empty()) {
    const auto bytes = util::read_file_or_empty(object);
    if (!bytes.empty()) m_options.cache->store_object(key, bytes);
  }
  co_return error;
}

// A compile as it runs: through the compiler launcher (ccache) when the machine has one.
Command DriverBuilds::launched(Command compile) const {
  compile.argv.insert(compile.argv.begin(), m_options.compiler_launcher.begin(), m_options.compiler_launcher.end());
  return compile;
}

// Runs one build step, keeping its output beside it (NAME.out/.err) and in `log`. Returns the
// failure in one line, or an empty string.
asio::awaitable<std::string> DriverBuilds::run_step(Command step, const std::string& log_base, std::string& log, int priority,
                                                    const SpanTag& tag) {
  step.stdout_path = log_base + ".out";
  step.stderr_path = log_base + ".err";
  const auto run = co_await m_trace.scheduler.run(step, m_options.build_timeout, priority);
  if (!tag.name.empty()) {
    const auto span = m_trace.process_span(tag.name, tag.parent, run.start_s, run.end_s);
    for (const auto& [k, v] : tag.attributes) m_trace.tracer.annotate(span, k, v);
    m_trace.tracer.annotate(span, "exit_code", std::to_string(run.process.exit_code));
  }
  // Name the compiler, not a launcher in front of it (compiles go through one, links do not).
  const auto& launcher = m_options.compiler_launcher;
  const bool launched =
      !launcher.empty() && step.argv.size() > launcher.size() && std::equal(launcher.begin(), launcher.end(), step.argv.begin());
  const auto& program = step.argv.at(launched ? launcher.size() : 0);
  log += util::read_file_or_empty(step.stderr_path) + util::read_file_or_empty(step.stdout_path);
  if (run.timed_out) co_return fmt::format("{} timed out after {} s", program, m_options.build_timeout.count());
  if (!run.process.started) co_return run.process.start_error;
  if (run.process.exit_code != 0)
    co_return run.process.signal ? fmt::format("{} died of {}", program, signal_name(run.process.signal))
                                 : fmt::format("{} exited with status {}", program, run.process.exit_code);
  co_return std::string();
}

asio::awaitable<StepOutcome> DriverBuilds::suite_flags(std::size_t s) {
  co_return co_await once(m_steps, "flags/" + std::to_string(s), [this, s] { return make_flags(s); });
}

asio::awaitable<StepOutcome> DriverBuilds::make_flags(std::size_t s) {
  const auto& suite = m_suites[s];
  StepOutcome out;
  if (suite.library.kind != model::LibraryKind::pkg_config) co_return out;
  const auto dir = m_options.out_dir + "/jobs/" + suite.name;
  m_options.out->create(dir);
  Command cmd;
  cmd.argv = {"pkg-config", "--cflags", "--libs"};
  util::append(cmd.argv, suite.library.pkg_config);
  cmd.stdout_path = dir + "/pkg-config.out";
  cmd.stderr_path = dir + "/pkg-config.err";
  out.commands = cmd.display() + "\n";
  const auto run = co_await m_trace.scheduler.run(cmd, std::chrono::seconds(60), -2);
  m_trace.tracer.annotate(m_trace.process_span("pkg-config", m_trace.root, run.start_s, run.end_s), "suite", suite.name);
  const auto text = util::read_file_or_empty(cmd.stdout_path);
  out.log = util::read_file_or_empty(cmd.stderr_path);
  if (!run.process.started || run.process.exit_code != 0) {
    out.ok = false;
    out.error = pkg_config_error(suite, out.log, run.process);
    if (out.error.find("' not found (is its -dev package installed?") != std::string::npos) m_input_errors.push_back(out.error);
    co_return out;
  }
  const auto flags = split_package_flags(text);
  out.cflags = flags.cflags;
  out.libs = flags.libs;
  co_return out;
}

// The library in one flavour, once per suite and flavour (build recipes only). Its steps go before
// every job's: every job of that flavour waits for it.
asio::awaitable<StepOutcome> DriverBuilds::library(std::size_t s, Flavour flavour, Span parent) {
  co_return co_await once(m_steps, fmt::format("lib/{}/{}", s, model::name(flavour)),
                          [this, s, flavour, parent] { return make_library(s, flavour, parent); });
}

asio::awaitable<StepOutcome> DriverBuilds::make_library(std::size_t s, Flavour flavour, Span parent) {
  const auto& suite = m_suites[s];
  StepOutcome out;
  if (suite.library.kind != model::LibraryKind::build) co_return out;
  const auto span = m_trace.tracer.open("library build", parent);
  m_trace.tracer.annotate(span, "suite", suite.name);
  m_trace.tracer.annotate(span, "flavour", std::string(model::name(flavour)));
  const auto& build = suite.library.build;
  const auto dir = library_dir(m_options.out_dir, suite.name, flavour);
  m_options.out->recreate(dir);
  m_options.out->create(dir + "/obj");
  std::vector<Command> compiles;
  std::vector<std::string> objects;
  bool any_cxx = false;
  for (std::size_t i = 0; i < build.sources.size(); ++i) {
    const auto& src = build.sources[i];
    any_cxx = any_cxx || !util::ends_with(src, ".c");
    const auto object = fmt::format("{}/obj/{}-{}.o", dir, i, fs::path(src).stem().string());
    compiles.push_back(launched(library_compile(suite, flavour, src, object)));
    objects.push_back(object);
  }
  const auto link = library_link(suite, flavour, objects, dir, any_cxx);
  auto script = compiles;
  script.push_back(link);
  out.commands = write_script(dir + "/build.sh", script);
  // Every compile runs even when one fails, so all of a library's errors are reported together;
  // the first failure in source order is the error.
  std::vector<std::string> logs(compiles.size()), failures(compiles.size());
  co_await all_of(compiles.size(), [&](std::size_t i) -> asio::awaitable<void> {
    failures[i] = co_await run_step(compiles[i], fmt::format("{}/step-{}", dir, i + 1), logs[i], -1,
                                    SpanTag(span, "compile").with("source", build.sources[i]));
  });
  for (std::size_t i = 0; i < compiles.size(); ++i) {
    out.log += logs[i];
    if (out.ok && !failures[i].empty()) {
      out.ok = false;
      out.error = failures[i];
    }
  }
  if (out.ok) {
    out.error = co_await run_step(link, fmt::format("{}/step-{}", dir, compiles.size() + 1), out.log, -1, SpanTag(span, "link"));
    out.ok = out.error.empty();
  }
  m_trace.tracer.annotate(span, "ok", out.ok ? "true" : "false");
  m_trace.tracer.close(span);
  co_return out;
}

// Compiles one object and makes its strong globals local (elf_symbols), but for the feature
// descriptors in `keep`. Fills `out`'s error, log and commands.
asio::awaitable<void> DriverBuilds::compile_object(const Command& compile, const std::string& base,
                                                   const std::vector<std::string>& keep, FeatureObject& out, const SpanTag& tag) {
  out.commands = compile.display() + "\n";
  out.error = co_await run_step(compile, base, out.log, -1, tag);
  if (out.error.empty()) {
    auto symbols = strong_global_definitions(out.object);
    if (!symbols) {
      out.error = symbols.error().message;
    } else {
      std::erase_if(*symbols, [&](const std::string& s) { return std::find(keep.begin(), keep.end(), s) != keep.end(); });
      if (!symbols->empty()) {
        const auto list = base + ".localize";
        util::write_file(list, util::join(*symbols, "\n") + "\n");
        const auto localize = localize_symbols(out.object, list);
        out.commands += localize.display() + "\n";
        out.error = co_await run_step(localize, base + ".localize", out.log, -1, SpanTag());
      }
    }
  }
  out.ok = out.error.empty();
}

// One feature's object: its generated source written, compiled alone.
asio::awaitable<FeatureObject> DriverBuilds::feature_object(std::size_t s, std::size_t f, Flavour flavour, const std::string& dir,
                                                            const PackageFlags& package, Span parent) {
  const auto& suite = m_suites[s];
  const auto& feature = suite.features[f];
  FeatureObject out;
  const auto source = dir + "/src/" + codegen::feature_file_name(feature.name, codegen::language_of(suite, feature));
  out.source = codegen::generate_feature(suite, feature);
  util::write_file(source, out.source);
  out.object = dir + "/obj/" + feature.name + ".o";
  out.compile = launched(feature_compile(suite, feature, flavour, m_options.out_dir, package, source, out.object));
  const std::vector<std::string> keep(1, codegen::feature_symbol(feature.name));
  co_await compile_object(out.compile, dir + "/obj/" + feature.name, keep, out,
                          SpanTag(parent, "compile").with("suite", suite.name).with("feature", feature.name));
  co_return out;
}

// The objects of one translation unit's features (codegen::translation_units): a unit of several
// features is one compile of a file that includes each feature's generated source; when it fails,
// each feature is compiled alone, so a feature that does not compile is found and stops no other.
asio::awaitable<std::vector<FeatureObject>> DriverBuilds::unit_objects(std::size_t s, const std::vector<std::size_t>& unit,
                                                                       std::size_t number, Flavour flavour,
                                                                       const std::string& dir, const PackageFlags& package,
                                                                       Span parent) {
  const auto& suite = m_suites[s];
  std::vector<FeatureObject> out(unit.size());
  if (unit.size() == 1) {
    out[0] = co_await feature_object(s, unit[0], flavour, dir, package, parent);
    co_return out;
  }
  std::vector<std::string> files, keep, names;
  for (std::size_t i = 0; i < unit.size(); ++i) {
    const auto& feature = suite.features[unit[i]];
    files.push_back(codegen::feature_file_name(feature.name, codegen::language_of(suite, feature)));
    out[i].source = codegen::generate_feature(suite, feature);
    util::write_file(dir + "/src/" + files.back(), out[i].source);
    keep.push_back(codegen::feature_symbol(feature.name));
    names.push_back(feature.name);
  }
  const auto& first = suite.features[unit[0]];
  const auto name = fmt::format("+unit-{}", number);  // '+' is in no feature's name
  const auto source = dir + "/src/" + codegen::feature_file_name(name, codegen::language_of(suite, first));
  util::write_file(source, codegen::generate_unit(files));
  FeatureObject shared;
  shared.object = dir + "/obj/" + name + ".o";
  shared.compile = launched(feature_compile(suite, first, flavour, m_options.out_dir, package, source, shared.object));
  co_await compile_object(shared.compile, dir + "/obj/" + name, keep, shared,
                          SpanTag(parent, "compile").with("suite", suite.name).with("features", util::join(names, ",")));
  if (!shared.ok) {
    co_await all_of(unit.size(), [&](std::size_t i) -> asio::awaitable<void> {
      out[i] = co_await feature_object(s, unit[i], flavour, dir, package, parent);
    });
    co_return out;
  }
  for (auto& object : out) {
    auto source_text = std::move(object.source);
    object = shared;
    object.source = std::move(source_text);
  }
  co_return out;
}

asio::awaitable<DriverBuild> DriverBuilds::driver(std::size_t s, Flavour flavour) {
  co_return co_await once(m_drivers, fmt::format("driver/{}/{}", s, model::name(flavour)),
                          [this, s, flavour] { return make_driver(s, flavour); });
}

// Compiles the main object and every needed feature's object at once, then links (link_drivers).
// A feature that does not compile is left out of the driver.
asio::awaitable<DriverBuild> DriverBuilds::make_driver(std::size_t s, Flavour flavour) {
  const auto& suite = m_suites[s];
  DriverBuild out;
  out.start_s = m_trace.scheduler.now_s();
  const auto span = m_trace.tracer.open("driver build", m_trace.root);
  m_trace.tracer.annotate(span, "suite", suite.name);
  m_trace.tracer.annotate(span, "flavour", std::string(model::name(flavour)));
  struct CloseSpan {  // every co_return below ends the span (its value is taken before this runs)
    const PipelineTrace& trace;
    Span span;
    ~CloseSpan() { trace.tracer.close(span); }
  } close_span{m_trace, span};
  const auto flags = co_await suite_flags(s);
  StepOutcome lib;  // (no co_await inside ?: : GCC 12 miscompiles it)
  if (flags.ok) lib = co_await library(s, flavour, span);
  out.commands = flags.commands + lib.commands;
  if (!flags.ok || !lib.ok) {
    out.ok = false;
    out.error = flags.ok ? "library build failed: " + lib.error : flags.error;
    out.log = flags.ok ? lib.log : flags.log;
    out.end_s = m_trace.scheduler.now_s();
    co_return out;
  }
  const auto package = flags.package();
  const auto dir = build_dir(m_options.out_dir, suite.name, flavour);
  m_options.out->recreate(dir);
  m_options.out->create(dir + "/src");
  m_options.out->create(dir + "/obj");
  const auto& features = m_needed[{s, flavour}];
  m_trace.tracer.annotate(span, "features", std::to_string(features.size()));
  // The main object (the runtime: the same every run, so a compiler cache keeps it) and the table.
  std::vector<std::string> table;
  for (auto f : features) table.push_back(suite.features[f].name);
  const auto main_source = codegen::generate_main(suite);
  const auto table_source = codegen::generate_table(table);
  util::write_file(dir + "/main.c", main_source);
  util::write_file(dir + "/table.c", table_source);
  const std::vector<Command> main_steps{
      launched(main_compile(suite, flavour, m_options.out_dir, dir + "/main.c", dir + "/obj/main.o")),
      launched(main_compile(suite, flavour, m_options.out_dir, dir + "/table.c", dir + "/obj/table.o"))};
  const auto units = codegen::translation_units(suite, features, codegen::k_features_per_unit, codegen::k_features_per_cxx_unit);
  std::vector<std::vector<FeatureObject>> objects(units.size());
  std::string main_log, main_errors[2];
  co_await all_of(units.size() + 2, [&](std::size_t i) -> asio::awaitable<void> {
    if (i == units.size()) {
      main_errors[0] = co_await main_object(main_steps[0], main_source, dir + "/obj/main.o", main_log,
                                            SpanTag(span, "compile").with("suite", suite.name).with("feature", "(main)"));
    } else if (i > units.size()) {
      // The table names the features (not their code): the same after every edit of the same features.
      main_errors[1] = co_await main_object(main_steps[1], table_source, dir + "/obj/table.o", main_log,
                                            SpanTag(span, "compile").with("suite", suite.name).with("feature", "(table)"));
    } else {
      objects[i] = co_await unit_objects(s, units[i], i + 1, flavour, dir, package, span);
    }
  });
  const auto main_error = main_errors[0].empty() ? main_errors[1] : main_errors[0];
  out.link_commands = main_steps[0].display() + "\n" + main_steps[1].display() + "\n";
  for (std::size_t u = 0; u < units.size(); ++u)
    for (std::size_t i = 0; i < units[u].size(); ++i) out.objects[units[u][i]] = objects[u][i];
  if (!main_error.empty()) {
    out.ok = false;
    out.error = "the driver's main object did not compile: " + main_error;
    out.log = main_log;
    out.end_s = m_trace.scheduler.now_s();
    co_return out;
  }
  std::vector<Command> script = main_steps;
  co_await link_drivers(s, flavour, dir, package, features, script, out, span);
  // build.sh rebuilds the whole driver by hand.
  std::vector<Command> all;
  std::set<std::string> compiled;
  for (const auto& [f, object] : out.objects)
    if (compiled.insert(object.object).second) all.push_back(object.compile);
  all.insert(all.end(), script.begin(), script.end());
  write_script(dir + "/build.sh", all);
  out.end_s = m_trace.scheduler.now_s();
  co_return out;
}

// Features of `features` that share a translation unit's object, compiled alone: a unit's object
// carries every member's undefined references into any driver it is linked into.
asio::awaitable<void> DriverBuilds::compile_alone(std::size_t s, Flavour flavour, const std::string& dir,
                                                  const PackageFlags& package, const std::vector<std::size_t>& features,
                                                  DriverBuild& out, Span span) {
  std::map<std::string, int> users;
  for (auto f : features) ++users[out.objects[f].object];
  std::vector<std::size_t> again;
  for (auto f : features)
    if (users[out.objects[f].object] > 1) again.push_back(f);
  std::vector<FeatureObject> objects(again.size());
  co_await all_of(again.size(), [&](std::size_t i) -> asio::awaitable<void> {
    objects[i] = co_await feature_object(s, again[i], flavour, dir, package, span);
  });
  for (std::size_t i = 0; i < again.size(); ++i) out.objects[again[i]] = std::move(objects[i]);
}

// One link of every compiled feature without link flags of its own; a driver of its own for each
// feature with them, and for every feature when the shared link fails, so one bad feature cannot
// stop the others.
asio::awaitable<void> DriverBuilds::link_drivers(std::size_t s, Flavour flavour, const std::string& dir,
                                                 const PackageFlags& package, const std::vector<std::size_t>& features,
                                                 std::vector<Command>& script, DriverBuild& out, Span span) {
  const auto& suite = m_suites[s];
  const auto main_object = dir + "/obj/main.o", table_object = dir + "/obj/table.o";
  const auto lib_dir = library_dir(m_options.out_dir, suite.name, flavour);
  std::vector<std::string> shared_objects{main_object, table_object};
  std::vector<std::size_t> shared, alone;
  bool any_cxx = false;
  for (auto f : features) {
    const auto& feature = suite.features[f];
    if (!out.objects[f].ok) continue;
    if (!feature.ldflags.empty()) {
      alone.push_back(f);
      continue;
    }
    shared.push_back(f);
    if (std::find(shared_objects.begin(), shared_objects.end(), out.objects[f].object) == shared_objects.end())
      shared_objects.push_back(out.objects[f].object);
    any_cxx = any_cxx || codegen::language_of(suite, feature) == model::Language::cxx;
  }
  if (!shared.empty()) {
    const auto link = driver_link(suite, flavour, shared_objects, dir + "/driver", lib_dir, package, any_cxx, {});
    script.push_back(link);
    std::string log;
    const auto error = co_await run_step(link, dir + "/link", log, -1, SpanTag(span, "link").with("suite", suite.name));
    if (error.empty()) {
      out.binary = dir + "/driver";
      out.link_commands += link.display() + "\n";
    } else {
      out.log = log;
      alone.insert(alone.end(), shared.begin(), shared.end());
      co_await compile_alone(s, flavour, dir, package, shared, out, span);
      std::erase_if(alone, [&](std::size_t f) { return !out.objects[f].ok; });
    }
  }
  std::vector<std::string> errors(alone.size()), logs(alone.size());
  std::vector<Command> links;
  for (auto f : alone) {
    const auto& feature = suite.features[f];
    links.push_back(driver_link(suite, flavour, {main_object, table_object, out.objects[f].object},
                                dir + "/driver-" + feature.name, lib_dir, package,
                                codegen::language_of(suite, feature) == model::Language::cxx, feature.ldflags));
  }
  co_await all_of(alone.size(), [&](std::size_t i) -> asio::awaitable<void> {
    const auto& name = suite.features[alone[i]].name;
    errors[i] = co_await run_step(links[i], dir + "/link-" + name, logs[i], -1,
                                  SpanTag(span, "link").with("suite", suite.name).with("feature", name));
  });
  for (std::size_t i = 0; i < alone.size(); ++i) {
    script.push_back(links[i]);
    auto& object = out.objects[alone[i]];
    if (errors[i].empty()) {
      out.own_binary[alone[i]] = dir + "/driver-" + suite.features[alone[i]].name;
    } else {
      object.ok = false;
      object.error = "the driver did not link: " + errors[i];
      object.log += logs[i];
    }
    object.commands += links[i].display() + "\n";
  }
}

}  // namespace harness::exec
