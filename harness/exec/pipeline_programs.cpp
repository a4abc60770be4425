// Runs of one program in one Valgrind start (issue 22): the start library (drivers/sohound_zygote.c)
// forks a child per run once the dynamic loader is done, and each child goes on into the program's
// main with its run's arguments, output files and folder. Each run's report is its own XML document
// (cut out of the parent's file at the offsets the parent gives) and its own text log; each is read
// as a run alone is (read_program_reports). Whatever cannot be shown to be a whole run's (the parent
// reported something of its own before the runs, a run with no status or whose report is not whole,
// a process left running, the start library not reached) runs again alone.
#include "harness/exec/build_commands.hpp"
#include "harness/exec/elf_symbols.hpp"
#include "harness/exec/job_folder.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/exec/pipeline_impl.hpp"
#include "harness/exec/shared_start.hpp"
#include "harness/exec/strays.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <csignal>
#include <filesystem>

namespace harness::exec {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using model::JobOutcome;

namespace {

constexpr const char* k_runs_file = "zygote.runs";
constexpr const char* k_status_file = "zygote.status";

// The command line a Valgrind command runs (what follows "--"), and its program.
std::vector<std::string> client_argv(const Command& command) {
  const auto dash = std::find(command.argv.begin(), command.argv.end(), std::string("--"));
  return dash == command.argv.end() ? std::vector<std::string>{} : std::vector<std::string>(dash + 1, command.argv.end());
}

std::string client_of(const Command& command) {
  const auto argv = client_argv(command);
  return argv.empty() ? std::string() : argv.front();
}

// The pid a report file is named for (vg.PID.xml), or 0.
long pid_of_report(const std::string& name) {
  if (!util::starts_with(name, "vg.") || !util::ends_with(name, ".xml")) return 0;
  try {
    return std::stol(name.substr(3, name.size() - 7));
  } catch (...) {
    return 0;
  }
}

// The runs' own reports: the start's own document (which must be whole and report nothing: each
// run alone would report what it did before the runs) and, for each run, the reports of the
// processes it started that Valgrind followed (vg.PID.xml, whose parent chain leads to the run's
// PID). nullopt when that cannot be shown.
std::optional<std::map<std::size_t, std::vector<std::string>>> runs_own_files(const std::string& dir, const SharedStatus& status,
                                                                              const SharedXml& split) {
  const auto parent_xml = fmt::format("{}/vg.{}.xml", dir, status.parent);
  util::write_file(parent_xml, split.own);
  const auto own = parse::valgrind_xml_file(parent_xml);
  if (!own || !own->complete || own->fatal_signal || !parse::valgrind_findings(*own).empty()) return std::nullopt;
  std::map<long, std::size_t> run_of_pid;
  for (const auto& [index, end] : status.runs) run_of_pid[end.pid] = index;
  std::map<long, long> parent_of;
  std::vector<std::pair<long, std::string>> others;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    const auto pid = pid_of_report(name);
    if (pid == 0 || pid == status.parent || run_of_pid.count(pid)) continue;
    const auto report = parse::valgrind_xml_file(entry.path().string());
    if (!report) return std::nullopt;
    parent_of[pid] = report->ppid;
    others.emplace_back(pid, name);
  }
  std::map<std::size_t, std::vector<std::string>> files;
  for (const auto& [pid, name] : others) {
    long at = pid;
    for (int depth = 0; depth < 64 && !run_of_pid.count(at) && parent_of.count(at); ++depth) at = parent_of[at];
    if (!run_of_pid.count(at)) return std::nullopt;
    files[run_of_pid[at]].push_back(name);
  }
  return files;
}

// Moves a run's reports from the start's folder into its job's: its document, its text log, and
// its followed children's files.
void move_run_reports(const std::string& dir, const std::string& job_dir, long pid, const std::string& document,
                      const std::vector<std::string>& children) {
  util::write_file(fmt::format("{}/vg.{}.xml", job_dir, pid), document);
  std::error_code ec;
  fs::rename(fmt::format("{}/vg.{}.log", dir, pid), fmt::format("{}/vg.{}.log", job_dir, pid), ec);
  for (const auto& name : children) {
    fs::rename(dir + "/" + name, job_dir + "/" + name, ec);
    fs::rename(fs::path(dir + "/" + name).replace_extension(".log"), fs::path(job_dir + "/" + name).replace_extension(".log"),
               ec);
  }
}

// How a run ended, as a process of its own would have told it.
ProcessResult process_of(const SharedRunEnd& end) {
  ProcessResult process;
  process.exit_code = end.how == SharedRunEnd::How::exit ? end.value : -1;
  process.signal = end.how == SharedRunEnd::How::signal ? end.value : end.how == SharedRunEnd::How::timeout ? SIGTERM : 0;
  return process;
}

}  // namespace

// The start's command and each run's part in it; nullopt when the runs cannot share a start (each
// then runs alone, as it would without this).
std::optional<Pipeline::Impl::SharedStartPlan> Pipeline::Impl::plan_shared_start(const std::vector<std::size_t>& indices) {
  const auto& first = (*jobs)[indices.front()];
  const auto& suite = suites[first.suite];
  const auto& lead = suite.features[first.feature];
  const auto& info = model::info(first.tool);
  SharedStartPlan plan;
  const auto env = model::environment_of(suite, lead);
  plan.dir = batch_dir(options.out_dir, suite.name, first.tool, ++batch_numbers[{first.suite, first.tool}]);
  plan.command = program_command(first.tool, *lead.program, plan.dir, env, options.host, runtime_supp(), options.channel_preload);
  plan.binary = client_of(plan.command);
  // The start library is reached only through the C library's dynamic start (a script, a static
  // program, a program found on PATH, a folder that is not there: each alone, as without this).
  if (options.zygote_preload.empty() || !util::starts_with(plan.binary, "/") || program_interpreter(plan.binary).empty() ||
      (!plan.command.cwd.empty() && !fs::is_directory(plan.command.cwd)))
    return std::nullopt;
  plan.native_timeout = lead.timeout_s.value_or(suite.timeout_s);
  plan.run_timeout_ms = static_cast<long>(model::scaled_timeout_s(plan.native_timeout, first.tool) * 1000);
  std::vector<std::string> writable = {plan.dir};
  std::vector<SharedRun> runs;
  for (auto index : indices) {
    const auto& feature = suite.features[(*jobs)[index].feature];
    const auto own_dir = job_dir(options.out_dir, suite.name, feature.name, std::string(info.name));
    auto alone =
        program_command(first.tool, *feature.program, own_dir, env, options.host, runtime_supp(), options.channel_preload);
    // The plan put them together (plan::make_units); what each run's process is given must be so.
    if (client_of(alone) != plan.binary || alone.env != plan.command.env || alone.unset_env != plan.command.unset_env)
      return std::nullopt;
    plan.scripts.push_back(prepare_job_folder(*options.out, own_dir, suite, first.tool, alone));
    runs.push_back({alone.cwd, alone.stdout_path, alone.stderr_path, plan.run_timeout_ms, client_argv(alone)});
    plan.names.push_back(feature.name);
    plan.job_dirs.push_back(own_dir);
    writable.push_back(own_dir);
  }
  record_program_inputs(indices.front(), plan.command, plan.dir);
  prepare_job_folder(*options.out, plan.dir, suite, first.tool, plan.command);
  plan.shown = plan.command;
  auto& command = plan.command;
  util::write_file(plan.dir + "/" + k_runs_file, encode_shared_runs(runs));
  command.env["SOHOUND_ZYGOTE"] = plan.dir + "/" + k_runs_file;
  command.env["SOHOUND_ZYGOTE_EXE"] = plan.binary;
  command.env["SOHOUND_ZYGOTE_STATUS"] = plan.dir + "/" + k_status_file;
  command.env["SOHOUND_ZYGOTE_XML_DIR"] = plan.dir;
  if (sandbox.on) command.env["SOHOUND_ZYGOTE_CLEAN"] = util::join(private_temporary_folders(), ":");
  auto& preload = command.env["LD_PRELOAD"];
  preload = preload.empty() ? options.zygote_preload : preload + ":" + options.zygote_preload;
  command.token = new_job_token();
  command.max_file_bytes = k_max_job_file_bytes;
  confine(command, sandbox, writable);
  return plan;
}

// A run's result, read from its own reports as a run alone is.
model::JobResult Pipeline::Impl::shared_run_result(std::size_t index, std::size_t k, const SharedStartPlan& plan,
                                                   const SharedRunEnd& end, const std::vector<std::string>& notes) {
  const auto& plan_of = (*jobs)[index];
  const auto& feature = suites[plan_of.suite].features[plan_of.feature];
  const auto& info = model::info(plan_of.tool);
  auto job = base_result(index);
  job.job_dir = plan.job_dirs[k];
  const auto process = process_of(end);
  const auto stopped = end.how == SharedRunEnd::How::timeout
                           ? timeout_text(std::chrono::milliseconds(plan.run_timeout_ms), plan.native_timeout, info, "")
                           : std::string();
  job.notes = notes;
  job.notes.push_back(
      fmt::format("ran in one {} start with {} other run{} of {} (the program's libraries were loaded, and their constructors "
                  "run, once before the runs; docs/programs.md, \"Runs of one program share a Valgrind start\")",
                  info.name, plan.names.size() - 1, plan.names.size() == 2 ? "" : "s", plan.binary));
  read_program_reports(job, process, stopped, *feature.program, info.flavour, {});
  job.exit_code = process.exit_code;
  job.signal = process.signal;
  job.log = util::read_file_ends(job.job_dir + "/stderr.txt", 0, 16 * 1024);
  job.run_command = plan.scripts[k];
  write_script(job.job_dir + "/batch.sh", {plan.shown});
  job.unit = plan.dir;
  job.unit_features = plan.names;
  job.sandboxed = sandbox.on;
  job.duration_s = end.seconds;
  return job;
}

asio::awaitable<void> Pipeline::Impl::execute_program_runs(std::vector<std::size_t> indices, int priority) {
  // Programs keyed on what they open run with the recorder, the others without: never together.
  std::vector<std::size_t> recorded, named;
  for (auto i : indices) (record_bases.count(i) ? recorded : named).push_back(i);
  if (!recorded.empty() && !named.empty()) {
    for (auto* part : {&recorded, &named}) {
      if (part->size() > 1)
        co_await execute_program_runs(*part, priority);
      else
        co_await execute_program(part->front(), priority);
    }
    co_return;
  }
  co_await first_pass((*jobs)[indices.front()].tool, indices.size());  // (never slim: many runs; waits for the copies)
  auto plan = plan_shared_start(indices);
  if (!plan) {
    for (auto i : indices) co_await execute_program(i, priority);
    co_return;
  }
  const auto tool = (*jobs)[indices.front()].tool;
  // Each run has its own limit (the start library stops it); the whole has their sum and a start.
  const auto timeout = std::chrono::milliseconds(plan->run_timeout_ms * static_cast<long>(indices.size()) + 60'000);
  ++stats.processes;
  ++stats.batches;
  const auto run = co_await scheduler.run(plan->command, timeout, priority);
  const auto span = unit_span(run, tool, suites[(*jobs)[indices.front()].suite].name, plan->names);
  auto notes = process_notes_for(tool, plan->command.token);
  util::append(notes, run.process.notes);
  const double parse_start = scheduler.now_s();
  const auto status = parse_shared_status(util::read_file_or_empty(plan->dir + "/" + k_status_file));
  const auto split =
      status.parent > 0
          ? split_shared_xml(util::read_file_or_empty(fmt::format("{}/vg.{}.xml", plan->dir, status.parent)), status)
          : std::nullopt;
  const bool ended = run.process.started && !run.timed_out && run.process.signal == 0 && run.process.exit_code == 0 &&
                     run.process.strays.empty() && status.done && status.runs.size() == indices.size() &&
                     status.runs.rbegin()->first < indices.size() && split;  // every run 0..n-1 has its line
  const auto children = ended ? runs_own_files(plan->dir, status, *split) : std::nullopt;
  if (!children) {
    co_await run_each_alone(indices, priority, span, "runs run again alone");
    co_return;
  }
  const double parse_end = scheduler.now_s();
  process_span("parse", span, parse_start, parse_end);
  std::vector<std::size_t> with_origins;
  // What the runs opened (when they are keyed on it): each run's own part of the start's record.
  const auto record =
      record_bases.count(indices.front()) ? util::read_file_or_empty(plan->dir + "/" + k_record_file) : std::string();
  std::set<long> pids;
  for (const auto& [index, end] : status.runs) pids.insert(end.pid);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto& end = status.runs.at(k);
    const auto document = split->runs.count(k) ? split->runs.at(k) : std::string();
    move_run_reports(plan->dir, plan->job_dirs[k], end.pid, document,
                     children->count(k) ? children->at(k) : std::vector<std::string>{});
    auto job = shared_run_result(indices[k], k, *plan, end, notes);
    job.phases = {{"run", run.start_s, run.end_s}, {"parse", parse_start, parse_end}};
    std::optional<RecordedInputs> inputs;
    if (!record.empty()) inputs = read_record(record_of_run(record, end.pid, pids), {options.out_dir});
    key_on_record(indices[k], job, plan->dir, &inputs);
    if (needs_origins(job))
      with_origins.push_back(indices[k]);
    else
      finish(indices[k], std::move(job), span);
  }
  tracer().annotate(span, "outcome", "ok");
  tracer().close(span);
  for (auto i : with_origins) co_await execute_program(i, priority, Pass{false, true, true});
}

}  // namespace harness::exec
