#include "harness/cli/commands.hpp"
#include "harness/exec/output_dir.hpp"
#include "harness/util/files.hpp"
#include "harness/util/interrupt.hpp"
#include "reports/json_report.hpp"
#include "reports/merge.hpp"
#include "reports/registry.hpp"
#include "reports/results_reader.hpp"
#include "reports/terminal_summary.hpp"

#include <fmt/format.h>

#include <filesystem>

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

namespace harness::cli {
namespace fs = std::filesystem;

namespace {
std::string absolute_root(const std::string& root) {
  auto s = fs::absolute(root.empty() ? "." : root).lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}
}  // namespace

int report_command(const ReportCommandOptions& options) {
  auto renderers = reports::select_renderers(options.reports);
  if (!renderers) {
    fmt::print(stderr, "sohound: {}\n", renderers.error().message);
    return k_exit_usage;
  }
  auto summary = reports::read_results(options.results);
  if (!summary) {
    fmt::print(stderr, "{}\n", summary.error().message);
    return k_exit_usage;
  }
  // The reports go to a folder Sohound owns (the run's own --out has its mark), never over files
  // of the user's in a folder a results.json was copied to.
  bool busy = false;
  auto claimed = exec::OutputDir::claim(
      options.out_dir.empty() ? fs::absolute(options.results).parent_path().string() : options.out_dir, &busy);
  if (!claimed) {
    fmt::print(stderr, "{}{}\n", claimed.error().message,
               options.out_dir.empty() ? " (or give the report command an --out folder)" : "");
    return busy ? k_exit_infrastructure : k_exit_usage;
  }
  const auto dir = claimed->path();
  reports::ReportOptions report_options;
  report_options.source_root = absolute_root(options.source_root);
  // A results.json may come from anywhere: its frames name files, but snippets are read only
  // under --source-root (the working directory by default), never where the file points.
  report_options.snippet_roots = {report_options.source_root};
  // Re-rendering results.json onto itself would only rewrite it: skip that.
  std::vector<const reports::Renderer*> selected;
  for (const auto* r : *renderers)
    if (!(r->name == "json" && fs::equivalent(dir, fs::absolute(options.results).parent_path()))) selected.push_back(r);
  const auto signals_before = util::signal_count();  // a signal while rendering stops it: exit 130
  auto written = reports::write_reports(*summary, aggregate::collect_bugs(*summary), selected, dir, report_options);
  if (!written) {
    fmt::print(stderr, "sohound: {}\n", written.error().message);
    return util::signal_count() != signals_before ? 130 : k_exit_infrastructure;
  }
  for (const auto& path : *written) fmt::print("report: {}\n", path);
  return k_exit_ok;
}

// -o names a file: a folder is refused (before any work); its folder is made (`make_folder`), as
// --out's is. 0 when it can be written.
int prepare_merge_output(const std::string& output, bool make_folder) {
  std::error_code ec;
  if (std::filesystem::is_directory(output, ec)) {
    fmt::print(stderr, "sohound merge: -o {} is a folder; name the file to write (for example {}/results.json)\n", output,
               output);
    return k_exit_usage;
  }
  if (const auto parent = std::filesystem::path(output).parent_path(); make_folder && !parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      fmt::print(stderr, "sohound merge: cannot make the folder {} for -o: {}\n", parent.string(), ec.message());
      return k_exit_usage;
    }
  }
  return 0;
}

int merge_command(const MergeOptions& options) {
  if (const int refused = prepare_merge_output(options.output, false)) return refused;
  auto tracer = make_tracer();
  const auto span = tracer.open("merge");
  tracer.annotate(span, "inputs", std::to_string(options.inputs.size()));
  // The inputs are read side by side (each a parse of up to ~100 MB; bench/merge_10k.sh).
  std::vector<std::optional<util::Result<model::RunSummary>>> read(options.inputs.size());
  {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i; (i = next++) < options.inputs.size();) read[i] = reports::read_results(options.inputs[i]);
    };
    const auto threads = std::min<std::size_t>(options.inputs.size(), std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
  }
  std::vector<model::RunSummary> runs;
  for (auto& summary : read) {
    if (!*summary) {
      fmt::print(stderr, "{}\n", (*summary).error().message);
      return k_exit_usage;
    }
    runs.push_back(std::move(**summary));
  }
  read.clear();
  const auto inputs = runs.size();
  // The merge is not freed: the process ends right after writing it, and freeing ~100 MB of small
  // allocations costs a tenth of a second for nothing (clang's -disable-free).
  auto& merged =
      *new auto(reports::merge_runs(std::move(runs), options.inputs, {options.allow_duplicates, options.allow_partial}));
  if (!merged) {
    fmt::print(stderr, "sohound merge: {}\n", merged.error().message);
    return k_exit_usage;
  }
  if (model::is_partial(*merged)) {
    fmt::print(stderr, "sohound merge: PARTIAL (--allow-partial): these results are not the whole run:\n");
    for (const auto& problem : merged->merge->problems) fmt::print(stderr, "  - {}\n", problem);
  }
  if (merged->merge) {
    tracer.annotate(span, "shards", fmt::format("{} of {}", merged->merge->shards.size(), merged->merge->total));
    tracer.annotate(span, "partial", merged->merge->partial ? "true" : "false");
  }
  tracer.close(span);
  for (auto& s : tracer.spans()) merged->spans.push_back(std::move(s));
  if (const int refused = prepare_merge_output(options.output, true)) return refused;
  util::AtomicFile out(options.output);
  const auto bugs = aggregate::collect_bugs(*merged);
  reports::write_json(*merged, bugs, out.stream());
  if (!out.commit()) {
    fmt::print(stderr, "sohound merge: cannot write {}\n", options.output);
    return k_exit_infrastructure;
  }
  // The merged answer, as a run prints it: the jobs that did not pass and the unexpected findings.
  reports::TerminalOptions terminal;
  terminal.color = ::isatty(STDOUT_FILENO) != 0;
  terminal.list_passing = false;
  reports::write_terminal_summary(*merged, bugs, std::cout, terminal);
  std::cout.flush();
  if (merged->merge)
    fmt::print("merged {} of {} shards, {} jobs{}: {}\n", merged->merge->shards.size(), merged->merge->total, merged->jobs.size(),
               merged->merge->partial ? " (PARTIAL)" : "", options.output);
  else
    fmt::print("merged {} runs, {} jobs: {}\n", inputs, merged->jobs.size(), options.output);
  if (!write_trace_files(merged->spans, options.trace, options.trace_otlp, merged->sohound_version)) return k_exit_infrastructure;
  return model::exit_code(*merged);
}

}  // namespace harness::cli
