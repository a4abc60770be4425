// One root cause, one entry (specs/rootcause.yaml, jansson and user code, memcheck and ASan): what
// follows from a root carries `root`, never fails on its own, is listed under its root's bug, and
// every raw record stays in results.json.
#include "e2e_support.hpp"

namespace e2e {
namespace {

constexpr const char* k_run = "rootcause";

std::vector<const json*> roots_of(const json& job) {
  std::vector<const json*> roots;
  for (const auto& f : job["findings"])
    if (!f.contains("root")) roots.push_back(&f);
  return roots;
}

TEST(RootCauseE2E, TheRunPassesOnRootsAlone) {
  const auto& r = results(k_run);
  EXPECT_EQ(r["exit_code"], 0) << "each feature expects only its root";
  for (const auto& j : r["jobs"]) {
    EXPECT_EQ(j["outcome"], "ok") << j["feature"] << " " << j["tool"];
    EXPECT_TRUE(j["unmatched_expectations"].empty()) << j["feature"] << " " << j["tool"];
  }
}

TEST(RootCauseE2E, AMissingDecrefIsOneEntryUnderEachTool) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = *job(k_run, "missing_decref", tool);
    const auto roots = roots_of(j);
    ASSERT_EQ(roots.size(), 1u) << tool << "\n" << frames_of(j);
    const auto& root = *roots.front();
    // memcheck: the definite leak owns the rest; LSan: a cycle, the largest indirect record.
    EXPECT_EQ(root["kind"], std::string(tool) == "memcheck" ? "leak.definite" : "leak.indirect") << tool;
    std::size_t follow_ons = 0;
    for (const auto& f : j["findings"]) {
      if (!f.contains("root")) continue;
      ++follow_ons;
      EXPECT_EQ(f["root"], root["fingerprint"]);
      EXPECT_EQ(f["kind"], "leak.indirect");
    }
    EXPECT_GE(follow_ons, 4u) << tool << ": the object's members, each still in results.json";
  }
  // The memcheck record says what it owns, as a lone run would print it.
  const auto& definite = *roots_of(*job(k_run, "missing_decref", "memcheck")).front();
  EXPECT_NE(definite["message"].get<std::string>().find(" direct, "), std::string::npos) << definite["message"];
}

TEST(RootCauseE2E, FollowOnsAreListedUnderTheirRootsBug) {
  const auto& r = results(k_run);
  const auto& memcheck = *job(k_run, "missing_decref", "memcheck");
  const auto root = roots_of(memcheck).front()->at("fingerprint");
  const json* bug = nullptr;
  for (const auto& b : r["bugs"]) {
    if (b["fingerprint"] == root) bug = &b;
    // Every occurrence of a bug is a root where it occurred: a follow-on is no bug of its own
    // (the same record can be a root elsewhere: LSan's cycle root is a follow-on under memcheck).
    for (const auto& o : b["occurrences"]) {
      for (const auto& f : (*job(k_run, o["feature"], o["tool"]))["findings"]) {
        if (f["fingerprint"] == b["fingerprint"]) {
          EXPECT_FALSE(f.contains("root")) << o["feature"] << " " << o["tool"];
        }
      }
    }
  }
  ASSERT_NE(bug, nullptr);
  ASSERT_TRUE(bug->contains("follow_ons"));
  EXPECT_GE((*bug)["follow_ons"].size(), 4u);
}

TEST(RootCauseE2E, ReadsAfterOneFreeFollowTheFirst) {
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = *job(k_run, "use_after_free_reads", tool);
    const auto* first = finding(j, "mem.invalid_read", "read_a");
    ASSERT_NE(first, nullptr) << tool << "\n" << frames_of(j);
    EXPECT_FALSE(first->contains("root"));
    for (const char* later : {"read_b", "read_c"}) {
      const auto* f = finding(j, "mem.invalid_read", later);
      ASSERT_NE(f, nullptr) << tool << " " << later << "\n" << frames_of(j);
      EXPECT_EQ((*f)["root"], (*first)["fingerprint"]) << tool << " " << later;
      EXPECT_EQ((*f)["status"], "new") << "its own status is kept";
    }
    EXPECT_TRUE(j["passed"].get<bool>()) << tool;
  }
}

TEST(RootCauseE2E, AReferenceCycleStillFailsAsOneEntry) {
  // Expected here; its root is a root, not hidden under anything.
  for (const char* tool : {"memcheck", "asan"}) {
    const auto& j = *job(k_run, "reference_cycle", tool);
    ASSERT_FALSE(roots_of(j).empty()) << tool;
    for (const auto* root : roots_of(j)) EXPECT_EQ((*root)["status"], "expected") << tool;
  }
}

}  // namespace
}  // namespace e2e
