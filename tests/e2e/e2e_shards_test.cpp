// Sharding end to end (fixture e2e.shards.run, tests/e2e/shards.sh): the example suites split into
// 1, 2, 3 and 7 shards, by cost, and by the Bazel, GoogleTest and Kubernetes conventions, each
// shard a separate sohound process, merged; every merge must equal the unsharded run
// (e2e.examples.run): the same jobs in the same order, outcomes, findings, bugs and exit code. Then
// the merge's refusals, a partial merge in every report, and one trace across two shards.
#include "e2e_support.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>

namespace {
namespace fs = std::filesystem;
using e2e::json;

const std::string k_dir = std::string(SOHOUND_E2E_OUT) + "/shards";

json read_json(const std::string& path) {
  std::ifstream in(path);
  return in ? json::parse(in) : json::object();
}

int rc_of(const std::string& name) {
  std::ifstream in(k_dir + "/" + name + ".rc");
  int rc = -1;
  in >> rc;
  return rc;
}

std::string log_of(const std::string& name) {
  std::ifstream in(k_dir + "/" + name + ".log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What must be equal between a merge and the unsharded run: per job (in order) its key, outcome,
// verdict and its findings (fingerprint, kind, status); the bugs; the exit code; the totals.
json comparable(const json& results) {
  json jobs = json::array();
  for (const auto& j : results["jobs"]) {
    std::vector<std::string> findings;
    for (const auto& f : j["findings"])
      findings.push_back(std::string(f["fingerprint"]) + " " + std::string(f["kind"]) + " " + std::string(f["status"]));
    std::sort(findings.begin(), findings.end());
    jobs.push_back({j["suite"], j["feature"], j["tool"], j["outcome"], j["passed"], findings});
  }
  std::vector<std::string> bugs;
  for (const auto& b : results["bugs"])
    bugs.push_back(std::string(b["fingerprint"]) + " " + std::string(b["status"]) + " x" +
                   std::to_string(b["occurrences"].size()));
  std::sort(bugs.begin(), bugs.end());
  return {{"jobs", jobs}, {"bugs", bugs}, {"exit_code", results["exit_code"]}, {"totals", results["totals"]}};
}

const json& reference() {
  static const json r = read_json(std::string(SOHOUND_E2E_OUT) + "/examples/results.json");
  return r;
}

class MergedShards : public ::testing::TestWithParam<std::pair<std::string, int>> {};

TEST_P(MergedShards, EqualTheUnshardedRun) {
  const auto& [merge, shards] = GetParam();
  ASSERT_FALSE(reference().empty()) << "no unsharded run (fixture e2e.examples.run)";
  EXPECT_EQ(rc_of(merge), reference()["exit_code"]) << log_of(merge);
  const auto merged = read_json(k_dir + "/" + merge + ".json");
  ASSERT_TRUE(merged.contains("jobs")) << log_of(merge);
  const auto a = comparable(reference()), b = comparable(merged);
  EXPECT_EQ(a["jobs"].size(), b["jobs"].size());
  for (std::size_t i = 0; i < std::min(a["jobs"].size(), b["jobs"].size()); ++i)
    EXPECT_EQ(a["jobs"][i], b["jobs"][i]) << "job " << i;
  EXPECT_EQ(a["bugs"], b["bugs"]);
  EXPECT_EQ(a["exit_code"], b["exit_code"]);
  EXPECT_EQ(a["totals"], b["totals"]);
  EXPECT_FALSE(merged["partial"].get<bool>());
  EXPECT_EQ(merged["merge"]["total"], shards);
  EXPECT_EQ(merged["merge"]["shards"].size(), static_cast<std::size_t>(shards));
  EXPECT_TRUE(merged["merge"]["problems"].empty());
}

INSTANTIATE_TEST_SUITE_P(Shards, MergedShards,
                         ::testing::Values(std::pair<std::string, int>{"m1", 1}, std::pair<std::string, int>{"m2", 2},
                                           std::pair<std::string, int>{"m3", 3}, std::pair<std::string, int>{"m7", 7},
                                           std::pair<std::string, int>{"c3", 3}, std::pair<std::string, int>{"bazel", 3},
                                           std::pair<std::string, int>{"gtest", 2}, std::pair<std::string, int>{"k8s", 2}),
                         [](const auto& p) { return p.param.first; });

// The shard runs of one set: NAME-1..N (or -0..N-1 for 0-based conventions).
std::vector<json> shard_results(const std::string& prefix, int first, int count) {
  std::vector<json> out;
  for (int k = first; k < first + count; ++k)
    out.push_back(read_json(k_dir + "/" + prefix + "-" + std::to_string(k) + "/results.json"));
  return out;
}

TEST(Shards, EveryJobInExactlyOneShardWhateverTheCount) {
  const auto plan_jobs = reference()["jobs"].size();
  for (int n : {1, 2, 3, 7}) {
    std::vector<int> seen(plan_jobs, 0);
    for (const auto& r : shard_results("n" + std::to_string(n), 1, n)) {
      ASSERT_TRUE(r.contains("shard"));
      EXPECT_EQ(r["shard"]["total"], n);
      EXPECT_EQ(r["shard"]["plan_jobs"], plan_jobs);
      EXPECT_EQ(r["shard"]["balance"], "hash");
      EXPECT_EQ(r["shard"]["jobs"].size(), r["jobs"].size());
      for (std::size_t i = 0; i < r["jobs"].size(); ++i) {
        const std::size_t at = r["shard"]["jobs"][i];
        ASSERT_LT(at, plan_jobs);
        ++seen[at];
        // The job at that place of the plan is the unsharded run's job there.
        EXPECT_EQ(r["jobs"][i]["feature"], reference()["jobs"][at]["feature"]);
        EXPECT_EQ(r["jobs"][i]["tool"], reference()["jobs"][at]["tool"]);
      }
    }
    for (std::size_t i = 0; i < plan_jobs; ++i) EXPECT_EQ(seen[i], 1) << "job " << i << " of " << n << " shards";
  }
}

TEST(Shards, SplitTheSameWayEveryTime) {
  // N = 2 ran twice in effect: for real (n2) and as the GoogleTest and Kubernetes conventions.
  const auto real = shard_results("n2", 1, 2), gtest = shard_results("gtest", 0, 2), k8s = shard_results("k8s", 0, 2);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(real[k]["shard"]["jobs"], gtest[k]["shard"]["jobs"]);
    EXPECT_EQ(real[k]["shard"]["jobs"], k8s[k]["shard"]["jobs"]);
  }
}

TEST(Shards, ByCostNoShardExceedsAnotherByMoreThanTheLargestUnit) {
  // The job times the split used: the reference run's; a unit is a feature's jobs of one flavour.
  std::map<std::string, double> cost;
  for (const auto& j : reference()["jobs"])
    cost[std::string(j["suite"]) + "/" + std::string(j["feature"]) + "/" + std::string(j["tool"])] = j["duration_s"];
  auto flavour = [](const std::string& tool) {
    return tool == "asan" || tool == "tsan" || tool == "ubsan" ? tool : std::string("plain");
  };
  std::vector<double> load;
  double largest = 0;
  std::map<std::string, double> units;
  for (const auto& r : shard_results("c3", 1, 3)) {
    EXPECT_EQ(r["shard"]["balance"], "costs");
    double sum = 0;
    for (const auto& j : r["jobs"]) {
      const auto key = std::string(j["suite"]) + "/" + std::string(j["feature"]) + "/" + std::string(j["tool"]);
      sum += cost.at(key);
      units[std::string(j["suite"]) + "/" + std::string(j["feature"]) + "/" + flavour(j["tool"])] += cost.at(key);
    }
    load.push_back(sum);
  }
  for (const auto& [k, c] : units) largest = std::max(largest, c + 0.05);
  const auto [lo, hi] = std::minmax_element(load.begin(), load.end());
  EXPECT_LE(*hi - *lo, largest) << "loads " << load[0] << " " << load[1] << " " << load[2];
  // And no worse than the hash split of the same jobs by more than one unit: a greedy split by cost
  // is within one unit of the best split (its largest load is at most the average plus the largest
  // unit), and no split's largest load is below the best one's. (Strictly better is not a promise:
  // one CI run had the hash split ahead by 5 ms of 1.4 s.)
  std::vector<double> hashed;
  for (const auto& r : shard_results("n3", 1, 3)) {
    double sum = 0;
    for (const auto& j : r["jobs"])
      sum += cost.at(std::string(j["suite"]) + "/" + std::string(j["feature"]) + "/" + std::string(j["tool"]));
    hashed.push_back(sum);
  }
  EXPECT_LE(*hi, *std::max_element(hashed.begin(), hashed.end()) + largest);
}

TEST(Shards, EachConventionNamesItselfAndBazelsStatusFileIsTouched) {
  for (const auto& [prefix, first, count, source] : {std::tuple<std::string, int, int, std::string>{"n2", 1, 2, "--shard"},
                                                     {"bazel", 0, 3, "bazel"},
                                                     {"gtest", 0, 2, "gtest"},
                                                     {"k8s", 0, 2, "kubernetes"}}) {
    int k = 1;
    for (const auto& r : shard_results(prefix, first, count)) {
      EXPECT_EQ(r["shard"]["source"], source);
      EXPECT_EQ(r["shard"]["index"], k++);
    }
  }
  for (int k = 0; k < 3; ++k) EXPECT_TRUE(fs::exists(k_dir + "/bazel-" + std::to_string(k) + ".status")) << k;
  EXPECT_NE(log_of("bazel-1").find("shard 2/3 (from bazel)"), std::string::npos) << log_of("bazel-1");
}

TEST(Shards, AShardBuildsOnlyTheFeaturesItRuns) {
  // n2 ran for real: each shard's driver sources are those of its own jobs' features and flavours
  // (features that share a translation unit each have their source beside it, +unit-N.c).
  std::set<std::string> all_objects;
  for (int k = 1; k <= 2; ++k) {
    const auto dir = k_dir + "/n2-" + std::to_string(k);
    const auto r = read_json(dir + "/results.json");
    std::set<std::string> wanted;
    for (const auto& j : r["jobs"]) {
      const std::string tool = j["tool"];
      const auto flavour = tool == "asan" || tool == "tsan" || tool == "ubsan" ? tool : std::string("plain");
      wanted.insert(std::string(j["suite"]) + "/" + flavour + "/" + std::string(j["feature"]));
    }
    std::set<std::string> built;
    for (const auto& entry : fs::recursive_directory_iterator(dir + "/build")) {
      const auto p = entry.path();
      if ((p.extension() != ".c" && p.extension() != ".cpp") || p.stem().string().starts_with('+') ||
          p.parent_path().filename() != "src")
        continue;
      const auto flavour_dir = p.parent_path().parent_path();
      built.insert(flavour_dir.parent_path().filename().string() + "/" + flavour_dir.filename().string() + "/" +
                   p.stem().string());
    }
    EXPECT_FALSE(built.empty());
    for (const auto& b : built) EXPECT_TRUE(wanted.count(b)) << "shard " << k << " built " << b << " which it does not run";
    for (const auto& w : wanted) EXPECT_TRUE(built.count(w)) << "shard " << k << " runs " << w << " which it did not build";
    all_objects.insert(built.begin(), built.end());
  }
  EXPECT_GT(all_objects.size(), 20u);
}

// ---- merge refusals -------------------------------------------------------------------------

std::string copy_with(const std::string& from, const std::string& name, const std::function<void(json&)>& change) {
  auto r = read_json(k_dir + "/" + from + "/results.json");
  change(r);
  const auto path = k_dir + "/refusals/" + name + ".json";
  fs::create_directories(k_dir + "/refusals");
  std::ofstream(path) << r.dump();
  return path;
}

TEST(MergeRefuses, AMissingShardADuplicateAnotherSplitSpecOrVersion) {
  const auto s1 = k_dir + "/n2-1/results.json", s2 = k_dir + "/n2-2/results.json", out = k_dir + "/refusals/out.json";
  fs::create_directories(k_dir + "/refusals");
  const std::vector<std::pair<std::string, std::string>> cases{
      {s1, "shard 2/2 is missing"},
      {s1 + " " + s1 + " " + s2, "shard 1/2 is given twice"},
      {s1 + " " + k_dir + "/n3-2/results.json", "is from another split"},
      {s1 + " " + copy_with("n2-2", "other-spec", [](json& r) { r["shard"]["specs_digest"] = "0123456789abcdef"; }),
       "ran other spec files"},
      {s1 + " " + copy_with("n2-2", "other-version", [](json& r) { r["sohound_version"] = "0.0.9"; }),
       "was written by Sohound 0.0.9"},
      {s1 + " " + copy_with("n2-2", "other-costs", [](json& r) { r["shard"]["split"] = "feedfacefeedface"; }),
       "split by other job times"},
      // What a shard says about itself is checked against the split computed again (issue 19):
      // shard 1's results relabelled as shard 2 once merged as "2 of 2 shards, PASS".
      {s1 + " " + copy_with("n2-1", "relabelled", [](json& r) { r["shard"]["index"] = 2; }),
       "does not hold the jobs the split gives shard 2/2"},
      {s1 + " " + copy_with("n2-2", "swapped-job", [](json& r) { r["jobs"][0]["feature"] = "not_in_the_plan"; }),
       "its job examples/not_in_the_plan"},
      {s1 + " " + copy_with("n2-2", "no-split-inputs", [](json& r) { r["shard"].erase("split_inputs"); }),
       "does not carry its plan's split inputs"},
      {s1 + " " + copy_with("n2-2", "forged-split-inputs", [](json& r) { r["shard"]["split_inputs"][0] = "x/y/memcheck\t-\t1"; }),
       "its split inputs are not the plan it names"},
  };
  for (const auto& [inputs, says] : cases) {
    const auto refused = e2e::run_sohound("merge " + inputs + " -o " + out);
    EXPECT_EQ(refused.exit_code, 2) << refused.text;
    EXPECT_NE(refused.text.find(says), std::string::npos) << refused.text;
    EXPECT_NE(refused.text.find("--allow-partial"), std::string::npos) << refused.text;
  }
  EXPECT_FALSE(fs::exists(out));  // nothing written when refused
}

// -o into a folder that does not exist yet makes it (issue 23: it was exit 3); -o a folder is a
// usage error that says what to give instead.
TEST(MergeRefuses, AFolderAsOutputButMakesAMissingOne) {
  const auto dir = k_dir + "/made";
  fs::remove_all(dir);
  const auto inputs = k_dir + "/n2-1/results.json " + k_dir + "/n2-2/results.json";
  const auto made = e2e::run_sohound("merge " + inputs + " -o " + dir + "/deeper/merged.json");
  const auto r = read_json(dir + "/deeper/merged.json");
  ASSERT_TRUE(r.contains("jobs")) << made.text;
  EXPECT_EQ(made.exit_code, r["exit_code"]) << made.text;
  const auto folder = e2e::run_sohound("merge " + inputs + " -o " + dir);
  EXPECT_EQ(folder.exit_code, 2) << folder.text;
  EXPECT_NE(folder.text.find("is a folder; name the file to write"), std::string::npos) << folder.text;
}

TEST(MergeRefuses, UnlessToldThenEveryReportSaysPartial) {
  const auto dir = k_dir + "/partial";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto merged = e2e::run_sohound("merge " + k_dir + "/n3-1/results.json " + k_dir + "/n3-3/results.json --allow-partial -o " +
                                 dir + "/merged.json");
  const auto r = read_json(dir + "/merged.json");
  ASSERT_TRUE(r.contains("jobs")) << merged.text;
  EXPECT_EQ(merged.exit_code, r["exit_code"]) << merged.text;
  EXPECT_NE(merged.text.find("PARTIAL"), std::string::npos) << merged.text;
  EXPECT_TRUE(r["partial"].get<bool>());
  EXPECT_EQ(r["merge"]["shards"], json({1, 3}));
  ASSERT_EQ(r["merge"]["problems"].size(), 1u);
  EXPECT_NE(std::string(r["merge"]["problems"][0]).find("shard 2/3 is missing"), std::string::npos);
  EXPECT_LT(r["jobs"].size(), reference()["jobs"].size());
  auto report = e2e::run_sohound("report " + dir + "/merged.json --out " + dir + "/report --report html,junit,sarif");
  ASSERT_EQ(report.exit_code, 0) << report.text;
  std::ifstream junit(dir + "/report/junit.xml");
  const std::string junit_text(std::istreambuf_iterator<char>(junit), {});
  EXPECT_NE(junit_text.find("<property name=\"sohound.partial\" value=\"true\"/>"), std::string::npos);
  EXPECT_NE(junit_text.find("shard 2/3 is missing"), std::string::npos);
  const auto sarif = read_json(dir + "/report/results.sarif");
  const auto& invocation = sarif["runs"][0]["invocations"][0];
  EXPECT_FALSE(invocation["executionSuccessful"].get<bool>());
  EXPECT_NE(std::string(invocation["toolExecutionNotifications"][0]["message"]["text"]).find("shard 2/3 is missing"),
            std::string::npos);
  std::ifstream html(dir + "/report/report.html");
  const std::string html_text(std::istreambuf_iterator<char>(html), {});
  EXPECT_NE(html_text.find("\"partial\":true"), std::string::npos);
  EXPECT_NE(html_text.find("shard 2/3 is missing"), std::string::npos);
}

// ---- one trace across shards ------------------------------------------------------------------

TEST(ShardTrace, TwoShardsJoinTheCallersTraceAndTheMergeJoinsThem) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", caller = "00f067aa0ba902b7";
  for (int k = 1; k <= 2; ++k) {
    const auto r = read_json(k_dir + "/n2-" + std::to_string(k) + "/results.json");
    const auto& spans = r["trace"]["spans"];
    ASSERT_FALSE(spans.empty());
    std::size_t roots = 0;
    for (const auto& s : spans) {
      EXPECT_EQ(s["trace_id"], trace_id);
      if (s["parent_id"] == caller) {
        ++roots;
        EXPECT_EQ(s["name"], "run");
        EXPECT_EQ(s["attributes"]["shard"], std::to_string(k) + "/2");
      }
    }
    EXPECT_EQ(roots, 1u) << "shard " << k << ": one run span, a child of the caller's";
  }
  // The merged trace (Chrome/Perfetto JSON): both shards' spans, every parent present (or the
  // caller's), children inside their parents' time, complete events with the fields viewers need.
  const auto chrome = read_json(k_dir + "/m2.trace.json");
  ASSERT_TRUE(chrome.contains("traceEvents"));
  std::map<std::string, const json*> by_id;
  std::map<std::string, int> names;
  std::set<int> pids;
  for (const auto& e : chrome["traceEvents"]) {
    if (e["ph"] == "M") continue;
    EXPECT_EQ(e["ph"], "X");
    for (const char* field : {"name", "ts", "dur", "pid", "tid", "args"}) EXPECT_TRUE(e.contains(field)) << e.dump();
    EXPECT_GE(e["dur"].get<long>(), 0);
    EXPECT_EQ(e["args"]["trace_id"], trace_id);
    by_id[e["args"]["span_id"]] = &e;
    ++names[e["name"]];
    pids.insert(e["pid"].get<int>());
  }
  for (const auto& [id, e] : by_id) {
    const std::string parent = (*e)["args"]["parent_id"];
    if (parent == caller) continue;
    ASSERT_TRUE(by_id.count(parent)) << "span " << (*e)["name"] << " has no parent " << parent;
    const auto& p = *by_id[parent];
    EXPECT_LE(p["ts"].get<long>(), (*e)["ts"].get<long>()) << (*e)["name"] << " starts before its parent " << p["name"];
    EXPECT_LE((*e)["ts"].get<long>() + (*e)["dur"].get<long>(), p["ts"].get<long>() + p["dur"].get<long>())
        << (*e)["name"] << " ends after its parent " << p["name"];
    // Spans on one lane of one process nest: a viewer draws them as a stack.
    EXPECT_EQ(p["pid"], (*e)["pid"]);
  }
  EXPECT_EQ(names["run"], 2);
  EXPECT_EQ(names["merge"], 1);
  // One span per tool process the two shards started.
  const auto s1 = read_json(k_dir + "/n2-1/results.json"), s2 = read_json(k_dir + "/n2-2/results.json");
  EXPECT_EQ(names["tool process"], s1["execution"]["processes"].get<int>() + s2["execution"]["processes"].get<int>());
  EXPECT_GE(names["tool process"], 6);
  EXPECT_GE(names["compile"], 10);
  EXPECT_GE(names["judge"], static_cast<int>(reference()["jobs"].size()));
  EXPECT_EQ(pids.size(), 3u);  // two shards and the merge
  // OTLP/JSON: the same spans, hex ids, nanosecond times.
  const auto otlp = read_json(k_dir + "/m2.otlp.json");
  std::size_t spans = 0;
  for (const auto& rs : otlp["resourceSpans"])
    for (const auto& ss : rs["scopeSpans"])
      for (const auto& s : ss["spans"]) {
        ++spans;
        EXPECT_TRUE(std::regex_match(std::string(s["traceId"]), std::regex("[0-9a-f]{32}")));
        EXPECT_TRUE(std::regex_match(std::string(s["spanId"]), std::regex("[0-9a-f]{16}")));
        EXPECT_LE(std::stoull(std::string(s["startTimeUnixNano"])), std::stoull(std::string(s["endTimeUnixNano"])));
      }
  EXPECT_EQ(spans, by_id.size());
}

}  // namespace
