// Parser throughput on generated reports of 100 MB and 200 MB, streamed from disk in chunks, with
// the process's peak RSS as a counter: the same peak for both sizes means memory does not grow
// with the input. Run: build/bench/sohound_bench --benchmark_filter=Parse
#include "harness/aggregate/fingerprint.hpp"
#include "harness/parse/sanitizer_log.hpp"
#include "harness/parse/valgrind_findings.hpp"
#include "harness/parse/valgrind_xml.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {
namespace fs = std::filesystem;

std::string data_dir() {
  const char* dir = std::getenv("SOHOUND_BENCH_DIR");
  fs::path p = dir ? dir : (fs::temp_directory_path() / "sohound-bench");
  fs::create_directories(p);
  return p.string();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

std::string frames_xml(int seed, int n) {
  std::string out = "  <stack>\n";
  for (int i = 0; i < n; ++i)
    out += fmt::format(
        "    <frame>\n      <ip>0x{:X}</ip>\n      <obj>/home/dev/project/build/libexample.so</obj>\n"
        "      <fn>example::module_{}::function_{}(int, char const*)</fn>\n      <dir>/home/dev/project/src</dir>\n"
        "      <file>module_{}.cpp</file>\n      <line>{}</line>\n    </frame>\n",
        0x401000 + seed * 64 + i, seed % 97, i, seed % 97, 10 + i * 7);
  return out + "  </stack>\n";
}

// A memcheck XML file of about `mb` megabytes: invalid reads with an allocation stack, and leaks.
std::string valgrind_file(int mb) {
  const auto path = fmt::format("{}/memcheck-{}mb.xml", data_dir(), mb);
  if (fs::exists(path) && fs::file_size(path) >= static_cast<std::uintmax_t>(mb) << 20) return path;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs(
      "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<protocolversion>4</protocolversion>\n"
      "<protocoltool>memcheck</protocoltool>\n<pid>4242</pid>\n<ppid>1</ppid>\n<tool>memcheck</tool>\n"
      "<status>\n  <state>RUNNING</state>\n  <time>00:00:00:00.157 </time>\n</status>\n",
      f);
  std::uintmax_t written = 0;
  for (int i = 0; written < static_cast<std::uintmax_t>(mb) << 20; ++i) {
    std::string rec;
    if (i % 2 == 0)
      rec = fmt::format(
          "<error>\n  <unique>0x{:x}</unique>\n  <tid>1</tid>\n  <kind>InvalidRead</kind>\n"
          "  <what>Invalid read of size 4</what>\n{}  <auxwhat>Address 0x4d6fca8 is 0 bytes after a "
          "block of size 40 alloc'd</auxwhat>\n{}</error>\n",
          i, frames_xml(i, 12), frames_xml(i + 1, 8));
    else
      rec = fmt::format(
          "<error>\n  <unique>0x{:x}</unique>\n  <tid>1</tid>\n  <kind>Leak_DefinitelyLost</kind>\n"
          "  <xwhat>\n    <text>16 bytes in 1 blocks are definitely lost in loss record {} of 9</text>\n"
          "    <leakedbytes>16</leakedbytes>\n    <leakedblocks>1</leakedblocks>\n  </xwhat>\n{}</error>\n",
          i, i, frames_xml(i, 12));
    std::fwrite(rec.data(), 1, rec.size(), f);
    written += rec.size();
  }
  std::fputs("<status>\n  <state>FINISHED</state>\n  <time>00:00:01:00.000 </time>\n</status>\n</valgrindoutput>\n", f);
  std::fclose(f);
  return path;
}

std::string sanitizer_file(int mb) {
  const auto path = fmt::format("{}/asan-{}mb.log", data_dir(), mb);
  if (fs::exists(path) && fs::file_size(path) >= static_cast<std::uintmax_t>(mb) << 20) return path;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::uintmax_t written = 0;
  for (int i = 0; written < static_cast<std::uintmax_t>(mb) << 20; ++i) {
    std::string rec = fmt::format(
        "=================================================================\n"
        "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x604000000038 at pc 0x5637edd35284 bp "
        "0x7ffc06e2b1b0 sp 0x7ffc06e2b1a8\nREAD of size 4 at 0x604000000038 thread T0\n");
    for (int k = 0; k < 12; ++k)
      rec += fmt::format(
          "    #{} 0x5637edd3{:04x} in example::module_{}::function_{}(int, char const*) "
          "/home/dev/project/src/module_{}.cpp:{}:{}\n",
          k, i % 65536, i % 97, k, i % 97, 10 + k * 7, 3);
    rec +=
        "\n0x604000000038 is located 0 bytes to the right of 40-byte region [0x604000000010,0x604000000038)\n"
        "allocated by thread T0 here:\n";
    for (int k = 0; k < 8; ++k)
      rec += fmt::format("    #{} 0x7f63630b{:04x} in alloc_{} /home/dev/project/src/alloc.cpp:{}\n", k, i % 65536, k, 20 + k);
    rec += "\nSUMMARY: AddressSanitizer: heap-buffer-overflow /home/dev/project/src/module.cpp:10 in function_0\n";
    std::fwrite(rec.data(), 1, rec.size(), f);
    written += rec.size();
  }
  std::fclose(f);
  return path;
}

void BM_ParseValgrindXml(benchmark::State& state) {
  const int mb = static_cast<int>(state.range(0));
  const auto path = valgrind_file(mb);
  const auto bytes = fs::file_size(path);
  std::size_t findings = 0;
  for (auto _ : state) {
    auto report = harness::parse::valgrind_xml_file(path, [&](harness::parse::ValgrindError&& e) {
      auto f = harness::parse::valgrind_finding("memcheck", std::move(e), 4242);
      benchmark::DoNotOptimize(f);
      ++findings;
    });
    if (!report || !report->complete) state.SkipWithError("parse failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["input_mb"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["findings"] = static_cast<double>(findings) / static_cast<double>(state.iterations());
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void BM_ParseSanitizerLog(benchmark::State& state) {
  const int mb = static_cast<int>(state.range(0));
  const auto path = sanitizer_file(mb);
  const auto bytes = fs::file_size(path);
  std::size_t findings = 0;
  for (auto _ : state) {
    auto report = harness::parse::sanitizer_log_file(path, [&](harness::model::Finding&& f) {
      benchmark::DoNotOptimize(f);
      ++findings;
    });
    benchmark::DoNotOptimize(report);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["input_mb"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["findings"] = static_cast<double>(findings) / static_cast<double>(state.iterations());
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void BM_Fingerprint(benchmark::State& state) {
  std::vector<harness::model::Frame> stack;
  stack.push_back({"__interceptor_malloc", "", 0, "libasan.so.8"});
  for (int i = 0; i < 12; ++i) stack.push_back({fmt::format("ns::f{}(int, char const*)", i), "/src/a.cpp", i, "/lib.so"});
  for (auto _ : state) benchmark::DoNotOptimize(harness::aggregate::fingerprint("leak.definite", stack));
}

BENCHMARK(BM_ParseValgrindXml)->Arg(100)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ParseSanitizerLog)->Arg(100)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Fingerprint);

}  // namespace

BENCHMARK_MAIN();
