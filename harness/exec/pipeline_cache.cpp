// A run's cache look-ups (the part of Pipeline::Impl that makes every job's key and reads what the
// cache holds for it): Valgrind's version, the libraries programs load, the keys, the entries.
#include "harness/exec/pipeline.hpp"
#include "harness/exec/pipeline_impl.hpp"

#include "harness/exec/cache_keys.hpp"
#include "harness/exec/driver_builds.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/recorded_inputs.hpp"
#include "harness/exec/result_cache.hpp"
#include "harness/util/files.hpp"

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>
#include <thread>

namespace harness::exec {
namespace asio = boost::asio;

// The libraries each program's loader resolves, for their cache keys: `ld.so --list` through the
// launcher (its timeout, -j and cancellation), once per program file, side by side.
asio::awaitable<void> Pipeline::Impl::list_loaded_libraries(const std::vector<std::string>& programs) {
  PendingTasks listings(co_await asio::this_coro::executor);
  for (const auto& program : programs) {
    if (program.empty() || !listed.insert(program).second) continue;
    listings.add();
    scheduler.spawn([this, program, number = listed.size(), &listings]() -> asio::awaitable<void> {
      const PendingTasks::Guard guard(listings);
      co_await list_loaded_libraries_of(program, number);
    });
  }
  co_await listings.wait_all();
}

asio::awaitable<void> Pipeline::Impl::list_loaded_libraries_of(const std::string& program, std::size_t number) {
  auto command = loader_listing_command(program);
  if (command.argv.empty()) co_return;  // static: nothing loaded
  command.stdout_path = fmt::format("{}/loader-listing-{}.txt", runtime_dir(options.out_dir), number);
  command.may_leave_processes = false;  // the loader lists; it runs nothing
  const auto run = co_await scheduler.run(command, std::chrono::seconds(30), -3);
  keys->loaded_libraries(program, run.process.started ? parse_loader_listing(util::read_file_or_empty(command.stdout_path))
                                                      : std::vector<std::string>{});
}

// What every cache key depends on besides the suites (`valgrind --version` comes later:
// CacheKeys::set_valgrind_version).
CacheKeyFacts Pipeline::Impl::cache_key_facts() const {
  return CacheKeyFacts{options.out_dir,
                       cache.dir(),
                       options.sohound_version,
                       {},
                       runtime_supp(),
                       sandbox.on,
                       options.host,
                       options.channel_preload,
                       options.record_preload,
                       options.zygote_preload};
}

bool Pipeline::Impl::any_valgrind_job() const {
  return std::any_of(jobs->begin(), jobs->end(),
                     [](const plan::JobPlan& j) { return model::info(j.tool).family == model::ToolFamily::valgrind; });
}

// `valgrind --version` as an earlier run read it, while Valgrind's files are the same (an unchanged
// rerun starts no process at all).
const std::optional<std::string>& Pipeline::Impl::known_valgrind_version() {
  if (!valgrind_files_read) {
    valgrind_files_read = true;
    valgrind_files = valgrind_identity(options.host.valgrind);
    if (!valgrind_files.empty()) valgrind_known = cache.load_tool_version(valgrind_files);
  }
  return valgrind_known;
}

asio::awaitable<std::string> Pipeline::Impl::read_valgrind_version() {
  if (!valgrind_version) valgrind_version.emplace(co_await asio::this_coro::executor);
  co_return co_await valgrind_version->get([this]() -> asio::awaitable<std::string> {
    if (const auto& known = known_valgrind_version()) co_return *known;
    Command version;
    version.argv = {options.host.valgrind, "--version"};
    version.stdout_path = runtime_dir(options.out_dir) + "/valgrind-version.txt";
    version.may_leave_processes = false;
    const auto run = co_await scheduler.run(version, std::chrono::seconds(30), -3);
    if (!run.process.started) co_return "no valgrind";
    auto said = util::read_file_or_empty(version.stdout_path);
    if (run.process.exit_code == 0 && !run.timed_out && !said.empty() && !valgrind_files.empty())
      cache.store_tool_version(valgrind_files, said);
    co_return said;
  });
}

// Every job's key, and what the cache holds for it: the jobs to run and the cached ones (finished by
// finish_hits once the sandbox is decided, which the keys assume as planned).
asio::awaitable<Pipeline::Impl::Lookup> Pipeline::Impl::look_up_cache() {
  Lookup found;
  auto& to_run = found.to_run;
  if (!cache.enabled()) {
    for (std::size_t i = 0; i < jobs->size(); ++i) to_run.push_back(i);
    co_return found;
  }
  const auto lookup = tracer().open("cache lookup", root());
  listed.clear();
  record_bases.clear();
  keys.emplace(suites, cache_key_facts());
  const auto keys_span = tracer().open("keys", lookup);
  for (auto& slot : *results) slot.cache_key.clear();  // (made again when the sandbox probe said no)
  // Generated drivers' jobs first: their keys take the Valgrind version last, so they are made
  // while `valgrind --version` (started with the run) is still running.
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    const auto& plan = (*jobs)[i];
    const auto& feature = suites[plan.suite].features[plan.feature];
    if (!feature.todo.empty() || feature.program) continue;  // a todo is never built nor run: finish_todo
    const auto flags = co_await builds->suite_flags(plan.suite);
    if (flags.ok) (*results)[i].cache_key = keys->job_key(plan, flags.package());  // else: a build failure
  }
  const auto facts_span = tracer().open("key facts", lookup);
  if (any_valgrind_job()) keys->set_valgrind_version(co_await read_valgrind_version());
  tracer().close(facts_span);
  for (std::size_t i = 0; i < jobs->size(); ++i)
    if (!suites[(*jobs)[i].suite].features[(*jobs)[i].feature].program)
      (*results)[i].cache_key = keys->with_tool_version((*results)[i].cache_key, (*jobs)[i].tool);
  std::vector<std::string> programs;
  for (const auto& plan : *jobs)
    if (const auto& program = suites[plan.suite].features[plan.feature].program;
        program && (program->inputs || keys->records_inputs(plan)))
      programs.push_back(keys->program_file(plan));
  co_await list_loaded_libraries(programs);
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    const auto& plan = (*jobs)[i];
    auto& slot = (*results)[i];
    const auto& feature = suites[plan.suite].features[plan.feature];
    if (!feature.todo.empty() || !feature.program) continue;
    // A program is keyed on the inputs its spec names, else on what its last run opened (the
    // manifest stored under the key of how it runs): docs/programs.md, "Cache".
    if (feature.program->inputs || keys->records_inputs(plan)) slot.cache_key = keys->program_key(plan);
    if (keys->records_inputs(plan) && !slot.cache_key.empty()) {
      record_bases[i] = slot.cache_key;
      const auto manifest = cache.load_manifest(slot.cache_key);
      const auto inputs = manifest ? decode_manifest(*manifest) : std::nullopt;
      slot.cache_key = inputs ? CacheKeys::recorded_key(record_bases[i], *inputs) : std::string();
    }
  }
  std::vector<std::string> wanted;  // "" for a job without a key: a todo, or a suite whose flags failed
  for (const auto& slot : *results) wanted.push_back(slot.cache_key);
  tracer().close(keys_span);
  if (on_keys_made) {
    on_keys_made(wanted);
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);  // what it started starts
  }
  const auto entries_span = tracer().open("entries", lookup);
  auto loaded = cache.load_all(wanted, std::max(1u, std::thread::hardware_concurrency()));
  tracer().close(entries_span);
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    if (loaded[i])
      found.hits.emplace_back(i, std::move(*loaded[i]));
    else
      to_run.push_back(i);
  }
  tracer().annotate(lookup, "jobs", std::to_string(jobs->size()));
  tracer().annotate(lookup, "hits", std::to_string(jobs->size() - to_run.size()));
  tracer().close(lookup);
  co_return found;
}

}  // namespace harness::exec
