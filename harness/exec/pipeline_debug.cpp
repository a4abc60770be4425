// The pipeline's room for the runtimes' debug files: their copies for the sandbox (exec/debug_copies)
// and the passes of a Valgrind process over them (exec/slim_debug).
#include "harness/exec/debug_copies.hpp"
#include "harness/exec/pipeline_impl.hpp"
#include "harness/exec/slim_debug.hpp"
#include "harness/exec/tool_commands.hpp"
#include "harness/util/files.hpp"
#include "harness/util/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>

#include <unistd.h>

namespace harness::exec {

namespace asio = boost::asio;

asio::awaitable<void> Pipeline::Impl::make_debug_copies() {
  if (const char* off = std::getenv("SOHOUND_DEBUG_COPIES"); off && std::string_view(off) == "0") co_return;
  const auto objcopy = util::find_on_path("objcopy");
  const auto files = objcopy.empty() ? std::vector<DebugFile>{} : compressed_runtime_debug_files();
  if (files.empty()) co_return;
  const auto span = tracer().open("debug copies", root());
  // Kept in the result cache; without one, only the slim copies are made, for this run, in its own
  // runtime folder: they cost ~0.05 CPU-s and 0.4 MB and save ~0.15 CPU-s per one-job Valgrind
  // process, where decompressed ones would cost ~0.2 CPU-s and 14 MB to save ~5 % of each.
  const bool kept_copies = cache.enabled();
  const auto dir = kept_copies ? cache.debug_copy_dir() : runtime_dir(options.out_dir) + "/debug";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::vector<std::pair<std::string, std::string>> replaced, slimmed;
  std::vector<std::string> slimmed_libraries;
  int made = 0;
  // One copy of `file` (slim, or decompressed), kept or made now; "" when it cannot be made.
  const auto copy_of = [&](const DebugFile& file, bool slim) -> asio::awaitable<std::string> {
    // Named by what it copies (the original as it is now) and with what; trusted while the copy is
    // the very file its signed record names (a rewrite changes its change time).
    Hasher hasher;
    hasher.add("debug copy").add(file.build_id).add(file_identity(file.path)).add(program_identity(objcopy));
    if (slim) hasher.add("slim");  // (the decompressed copies' keys as before)
    const auto key = hasher.hex();
    const auto copy = dir + "/" + key + ".debug";
    if (const auto kept = kept_copies ? cache.load_debug_copy(key) : std::nullopt; kept && *kept == file_identity(copy))
      co_return copy;
    const auto part = fmt::format("{}.{}.part", copy, ::getpid());
    auto make = slim ? slim_command(objcopy, file.path, part) : decompress_command(objcopy, file.path, part);
    make.stderr_path = runtime_dir(options.out_dir) + "/debug-copy.txt";
    const auto run = co_await scheduler.run(make, std::chrono::seconds(60), -3);
    if (!run.process.started || run.process.exit_code != 0 || run.timed_out) {
      std::filesystem::remove(part, ec);
      co_return std::string();  // the original is read, as without the sandbox
    }
    std::filesystem::rename(part, copy, ec);
    if (ec) co_return std::string();
    ++made;
    if (!kept_copies) co_return copy;
    cache.store_debug_copy(key, file_identity(copy));
    if (const auto size = std::filesystem::file_size(copy, ec); !ec) cache.note_written(size);
    co_return copy;
  };
  for (const auto& file : files) {
    std::string full;  // (not `kept_copies ? co_await ... : ...`: GCC 12 destroys that temporary twice)
    if (kept_copies) full = co_await copy_of(file, false);
    if (!full.empty()) replaced.emplace_back(full, file.path);
    if (const auto slim = co_await copy_of(file, true); !slim.empty()) {
      slimmed.emplace_back(slim, file.path);
      slimmed_libraries.push_back(file.library);
    } else if (!full.empty()) {
      slimmed.emplace_back(full, file.path);
    }
  }
  if (tracer().enabled()) {
    tracer().annotate(span, "files", std::to_string(files.size()));
    tracer().annotate(span, "made", std::to_string(made));
  }
  tracer().close(span);
  sandbox.replaced = std::move(replaced);
  sandbox.slimmed = std::move(slimmed);
  sandbox.slimmed_libraries = std::move(slimmed_libraries);
}

asio::awaitable<Pipeline::Impl::Pass> Pipeline::Impl::first_pass(model::Tool tool, std::size_t count) {
  if (model::info(tool).family != model::ToolFamily::valgrind) co_return Pass{};
  co_await debug_copies_pending->wait_all();
  co_return Pass{sandbox.on && count == 1 && !sandbox.slimmed_libraries.empty(), false};
}

std::vector<std::string> Pipeline::Impl::pass_notes(const Pass& pass) {
  if (pass.origins) return {k_origins_note};
  if (pass.again) return {k_full_debug_note};
  return {};
}

const std::map<std::string, bool>& Pipeline::Impl::suppressions_alike_in(const std::string& file) {
  auto [it, added] = suppressions_alike.try_emplace(file);
  if (added && !file.empty()) it->second = suppressions_matching_alike(util::read_file_or_empty(file));
  return it->second;
}

std::string Pipeline::Impl::why_again(model::JobResult& job, const Pass& pass, const Command& command, bool& origins) {
  std::string why;
  if (!pass.origins && needs_origins(job)) {
    origins = true;
    why = "it reported uninitialised values (their origins need --track-origins)";
  }
  if (!pass.slim || !why.empty()) return why;
  // The suppressions in force: Valgrind's own (unless turned off) and the command's files.
  std::map<std::string, bool> alike;
  const auto add = [&alike](const std::map<std::string, bool>& file) {
    for (const auto& [name, same] : file) {
      const auto [it, added] = alike.emplace(name, same);
      if (!added) it->second = it->second && same;
    }
  };
  if (std::find(command.argv.begin(), command.argv.end(), "--default-suppressions=no") == command.argv.end()) {
    if (!default_suppressions) default_suppressions = valgrind_default_suppressions();
    add(suppressions_alike_in(*default_suppressions));
  }
  for (const auto& arg : command.argv)
    if (util::starts_with(arg, "--suppressions="))
      add(suppressions_alike_in(arg.substr(std::string_view("--suppressions=").size())));
  why = why_read_again(job, sandbox.slimmed_libraries, alike);
  if (!why.empty() && job.outcome == model::JobOutcome::timeout) {
    job.notes.push_back(k_symbols_only_note);
    return {};
  }
  return why;
}

}  // namespace harness::exec
