// Running units: a unit's jobs by their kind (programs alone, features in their suite's driver),
// one tool process per batch, and what its end means for each feature (split_unit).
#include "harness/adopt/gtest.hpp"
#include "harness/codegen/driver_codegen.hpp"
#include "harness/exec/build_commands.hpp"
#include "harness/exec/job_folder.hpp"
#include "harness/exec/job_reports.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/exec/pipeline_impl.hpp"
#include "harness/exec/recorded_inputs.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <random>

namespace harness::exec {
namespace asio = boost::asio;
using model::JobOutcome;

namespace {

// The driver's nonce file in a run unit's folder, and a fresh nonce (128 random bits, hex).
constexpr const char* k_nonce_file = "sohound-nonce";
std::string new_nonce() {
  static std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", static_cast<std::uint32_t>(random()));
  return out;
}

std::string missing_build_message(const model::ToolInfo& info, const model::ProgramSpec& program) {
  return fmt::format("no {} build of the program was given ({}); {} needs the program built with -fsanitize={}",
                     model::name(info.flavour), fmt::format(fmt::runtime(program.build_hint), model::name(info.flavour)),
                     info.name, model::info(info.flavour).sanitize);
}

}  // namespace

// What a job stopped at its limit is told: "stopped after 6.0 s (0.3 s x20 for memcheck)".
std::string timeout_text(std::chrono::milliseconds timeout, double native_s, const model::ToolInfo& info,
                         const std::string& extra) {
  const bool capped = model::scaled_timeout_s(native_s, info.tool) < native_s * info.timeout_scale;
  return fmt::format("stopped after {:.1f} s ({} s x{} for {}{}{})", timeout.count() / 1000.0, native_s, info.timeout_scale,
                     info.name, capped ? fmt::format(", at most {:.0f} s", model::k_max_scaled_timeout_s) : "", extra);
}

asio::awaitable<void> Pipeline::Impl::run_unit(plan::RunUnit unit, int priority) {
  // The user's own programs need no driver: each runs alone (isolation_for), but the cases of one
  // GoogleTest binary that the plan put together (model::can_share_gtest_process),
  // and runs of one program that the plan put together (model::can_share_program_process).
  std::vector<std::size_t> drivers, gtest, runs;
  for (auto index : unit.jobs) {
    const auto& program = suites[unit.suite].features[(*jobs)[index].feature].program;
    if (program && model::can_share_gtest_process(*program, unit.tool))
      gtest.push_back(index);
    else if (program &&
             (order.constrained(index) || !program->verdict.required_files.empty() || !program->verdict.cannot_run.empty()))
      co_await execute_in_turn(index, priority);
    else if (program && unit.jobs.size() > 1 && model::can_share_program_process(*program, unit.tool))
      runs.push_back(index);
    else if (program)
      co_await execute_program(index, priority);
    else
      drivers.push_back(index);
  }
  if (gtest.size() > 1)
    co_await execute_gtest_cases(gtest, priority);
  else if (gtest.size() == 1)
    co_await execute_program(gtest.front(), priority);
  if (runs.size() > 1)
    co_await execute_program_runs(runs, priority);
  else if (runs.size() == 1)
    co_await execute_program(runs.front(), priority);
  if (drivers.empty()) co_return;
  const auto build = co_await builds->driver(unit.suite, model::info(unit.tool).flavour);
  std::vector<std::size_t> shared;
  for (auto index : drivers) {
    const auto f = (*jobs)[index].feature;
    if (!build.ok) {
      build_failed(index, build.error, build.log, build.commands, build);
      continue;
    }
    const auto& object = build.objects.at(f);
    if (!object.ok) {
      build_failed(index, object.error, object.log, build.commands + object.commands, build);
    } else if (auto own = build.own_binary.find(f); own != build.own_binary.end()) {
      co_await execute(std::vector<std::size_t>(1, index), own->second, build, priority);
    } else if (build.binary.empty()) {
      build_failed(index, "the driver did not link", build.log, build.commands + object.commands + build.link_commands, build);
    } else {
      shared.push_back(index);
    }
  }
  if (!shared.empty()) co_await execute(shared, build.binary, build, priority);
}

// What a finished tool process's job is told: the sanitizer start-up risk on this kernel, then
// what the process did to Sohound (notes taken by its job token).
std::vector<std::string> Pipeline::Impl::process_notes_for(model::Tool tool, const std::string& token) {
  std::vector<std::string> notes;
  if (model::info(tool).shadow_memory)
    if (!start_risk.empty()) notes.push_back(start_risk);
  if (auto it = process_notes.find(token); it != process_notes.end()) {
    util::append(notes, it->second);
    process_notes.erase(it);
  }
  return notes;
}

// A tool process's span ("unit": the process, then parsing and judging what it reported), opened
// when the process has ended; the caller closes it after judging.
Pipeline::Impl::Span Pipeline::Impl::unit_span(const RunResult& run, model::Tool tool, const std::string& suite,
                                               const std::vector<std::string>& features) {
  if (!tracer().enabled()) return model::Tracer::k_none;
  const auto unit = tracer().open("unit", root());
  tracer().set_start(unit, scheduler.at(run.start_s));
  const auto process = process_span("tool process", unit, run.start_s, run.end_s);
  for (auto span : {unit, process}) {
    tracer().annotate(span, "suite", suite);
    tracer().annotate(span, "tool", std::string(model::name(tool)));
    tracer().annotate(span, "features", util::join(features, ","));
  }
  tracer().annotate(process, "cache_hit", "false");
  tracer().annotate(process, "exit_code", std::to_string(run.process.exit_code));
  if (run.process.signal) tracer().annotate(process, "signal", std::to_string(run.process.signal));
  if (run.timed_out) tracer().annotate(process, "timed_out", "true");
  return unit;
}

void Pipeline::Impl::record_program_inputs(std::size_t index, Command& command, const std::string& dir) const {
  if (!record_bases.count(index)) return;
  const auto& plan = (*jobs)[index];
  const auto& program = *suites[plan.suite].features[plan.feature].program;
  record_inputs(command, program, program.program_for(model::info(plan.tool).flavour), dir, options.record_preload);
}

void Pipeline::Impl::key_on_record(std::size_t index, model::JobResult& job, const std::string& dir,
                                   std::optional<RecordedInputs>* read) {
  const auto base = record_bases.find(index);
  if (base == record_bases.end()) return;
  job.cache_key.clear();
  manifests.erase(index);
  // What is not cached anyway (a timeout, a tool failure) says nothing of its record.
  if (job.outcome != JobOutcome::ok && job.outcome != JobOutcome::crashed && job.outcome != JobOutcome::exited_early) return;
  std::optional<RecordedInputs> here;
  auto& kept = read ? *read : here;
  if (!kept) kept = read_record(util::read_file_or_empty(dir + "/" + k_record_file), {options.out_dir});
  const auto& record = *kept;
  if (!record.uncacheable.empty()) {
    job.notes.push_back("not cached (it runs again next time): " + record.uncacheable);
    return;
  }
  job.cache_key = CacheKeys::recorded_key(base->second, record.inputs);
  manifests[index] = encode_manifest(record.inputs);
}

void Pipeline::Impl::read_program_reports(model::JobResult& job, const ProcessResult& process, const std::string& timeout_message,
                                          const model::ProgramSpec& program, model::Flavour flavour, const std::string& nonce) {
  read_job_reports(job, process, timeout_message, nullptr, &program, nonce, !start_risk.empty());
  for (auto& f : job.findings) coroutines.name(f, {program.program_for(flavour)});
}

// Runs one of the user's programs under the job's tool (model::ProgramSpec).
asio::awaitable<void> Pipeline::Impl::execute_program(std::size_t index, int priority, std::optional<Pass> given) {
  const auto& plan = (*jobs)[index];
  const auto& suite = suites[plan.suite];
  const auto& feature = suite.features[plan.feature];
  const auto& program = *feature.program;
  const auto& info = model::info(plan.tool);
  auto job = base_result(index);
  job.job_dir = job_dir(options.out_dir, suite.name, feature.name, std::string(info.name));
  auto command = program_command(plan.tool, program, job.job_dir, model::environment_of(suite, feature), options.host,
                                 runtime_supp(), options.channel_preload);
  const auto pass = given ? *given : co_await first_pass(plan.tool, 1);
  if (pass.origins) track_origins(command);
  util::append(job.notes, pass_notes(pass));
  // Not run: no build for the tool's flavour, or no channel for a sanitizer's reports.
  if (command.argv.empty() || (info.family == model::ToolFamily::sanitizer && options.channel_preload.empty())) {
    job.outcome = command.argv.empty() ? JobOutcome::skipped : JobOutcome::tool_failed;
    job.message = command.argv.empty()
                      ? missing_build_message(info, program)
                      : fmt::format(
                            "{} is not installed beside sohound (nor in ../libexec/sohound): it carries {}'s reports "
                            "out of the program, and without it a clean result proves nothing; reinstall Sohound",
                            k_channel_preload, info.name);
    job.job_dir.clear();
    job.cache_key.clear();
    finish(index, std::move(job));
    co_return;
  }
  if (const auto& cwd = program.cwd_for(info.flavour); !cwd.empty() && !std::filesystem::is_directory(cwd)) {
    not_run(index, JobOutcome::not_run, fmt::format("its working folder {} is not there", cwd));
    co_return;
  }
  record_program_inputs(index, command, job.job_dir);
  job.run_command = prepare_job_folder(*options.out, job.job_dir, suite, plan.tool, command);
  command.token = new_job_token();
  // The run's secret for the channel's completion record (read and removed by the channel
  // library in the program; job_reports checks the record carries it).
  std::string nonce;
  if (info.family == model::ToolFamily::sanitizer) {
    nonce = new_nonce();
    util::write_file(job.job_dir + "/" + k_nonce_file, nonce + "\n");
    command.env["SOHOUND_NONCE_FILE"] = job.job_dir + "/" + k_nonce_file;
  }
  command.max_file_bytes = k_max_job_file_bytes;
  confine(command, sandbox, {job.job_dir}, pass.slim);
  job.sandboxed = sandbox.on;
  const double native_timeout = feature.timeout_s.value_or(suite.timeout_s);
  const auto timeout =
      std::chrono::milliseconds(static_cast<long long>(model::scaled_timeout_s(native_timeout, plan.tool) * 1000));
  ++stats.processes;
  const auto run = co_await scheduler.run(command, timeout, priority, order.slots(index, scheduler.max_parallel()));
  const auto unit = unit_span(run, plan.tool, suite.name, {feature.name});
  if (pass.slim) tracer().annotate(unit, "debug_info", "symbols");
  util::append(job.notes, process_notes_for(plan.tool, command.token));
  util::append(job.notes, run.process.notes);
  const double parse_start = scheduler.now_s();
  read_program_reports(job, run.process, run.timed_out ? timeout_text(timeout, native_timeout, info, "") : std::string(), program,
                       info.flavour, nonce);
  job.exit_code = run.process.exit_code;
  job.signal = run.process.signal;
  job.log = util::read_file_ends(job.job_dir + "/stderr.txt", 0, 16 * 1024);
  const double parse_end = scheduler.now_s();
  job.phases.push_back({"run", run.start_s, run.end_s});
  job.phases.push_back({"parse", parse_start, parse_end});
  job.duration_s = parse_end - run.start_s;
  process_span("parse", unit, parse_start, parse_end);
  tracer().annotate(unit, "outcome", std::string(model::to_string(job.outcome)));
  key_on_record(index, job, job.job_dir);
  bool origins = pass.origins;
  if (const auto why = why_again(job, pass, command, origins); !why.empty()) {
    tracer().annotate(unit, "again", why);
    tracer().close(unit);
    co_await execute_program(index, priority, Pass{false, origins, true});
    co_return;
  }
  finish(index, std::move(job), unit);
  tracer().close(unit);
}

// The cases of one GoogleTest binary in one memcheck process. Each case's findings are those whose
// stack names its TestBody (adopt::findings_by_case), its verdict GoogleTest's own line for it.
// When that cannot be known for every case (a finding that names no TestBody, a case that did not
// finish, a signal, a timeout, reports that are not whole), each case runs alone instead, as it
// would without this: no case is ever judged on a guess.
asio::awaitable<void> Pipeline::Impl::execute_gtest_cases(std::vector<std::size_t> indices, int priority) {
  using State = adopt::GtestCaseRun::State;
  const auto& first = (*jobs)[indices.front()];
  const auto& suite = suites[first.suite];
  const auto& lead = suite.features[first.feature];
  const auto& info = model::info(first.tool);
  std::vector<std::string> cases, names;
  for (auto i : indices) cases.push_back(suite.features[(*jobs)[i].feature].program->gtest_case);
  for (auto i : indices) names.push_back(suite.features[(*jobs)[i].feature].name);
  auto program = *lead.program;
  program.gtest_case = util::join(cases, ":");
  const auto dir = batch_dir(options.out_dir, suite.name, first.tool, ++batch_numbers[{first.suite, first.tool}]);
  const auto env = model::environment_of(suite, lead);
  auto command = program_command(first.tool, program, dir, env, options.host, runtime_supp(), options.channel_preload);
  record_program_inputs(indices.front(), command, dir);
  prepare_job_folder(*options.out, dir, suite, first.tool, command);
  const auto shown = command;
  command.token = new_job_token();
  command.max_file_bytes = k_max_job_file_bytes;
  co_await first_pass(first.tool, indices.size());  // (never slim: a batch)
  confine(command, sandbox, {dir});
  const double native_timeout = lead.timeout_s.value_or(suite.timeout_s);
  const auto timeout = std::chrono::milliseconds(
      static_cast<long long>(model::scaled_timeout_s(native_timeout, first.tool) * 1000 * static_cast<double>(cases.size())));
  ++stats.processes;
  ++stats.batches;
  const auto run = co_await scheduler.run(command, timeout, priority);
  const auto span = unit_span(run, first.tool, suite.name, names);
  auto whole = base_result(indices.front());
  whole.job_dir = dir;
  whole.notes = process_notes_for(first.tool, command.token);
  util::append(whole.notes, run.process.notes);
  const double parse_start = scheduler.now_s();
  read_program_reports(whole, run.process, run.timed_out ? "timed out" : "", program, info.flavour, {});
  whole.log = util::read_file_ends(dir + "/stderr.txt", 0, 16 * 1024);
  const auto progress = adopt::parse_gtest_progress(util::read_file_or_empty(dir + "/stdout.txt"));
  auto by_case = adopt::findings_by_case(whole.findings, cases);
  const bool ended = !run.timed_out && run.process.signal == 0 &&
                     (whole.outcome == JobOutcome::ok || (whole.outcome == JobOutcome::crashed && run.process.exit_code == 1));
  if (!by_case || !ended || !adopt::every_case_ended(progress, cases, whole.outcome == JobOutcome::crashed)) {
    co_await run_each_alone(indices, priority, span, "cases run again alone");
    co_return;
  }
  const double parse_end = scheduler.now_s();
  process_span("parse", span, parse_start, parse_end);
  std::vector<std::size_t> with_origins;  // cases that reported an uninitialised value: alone, with origins
  std::optional<RecordedInputs> record;   // what the batch's process opened: read once, keys every case
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto& feature = suite.features[(*jobs)[indices[k]].feature];
    const auto& fate = progress.at(cases[k]);
    auto job = base_result(indices[k]);
    job.job_dir = job_dir(options.out_dir, suite.name, feature.name, std::string(info.name));
    auto alone =
        program_command(first.tool, *feature.program, job.job_dir, env, options.host, runtime_supp(), options.channel_preload);
    job.run_command = prepare_job_folder(*options.out, job.job_dir, suite, first.tool, alone);
    write_script(job.job_dir + "/batch.sh", {shown});
    job.unit = dir;
    job.unit_features = names;
    job.sandboxed = sandbox.on;
    job.outcome = fate.state == State::failed ? JobOutcome::crashed : JobOutcome::ok;
    if (fate.state == State::failed) job.message = gtest_failure_message(cases[k], run.process.exit_code);
    job.exit_code = fate.state == State::failed ? run.process.exit_code : 0;
    job.notes = whole.notes;
    job.log = whole.log;
    job.reports = whole.reports;
    job.findings = std::move((*by_case)[cases[k]]);
    job.phases = {{"run", run.start_s, run.end_s}, {"parse", parse_start, parse_end}};
    job.duration_s = fate.seconds >= 0 ? fate.seconds : (run.end_s - run.start_s) / static_cast<double>(cases.size());
    key_on_record(indices[k], job, dir, &record);
    if (needs_origins(job))
      with_origins.push_back(indices[k]);
    else
      finish(indices[k], std::move(job), span);
  }
  tracer().annotate(span, "outcome", std::string(model::to_string(whole.outcome)));
  tracer().close(span);
  for (auto i : with_origins) co_await execute_program(i, priority, Pass{false, true, true});
}

// A shared process's runs when what it reported cannot be given to each: each runs again alone,
// and only those runs are reported.
asio::awaitable<void> Pipeline::Impl::run_each_alone(const std::vector<std::size_t>& indices, int priority, Span span,
                                                     const std::string& why) {
  tracer().annotate(span, "outcome", why);
  tracer().close(span);
  stats.reruns += indices.size();
  for (auto i : indices) co_await execute_program(i, priority);
}

// Runs `indices` (jobs of one suite and tool) in one process of `binary` and reads what it reported.
asio::awaitable<Pipeline::Impl::UnitRun> Pipeline::Impl::run_process(const std::vector<std::size_t>& indices,
                                                                     const std::string& binary, int priority, Pass pass) {
  const auto& first = (*jobs)[indices.front()];
  const auto& suite = suites[first.suite];
  const auto& lead = suite.features[first.feature];
  const auto tool = first.tool;
  const auto& info = model::info(tool);
  const bool batch = indices.size() > 1;
  UnitRun u;
  for (auto i : indices) u.names.push_back(suite.features[(*jobs)[i].feature].name);
  const double native_timeout = lead.timeout_s.value_or(suite.timeout_s);
  const double feature_timeout = model::scaled_timeout_s(native_timeout, tool);
  u.dir = batch ? batch_dir(options.out_dir, suite.name, tool, ++batch_numbers[{first.suite, tool}])
                : job_dir(options.out_dir, suite.name, u.names.front(), std::string(info.name));
  // The lead feature's environment is the batch's (planned so: plan::make_units).
  u.env = model::environment_of(suite, lead);
  u.feature_timeout = feature_timeout;
  auto command = unit_command({tool, binary, u.dir, u.names, u.env, feature_timeout, options.host, runtime_supp()});
  // Memcheck's driver reads whether leaked coroutine frames had finished (drivers/sohound_rt_frames.h)
  // only where there are coroutines: the driver's or the library's clone symbols. Elsewhere the
  // reading would cost each leak check that found new leaks ~20 ms and tell nothing.
  // The job's program and the library under test: where its coroutines are looked up.
  const std::vector<std::string> objects = {binary, library_file(options.out_dir, suite, info.flavour)};
  if (tool == model::Tool::memcheck && coroutines.any(objects)) command.env["SOHOUND_FRAME_STATES"] = "1";
  u.pass = pass;
  if (pass.origins) track_origins(command);
  u.script = prepare_job_folder(*options.out, u.dir, suite, tool, command);
  u.command = command;
  command.token = new_job_token();
  command.max_file_bytes = k_max_job_file_bytes;
  // The run's secret for its completion record (read and removed by the driver before any
  // feature runs; job_reports checks the reports end with it).
  const auto nonce = new_nonce();
  util::write_file(u.dir + "/" + k_nonce_file, nonce + "\n");
  command.env["SOHOUND_NONCE_FILE"] = u.dir + "/" + k_nonce_file;
  confine(command, sandbox, {u.dir}, pass.slim);
  // A batch's limit is the sum of its features' (each feature also has its own, in the driver).
  const auto timeout =
      std::chrono::milliseconds(static_cast<long long>(feature_timeout * 1000 * static_cast<double>(u.names.size())));
  ++stats.processes;
  if (batch) ++stats.batches;
  u.run = co_await scheduler.run(command, timeout, priority);
  u.span = unit_span(u.run, tool, suite.name, u.names);
  if (pass.slim) tracer().annotate(u.span, "debug_info", "symbols");
  u.process.tool = tool;
  u.process.job_dir = u.dir;
  u.process.notes = blind_spots(suite, tool);
  util::append(u.process.notes, process_notes_for(tool, command.token));
  util::append(u.process.notes, u.run.process.notes);
  u.parse_start = scheduler.now_s();
  std::vector<ProcessStream> streams;
  const auto stopped = timeout_text(timeout, native_timeout, info, batch ? fmt::format(", x{} features", u.names.size()) : "");
  read_job_reports(u.process, u.run.process, u.run.timed_out ? stopped : std::string(), &streams, nullptr, nonce,
                   !start_risk.empty());
  for (auto& stream : streams)
    for (auto& owned : stream.findings) coroutines.name(owned.finding, objects);
  u.shares = attribute(streams, u.names, [](const std::string& name) { return codegen::body_function_name(name); });
  u.process.log = util::read_file_ends(u.dir + "/stderr.txt", 0, 16 * 1024);
  u.parse_end = scheduler.now_s();
  process_span("parse", u.span, u.parse_start, u.parse_end);
  tracer().annotate(u.span, "outcome", std::string(model::to_string(u.process.outcome)));
  co_return u;
}

// A feature's result from its unit's process: the process's outcome when `whole`, else its own
// share (it finished). A batch's feature also gets a folder of its own with the command that
// reproduces it alone (run.sh) beside the batch's (batch.sh).
model::JobResult Pipeline::Impl::feature_result(std::size_t index, const UnitRun& u, bool whole, const FeatureShare& share,
                                                const DriverBuild& build, const std::string& binary) {
  const auto& plan = (*jobs)[index];
  const auto& suite = suites[plan.suite];
  const auto& f = suite.features[plan.feature];
  const auto& info = model::info(plan.tool);
  const auto& object = build.objects.at(plan.feature);
  auto job = base_result(index);
  job.sandboxed = sandbox.on;
  job.outcome = whole ? u.process.outcome : JobOutcome::ok;
  job.message = whole ? u.process.message : std::string();
  job.exit_code = u.run.process.exit_code;
  job.signal = u.run.process.signal;
  job.notes = u.process.notes;
  util::append(job.notes, pass_notes(u.pass));
  util::append(job.notes, share.notes);
  job.log = u.process.log;
  job.reports = u.process.reports;
  job.findings = share.findings;
  job.driver_source = object.source;
  job.build_command = build.commands + object.commands + build.link_commands;
  job.phases.push_back({"build", build.start_s, build.end_s});
  job.phases.push_back({"run", u.run.start_s, u.run.end_s});
  job.phases.push_back({"parse", u.parse_start, u.parse_end});
  job.job_dir = job_dir(options.out_dir, suite.name, f.name, std::string(info.name));
  if (u.names.size() == 1) {
    job.run_command = u.script;
    job.duration_s = u.parse_end - u.run.start_s;
    return job;
  }
  auto alone = unit_command({plan.tool, binary, job.job_dir, {f.name}, u.env, u.feature_timeout, options.host, runtime_supp()});
  if (u.pass.origins) track_origins(alone);
  job.run_command = prepare_job_folder(*options.out, job.job_dir, suite, plan.tool, alone);
  write_script(job.job_dir + "/batch.sh", {u.command});
  job.unit = u.dir;
  job.unit_features = u.names;
  job.duration_s = share.seconds >= 0 ? share.seconds : (u.run.end_s - u.run.start_s) / static_cast<double>(u.names.size());
  return job;
}

// Runs `indices` in one process and shares out what it reported. When a batch stops inside a
// feature, that feature runs again alone and the ones after it in a new batch (split_unit); the
// features whose memcheck run reported uninitialised values run again together with origins.
asio::awaitable<void> Pipeline::Impl::execute(std::vector<std::size_t> indices, const std::string& binary,
                                              const DriverBuild& build, int priority, std::optional<Pass> given) {
  const auto pass = given ? *given : co_await first_pass((*jobs)[indices.front()].tool, indices.size());
  auto u = co_await run_process(indices, binary, priority, pass);
  std::vector<FeatureState> states;
  for (const auto& name : u.names) states.push_back(u.shares[name].state);
  const auto split = split_unit(states);
  std::vector<std::size_t> read_again;  // whose pass did not stand: again, together, over the full debug files
  bool origins = pass.origins;
  for (auto k : split.report) {
    auto result = feature_result(indices[k], u, split.whole, u.shares[u.names[k]], build, binary);
    if (const auto why = why_again(result, pass, u.command, origins); !why.empty()) {
      tracer().annotate(u.span, "again", why);
      read_again.push_back(indices[k]);
    } else {
      finish(indices[k], std::move(result), u.span);
    }
  }
  tracer().close(u.span);
  // A split's runs are passes of the same kind (a first pass's split decides its own).
  const auto rest = given;
  if (split.run_alone) {
    ++stats.reruns;
    co_await execute(std::vector<std::size_t>(1, indices[*split.run_alone]), binary, build, priority, rest);
  }
  if (!split.run_again.empty()) {
    std::vector<std::size_t> later;
    for (auto k : split.run_again) later.push_back(indices[k]);
    co_await execute(later, binary, build, priority, rest);
  }
  if (!read_again.empty()) co_await execute(read_again, binary, build, priority, Pass{false, origins, true});
}

}  // namespace harness::exec
