// Batch mode and the result cache against the real tools: features that share a process are
// attributed exactly as when each runs alone, and a job whose inputs did not change is not run.
#include "e2e_support.hpp"

#include "harness/testing/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <tuple>

namespace e2e {
namespace {

namespace fs = std::filesystem;
using Key = std::tuple<std::string, std::string, std::string, std::string>;

// (feature, tool, kind, fingerprint) of every finding not suppressed, and (feature, tool, outcome).
std::set<Key> finding_set(const json& r) {
  std::set<Key> out;
  for (const auto& j : r["jobs"])
    for (const auto& f : j["findings"])
      if (f["status"] != "suppressed")
        out.insert(Key{j["feature"].get<std::string>(), j["tool"].get<std::string>(), f["kind"].get<std::string>(),
                       f["fingerprint"].get<std::string>()});
  return out;
}

std::set<Key> outcome_set(const json& r) {
  std::set<Key> out;
  for (const auto& j : r["jobs"])
    out.insert(Key{j["feature"].get<std::string>(), j["tool"].get<std::string>(), j["outcome"].get<std::string>(), ""});
  return out;
}

std::string describe(const std::set<Key>& keys) {
  std::string text;
  for (const auto& [a, b, c, d] : keys) text += a + " " + b + " " + c + " " + d + "\n";
  return text;
}

void expect_same(const std::string& batch_run, const std::string& process_run, bool batched = true) {
  const auto& batch = results(batch_run);
  const auto& process = results(process_run);
  ASSERT_TRUE(batch.contains("jobs")) << batch_run;
  ASSERT_TRUE(process.contains("jobs")) << process_run;
  if (batched) {
    EXPECT_GT(batch["execution"]["batches"].get<int>(), 0) << batch_run << " ran no batch";
  }
  EXPECT_EQ(process["execution"]["batches"].get<int>(), 0);
  std::set<Key> only_batch, only_process;
  const auto a = finding_set(batch), b = finding_set(process);
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(only_batch, only_batch.end()));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::inserter(only_process, only_process.end()));
  EXPECT_TRUE(only_batch.empty()) << "found only in batch mode:\n" << describe(only_batch);
  EXPECT_TRUE(only_process.empty()) << "found only in process mode:\n" << describe(only_process);
  EXPECT_EQ(outcome_set(batch), outcome_set(process));
  EXPECT_EQ(batch["exit_code"], process["exit_code"]);
}

TEST(BatchMode, ExamplesFindTheSameAsOneProcessPerFeature) { expect_same("examples", "examples-process"); }
TEST(BatchMode, ThreadsFindTheSameAsOneProcessPerFeature) { expect_same("threads", "threads-process"); }
TEST(BatchMode, FaultsEndTheSameAsOneProcessPerFeature) { expect_same("faults", "faults-process"); }
// Few features with mostly different outcomes: batches may shrink to single features here.
TEST(BatchMode, OutcomesEndTheSameAsOneProcessPerFeature) { expect_same("outcomes", "outcomes-process", false); }
TEST(BatchMode, BatchSpecFindsTheSameAsOneProcessPerFeature) { expect_same("batch", "batch-process"); }

// Every error-severity finding of a job, as "kind".
std::vector<std::string> errors(const json& job) {
  std::vector<std::string> kinds;
  for (const auto& f : job["findings"])
    if (f["severity"] == "error") kinds.push_back(f["kind"]);
  return kinds;
}

TEST(BatchMode, EachFaultIsAttributedToItsOwnFeatureOnly) {
  const auto& r = results("batch");
  for (const char* tool : {"memcheck", "asan"}) {
    SCOPED_TRACE(tool);
    for (const char* clean : {"before", "after_hang"}) {
      const auto* j = job("batch", clean, tool);
      ASSERT_TRUE(j) << clean;
      EXPECT_EQ((*j)["outcome"], "ok") << clean;
      EXPECT_TRUE(errors(*j).empty()) << clean << ": " << frames_of(*j);
    }
    const auto* leaks = job("batch", "leaks", tool);
    ASSERT_TRUE(leaks);
    const auto* leak = finding(*leaks, "leak.definite", "feature_leaks");
    ASSERT_TRUE(leak) << frames_of(*leaks);
    EXPECT_EQ((*leak)["bytes"], 24);
    const auto* last = job("batch", "last", tool);
    ASSERT_TRUE(last);
    ASSERT_TRUE(finding(*last, "leak.definite", "feature_last")) << frames_of(*last);
    EXPECT_EQ(errors(*last), std::vector<std::string>{"leak.definite"}) << "only its own 56-byte leak";
    EXPECT_EQ((*job("batch", "hangs", tool))["outcome"], "timeout");
    EXPECT_EQ((*job("batch", "crashes", tool))["outcome"], "crashed");
    EXPECT_EQ((*job("batch", "exits", tool))["outcome"], "exited_early");
  }
  // The descriptor left open is leaks_fd's (memcheck tracks descriptors), and no one else's.
  const auto* fd = job("batch", "leaks_fd", "memcheck");
  ASSERT_TRUE(fd);
  EXPECT_EQ(errors(*fd), std::vector<std::string>{"fd.leak"}) << frames_of(*fd);
  for (const auto& j : r["jobs"]) {
    if (j["feature"] == "leaks_fd") continue;
    for (const auto& f : j["findings"]) EXPECT_NE(f["kind"], "fd.leak") << j["feature"];
  }
  // A batch that stopped in a feature re-ran it alone, and the rest in a new batch.
  EXPECT_GE(r["execution"]["reruns"].get<int>(), 3);
  // The feature's own folder reproduces it alone, beside the batch's command.
  const auto* before = job("batch", "before", "memcheck");
  const std::string dir = (*before)["job_dir"];
  EXPECT_TRUE(fs::exists(dir + "/run.sh"));
  EXPECT_TRUE(fs::exists(dir + "/batch.sh"));
  EXPECT_NE((*before)["unit"], "");
  EXPECT_GT((*before)["unit_features"].size(), 1u);
  EXPECT_NE((*before)["run_command"].get<std::string>().find(" before"), std::string::npos);
}

// ---- Result cache -------------------------------------------------------------------------------

class ResultCacheRuns : public ::testing::Test {
 protected:
  harness::testing::TempDir tmp{"sohound-cache-e2e"};
  std::string spec() const { return tmp.path().string() + "/cache.yaml"; }
  std::string cache() const { return tmp.path().string() + "/cache"; }

  void write(const std::string& name, const std::string& text) { std::ofstream(tmp.path().string() + "/" + name) << text; }

  void write_spec(const std::string& a_code, const std::string& a_expect = "", const std::string& a_env = "") {
    write("cache.yaml",
          "suite: cache\n"
          "includes: [stdlib.h, example.h]\n"
          "tools: [memcheck, asan]\n"
          "library:\n  path: " +
              tmp.path().string() + "/libex.so\n  include-dirs: [" + tmp.path().string() +
              "]\n"
              "native-suppressions: {valgrind: [" +
              tmp.path().string() +
              "/vg.supp]}\n"
              // b first: a's edits below then move no line of b's (line numbers are in
              // its debug information, so moving b's code rightly runs b again).
              "features:\n"
              "  - name: b\n    code: |\n      void *volatile p = malloc(24); p = NULL;\n"
              "  - name: a\n" +
              a_env + "    code: |\n      " + a_code + "\n" + a_expect);
  }

  void build_library(const std::string& body) {
    write("example.h", "int ex_value(void);\n");
    write("ex.c", "int ex_value(void) { return " + body + "; }\n");
    ASSERT_EQ(std::system(
                  ("gcc -g -O0 -fPIC -shared -o " + tmp.path().string() + "/libex.so " + tmp.path().string() + "/ex.c").c_str()),
              0);
  }

  json run(int expected_exit = 1) {
    fs::remove_all(tmp.path().string() + "/out");
    const auto out = run_sohound("run " + spec() + " --cache-dir " + cache() + " --out " + tmp.path().string() +
                                 "/out --no-progress -j 2 --report json");
    EXPECT_EQ(out.exit_code, expected_exit) << out.text;
    return read_results(tmp.path().string() + "/out");
  }

  static std::set<std::string> cached_jobs(const json& r) {
    std::set<std::string> names;
    for (const auto& j : r["jobs"])
      if (j["cached"].get<bool>()) names.insert(j["feature"].get<std::string>() + "/" + j["tool"].get<std::string>());
    return names;
  }
};

TEST_F(ResultCacheRuns, RunsExactlyWhatChangedAndRejudgesTheRest) {
  build_library("1");
  write("vg.supp", "# none yet\n");
  write_spec("void *volatile p = malloc(40 + ex_value()); p = NULL;");
  const auto first = run();
  EXPECT_EQ(first["execution"]["processes"].get<int>() > 0, true);
  EXPECT_TRUE(cached_jobs(first).empty());

  // Unchanged: no tool runs, and the answer is the same.
  const auto second = run();
  EXPECT_EQ(second["execution"]["processes"], 0);
  EXPECT_EQ(cached_jobs(second).size(), 4u);
  EXPECT_EQ(finding_set(second), finding_set(first));
  EXPECT_EQ(second["exit_code"], first["exit_code"]);

  // Unchanged, from the spec's folder, into another --out: nothing runs; frames name that --out.
  run_sohound_shell("cd " + tmp.path().string() + " && " + SOHOUND_BIN + " run cache.yaml --cache-dir cache --out out2 -j 2");
  const auto from_folder = read_results(tmp.path().string() + "/out2");
  EXPECT_EQ(cached_jobs(from_folder).size(), 4u);
  EXPECT_EQ(finding_set(from_folder), finding_set(first));
  const auto* moved = finding(*job_in(from_folder, "b", "memcheck"), "leak.definite", "feature_b");
  ASSERT_TRUE(moved);
  EXPECT_EQ((*moved)["stack"][1]["object"], tmp.path().string() + "/out2/build/cache/plain/driver") << moved->dump(1);

  // One feature's code: only its jobs run. The drivers' main objects (the runtime) are not
  // compiled again: the first run kept them, one per flavour.
  write_spec("void *volatile p = malloc(41 + ex_value()); p = NULL;");
  const auto third = run();
  EXPECT_EQ(cached_jobs(third), (std::set<std::string>{"b/memcheck", "b/asan"}));
  const auto main_compiles = [](const json& r, const std::string& which = "(main)") {
    std::vector<std::string> kept;
    for (const auto& span : r["trace"]["spans"])
      if (span["name"] == "compile" && span["attributes"].value("feature", "") == which)
        kept.push_back(span["attributes"].value("kept", "no"));
    return kept;
  };
  EXPECT_EQ(main_compiles(first), (std::vector<std::string>{"no", "no"}));
  EXPECT_EQ(main_compiles(third), (std::vector<std::string>{"true", "true"}));

  // expect: changes the verdict without running anything.
  write_spec("void *volatile p = malloc(41 + ex_value()); p = NULL;", "    expect: [{kind: leak.definite}]\n");
  const auto fourth = run();
  EXPECT_EQ(fourth["execution"]["processes"], 0);
  const auto* a = job_in(fourth, "a", "memcheck");
  ASSERT_TRUE(a);
  ASSERT_TRUE(finding(*a, "leak.definite", "feature_a"));
  EXPECT_EQ((*finding(*a, "leak.definite", "feature_a"))["status"], "expected");

  // A native (Valgrind) suppression file: the Valgrind jobs run, the sanitizer ones do not.
  write("vg.supp", "# still none, but a different file\n");
  const auto fifth = run();
  EXPECT_EQ(cached_jobs(fifth), (std::set<std::string>{"a/asan", "b/asan"}));

  // The environment given to one feature (what its tool sees): that feature's jobs run.
  write_spec("void *volatile p = malloc(41 + ex_value()); p = NULL;", "    expect: [{kind: leak.definite}]\n",
             "    env: {EX_MODE: \"2\"}\n");
  const auto sixth = run();
  EXPECT_EQ(cached_jobs(sixth), (std::set<std::string>{"b/memcheck", "b/asan"}));
  // The drivers' tables of features name a alone, as after the first edit: kept, not compiled.
  EXPECT_EQ(main_compiles(third, "(table)"), (std::vector<std::string>{"no", "no"}));
  EXPECT_EQ(main_compiles(sixth, "(table)"), (std::vector<std::string>{"true", "true"}));

  // The library file: everything runs.
  build_library("2");
  const auto seventh = run();
  EXPECT_TRUE(cached_jobs(seventh).empty());

  // A damaged entry is ignored (and counted), never trusted: that job runs again. The last run's
  // pack (a copy of its entries in one file, read first) is gone too, or it would serve the entry.
  std::vector<fs::path> entries;
  for (const auto& e : fs::recursive_directory_iterator(cache() + "/v2/jobs"))
    if (e.is_regular_file()) entries.push_back(e.path());
  ASSERT_FALSE(entries.empty());
  std::sort(entries.begin(), entries.end(),
            [](const fs::path& x, const fs::path& y) { return fs::last_write_time(x) > fs::last_write_time(y); });
  fs::resize_file(entries.front(), fs::file_size(entries.front()) / 2);
  ASSERT_GT(fs::remove_all(cache() + "/v2/packs"), 0u);
  const auto eighth = run();
  EXPECT_EQ(eighth["execution"]["cache_damaged"], 1);
  EXPECT_EQ(cached_jobs(eighth).size(), 3u);
  EXPECT_EQ(finding_set(eighth), finding_set(seventh));

  // A pack cut short is passed over whole, for the entries' own files: the same jobs from the cache.
  const auto packs = fs::directory_iterator(cache() + "/v2/packs")->path();
  fs::resize_file(packs, fs::file_size(packs) - 100);
  const auto cut = run();
  EXPECT_EQ(cut["execution"]["cache_damaged"], 1);
  EXPECT_EQ(cached_jobs(cut).size(), 4u);
  EXPECT_EQ(finding_set(cut), finding_set(seventh));

  // A forged entry (issue 19: code under test editing the cache so a leaking feature passes from
  // it): every finding removed, the header kept, in the entries' own files and in the pack. Its MAC
  // no longer matches, and no one without the cache's key can make one that does: refused,
  // counted, and the job runs again.
  // "sohound-cache 5 KEY MAC", the lengths of the three texts kept as they are, the texts, the JSON.
  const auto forge = [](const std::string& entry) -> std::optional<std::string> {
    std::istringstream in(entry);
    std::string header, lengths, rest;
    std::getline(in, header);
    std::getline(in, lengths);
    std::getline(in, rest, '\0');
    std::size_t texts[3] = {};
    std::istringstream(lengths) >> texts[0] >> texts[1] >> texts[2];
    const auto all = texts[0] + texts[1] + texts[2];
    EXPECT_LE(all, rest.size());
    if (all > rest.size()) return std::nullopt;
    auto json = nlohmann::json::parse(rest.substr(all));
    if (json["findings"].empty()) return std::nullopt;
    json["findings"] = nlohmann::json::array();
    return header + "\n" + lengths + "\n" + rest.substr(0, all) + json.dump();
  };
  std::size_t forged = 0;
  for (const auto& e : fs::recursive_directory_iterator(cache() + "/v2/jobs")) {
    if (!e.is_regular_file()) continue;
    std::stringstream text;
    text << std::ifstream(e.path()).rdbuf();
    if (const auto edited = forge(text.str())) {
      std::ofstream(e.path()) << *edited;
      ++forged;
    }
  }
  ASSERT_GT(forged, 0u);
  std::size_t forged_in_pack = 0;
  {
    // The pack: "sohound-pack 1", the count, a line "KEY LENGTH" each, then the entries.
    std::ifstream in(packs);
    std::string magic, line;
    std::getline(in, magic);
    std::getline(in, line);
    std::vector<std::pair<std::string, std::size_t>> index(std::stoul(line));
    for (auto& [key, size] : index) {
      std::getline(in, line);
      key = line.substr(0, line.find(' '));
      size = std::stoul(line.substr(line.find(' ') + 1));
    }
    std::string head = magic + "\n" + std::to_string(index.size()) + "\n", body;
    for (const auto& [key, size] : index) {
      std::string entry(size, '\0');
      in.read(entry.data(), static_cast<std::streamsize>(size));
      if (auto edited = forge(entry)) {
        entry = std::move(*edited);
        ++forged_in_pack;
      }
      head += key + " " + std::to_string(entry.size()) + "\n";
      body += entry;
    }
    ASSERT_GT(forged_in_pack, 0u);
    std::ofstream(packs) << head << body;
  }
  const auto ninth = run();
  // (the cache also holds entries of the spec's earlier versions, which this run does not look up)
  EXPECT_GT(ninth["execution"]["cache_damaged"].get<std::size_t>(), 0u);
  EXPECT_LE(ninth["execution"]["cache_damaged"].get<std::size_t>(), forged + forged_in_pack);
  EXPECT_EQ(finding_set(ninth), finding_set(seventh)) << "the leaks are found again, not served clean from the cache";

  // --no-cache runs everything and reads nothing.
  fs::remove_all(tmp.path().string() + "/out");
  const auto out =
      run_sohound("run " + spec() + " --no-cache --out " + tmp.path().string() + "/out --no-progress -j 2 --report json");
  EXPECT_EQ(read_results(tmp.path().string() + "/out")["execution"]["cached_jobs"], 0) << out.text;
}

// The C library's debug files (libc6-dbg, compressed as Debian ships them) are read by the
// sandboxed Valgrind tools from decompressed copies kept in the cache (exec/debug_copies.hpp):
// made once, kept while each is the very file its signed record names, made again when not.
// Proof that the tools read a whole, true copy: a leak's frames inside the C library keep the
// names and lines only its debug information gives (a stripped libc says "???").
TEST_F(ResultCacheRuns, TheSandboxShowsDecompressedDebugCopiesItKeepsAndChecks) {
  build_library("5");
  write("vg.supp", "# none\n");
  const auto spec_leaking = [&](int n) {
    write_spec("int asprintf(char **, const char *, ...); char *s; if (asprintf(&s, \"%d\", " + std::to_string(n) +
               " + ex_value()) < 0) abort(); void *volatile p = s; p = NULL;");
  };
  const auto sandboxed_run = [&] {
    fs::remove_all(tmp.path().string() + "/out");
    const auto out = run_sohound("run " + spec() + " --sandbox on --cache-dir " + cache() + " --out " + tmp.path().string() +
                                 "/out --no-progress -j 2 --report json");
    EXPECT_EQ(out.exit_code, 1) << out.text;
    return read_results(tmp.path().string() + "/out");
  };
  const auto made = [](const json& r) {
    for (const auto& span : r["trace"]["spans"])
      if (span["name"] == "debug copies") return std::stoi(span["attributes"].value("made", "-1"));
    return -1;
  };
  const auto libc_frames_named = [](const json& r) {
    const auto* a = job_in(r, "a", "memcheck");
    if (!a) return false;
    const auto* leak = finding(*a, "leak.definite", "__vasprintf_internal");
    if (!leak) return false;
    for (const auto& frame : (*leak)["stack"])
      if (frame["function"] == "__vasprintf_internal") return frame.value("file", "").ends_with("vasprintf.c");
    return false;
  };
  spec_leaking(1);
  const auto first = sandboxed_run();
  ASSERT_EQ(first["sandbox"]["on"], true) << first["sandbox"].dump() << " (ci/setup.sh installs bubblewrap)";
  const auto copies = first["sandbox"]["debug_copies"];
  ASSERT_FALSE(copies.empty()) << "ci/setup.sh installs libc6-dbg, whose files Debian compresses";
  for (const auto& original : copies) EXPECT_TRUE(std::string(original).starts_with("/usr/lib/debug/.build-id/")) << original;
  std::vector<fs::path> kept;
  for (const auto& e : fs::directory_iterator(cache() + "/v2/debug"))
    if (e.path().extension() == ".debug") kept.push_back(e.path());
  ASSERT_EQ(kept.size(), 2 * copies.size()) << "a decompressed and a slim copy of each (exec/slim_debug)";
  EXPECT_EQ(made(first), static_cast<int>(kept.size()));
  EXPECT_TRUE(libc_frames_named(first)) << frames_of(*job_in(first, "a", "memcheck"));

  // Kept: the next run that runs a job makes none.
  spec_leaking(2);
  const auto second = sandboxed_run();
  EXPECT_EQ(made(second), 0);
  EXPECT_TRUE(libc_frames_named(second));

  // A copy rewritten in place (same size, its old modification time put back) is not the file its
  // record names: made again, and the tools never read the rewritten one.
  std::sort(kept.begin(), kept.end(), [](const fs::path& x, const fs::path& y) { return fs::file_size(x) > fs::file_size(y); });
  const auto when = fs::last_write_time(kept.front());
  const auto size = fs::file_size(kept.front());
  {
    std::ofstream out(kept.front(), std::ios::binary | std::ios::trunc);
    out << std::string(size, '\0');
  }
  fs::last_write_time(kept.front(), when);
  spec_leaking(3);
  const auto third = sandboxed_run();
  EXPECT_EQ(made(third), 1);
  EXPECT_TRUE(libc_frames_named(third)) << frames_of(*job_in(third, "a", "memcheck"));
  EXPECT_EQ(finding_set(third).size(), finding_set(first).size());
}

// --cache-max-size: after a run that wrote to the cache, its least recently used files go until it
// fits; what the run itself made or read (touched when read) stays, so the next run still finds it.
TEST_F(ResultCacheRuns, ABoundedCacheDropsWhatNoRunUsedLately) {
  build_library("4");
  write("vg.supp", "# none\n");
  const auto bounded_run = [&](const std::string& bound) {
    fs::remove_all(tmp.path().string() + "/out");
    const auto out = run_sohound("run " + spec() + " --cache-dir " + cache() + " --cache-max-size " + bound + " --out " +
                                 tmp.path().string() + "/out --no-progress -j 2 --report json");
    EXPECT_EQ(out.exit_code, 1) << out.text;
    return std::pair{read_results(tmp.path().string() + "/out"), out.text};
  };
  const auto files_in = [&](const std::string& folder) {
    std::set<std::string> names;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(cache() + "/v2/" + folder, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file()) names.insert(it->path().filename().string());
    return names;
  };
  write_spec("void *volatile p = malloc(40 + ex_value()); p = NULL;");
  const auto bad =
      run_sohound("run " + spec() + " --cache-dir " + cache() + " --cache-max-size 10GB --out " + tmp.path().string() + "/out");
  EXPECT_EQ(bad.exit_code, 2) << bad.text;
  EXPECT_NE(bad.text.find("--cache-max-size '10GB' is not a size"), std::string::npos) << bad.text;
  const auto [first, first_text] = bounded_run("0");  // no bound
  EXPECT_EQ(first["execution"]["cache_evicted"], 0);
  const auto first_entries = files_in("jobs");
  ASSERT_EQ(first_entries.size(), 4u);
  const auto debug_files = files_in("debug");
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the first run's files are now older than the next run

  // a edited, the cache bounded to 1 KiB: every file the first run left and this one did not use goes
  // (b's entries were read from the run's pack, the first run's a entries are no longer anyone's).
  write_spec("void *volatile p = malloc(41 + ex_value()); p = NULL;");
  const auto [second, second_text] = bounded_run("1K");
  EXPECT_EQ(cached_jobs(second), (std::set<std::string>{"b/memcheck", "b/asan"}));
  EXPECT_GT(second["execution"]["cache_evicted"].get<int>(), 0);
  EXPECT_NE(second_text.find("The result cache was over its bound (--cache-max-size)"), std::string::npos) << second_text;
  const auto second_entries = files_in("jobs");
  EXPECT_EQ(second_entries.size(), 2u);  // this run's a entries only
  for (const auto& name : second_entries) EXPECT_EQ(first_entries.count(name), 0u) << name;
  EXPECT_TRUE(fs::exists(cache() + "/v2/key"));  // the secret never goes
  EXPECT_EQ(files_in("debug"), debug_files);     // read by this run (their records touched): kept
  EXPECT_EQ(files_in("packs").size(), 1u);

  // Unchanged: everything is where the last run left it.
  const auto [third, third_text] = bounded_run("1K");
  EXPECT_EQ(cached_jobs(third).size(), 4u);
  EXPECT_EQ(third["execution"]["processes"], 0);
  EXPECT_EQ(third["execution"]["cache_evicted"], 0);

  // Back to the first run's a: its entries are gone, so a runs again, with the same findings.
  write_spec("void *volatile p = malloc(40 + ex_value()); p = NULL;");
  const auto [fourth, fourth_text] = bounded_run("1K");
  EXPECT_EQ(cached_jobs(fourth), (std::set<std::string>{"b/memcheck", "b/asan"}));
  EXPECT_EQ(finding_set(fourth), finding_set(first));
}

TEST_F(ResultCacheRuns, ConcurrentRunsSharingACacheLeaveItWhole) {
  build_library("3");
  write("vg.supp", "# none\n");
  write_spec("void *volatile p = malloc(40 + ex_value()); p = NULL;");
  // Two runs at once into one cache, each writing every entry (same keys, same moment).
  const std::string run_one = std::string(SOHOUND_BIN) + " run " + spec() + " --cache-dir " + cache() +
                              " --no-progress -j 1 --report json --out " + tmp.path().string();
  const auto both = run_sohound_shell("(" + run_one + "/one >/dev/null 2>&1 & " + run_one + "/two >/dev/null 2>&1 & wait)");
  (void)both;
  const auto one = read_results(tmp.path().string() + "/one");
  const auto two = read_results(tmp.path().string() + "/two");
  ASSERT_TRUE(one.contains("jobs"));
  ASSERT_TRUE(two.contains("jobs"));
  EXPECT_EQ(finding_set(one), finding_set(two));
  // A run that runs jobs proves its sandbox first (a `true` inside it).
  if (one["sandbox"]["on"].get<bool>()) {
    EXPECT_TRUE(fs::exists(tmp.path() / "one/runtime/sandbox-probe.txt"));
  }
  // A third run finds every entry whole. Run again into its --out (whose pack of entries it left),
  // it starts no process at all: not the sandbox's probe (no job is to run) nor `valgrind
  // --version` (known from the runs before, Valgrind's files unchanged).
  const auto third = run();
  EXPECT_EQ(third["execution"]["cache_damaged"], 0);
  EXPECT_EQ(third["execution"]["processes"], 0);
  EXPECT_EQ(cached_jobs(third).size(), 4u);
  const auto fourth = run();
  EXPECT_EQ(cached_jobs(fourth).size(), 4u);
  EXPECT_EQ(finding_set(fourth), finding_set(one));
  EXPECT_FALSE(fs::exists(tmp.path() / "out/runtime/sandbox-probe.txt"));
  EXPECT_FALSE(fs::exists(tmp.path() / "out/runtime/valgrind-version.txt"));
  EXPECT_TRUE(fs::exists(tmp.path() / "one/runtime/valgrind-version.txt") ||
              fs::exists(tmp.path() / "two/runtime/valgrind-version.txt"));
  EXPECT_EQ(finding_set(third), finding_set(one));
}

}  // namespace
}  // namespace e2e
