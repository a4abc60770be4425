// Ownership on real Debian libraries nobody here wrote (specs/ownership.yaml, issue 21): correct
// multithreaded use of libarchive, cJSON and LMDB passes, each library race reported as
// third_party with its library named; the controls (a race in the user's code, a cJSON array shared
// without a lock) and LMDB's shared MDB_env without its `thread_safe:` declaration fail.
#include "e2e_support.hpp"

namespace e2e {
namespace {

const char* k_race_tools[] = {"helgrind", "drd", "tsan"};

std::string statuses(const json& j) {
  std::string out;
  for (const auto& f : j["findings"])
    out += f["kind"].get<std::string>() + " " + f["status"].get<std::string>() + " " + f.value("owner", "") + ": " +
           f["message"].get<std::string>() + " | " + f.value("ownership", "") + "\n";
  return out;
}

std::size_t third_party_in(const json& j, const std::string& library) {
  std::size_t n = 0;
  for (const auto& f : j["findings"])
    if (f["status"] == "third_party" && f["kind"] == "race.data") {
      EXPECT_EQ(f["owner"], library) << statuses(j);
      EXPECT_NE(f["ownership"].get<std::string>().find("Every access is inside " + library), std::string::npos);
      ++n;
    }
  return n;
}

TEST(OwnershipE2E, CorrectUseOfThreeLibrariesPassesWithTheirRacesReportedAsThirdParty) {
  const struct {
    const char* feature;
    const char* library;
    std::vector<std::string> reporting;  // tools that must report a third-party race
  } cases[] = {
      {"archive_reader_per_thread", "libarchive.so.13.6.2", {"drd"}},
      {"cjson_object_per_thread", "libcjson.so.1.7.15", {"helgrind", "drd"}},
      {"lmdb_readers", "liblmdb.so.0.0.0", {"helgrind", "drd"}},
  };
  for (const auto& c : cases) {
    for (const char* tool : k_race_tools) {
      const auto* j = job("ownership", c.feature, tool);
      ASSERT_NE(j, nullptr) << c.feature << " " << tool;
      EXPECT_EQ((*j)["outcome"], "ok") << c.feature << " " << tool;
      EXPECT_TRUE((*j)["passed"].get<bool>()) << c.feature << " under " << tool << ":\n" << statuses(*j);
      const auto n = third_party_in(*j, c.library);
      if (std::find(c.reporting.begin(), c.reporting.end(), tool) != c.reporting.end()) {
        EXPECT_GE(n, 1u) << c.feature << " under " << tool << ": the library's race is no longer reported\n" << statuses(*j);
      }
      for (const auto& f : (*j)["findings"])
        EXPECT_NE(f["status"], "suppressed") << "a library race is reported, never hidden:\n" << statuses(*j);
    }
  }
  const auto& r = results("ownership");
  EXPECT_GE(r["totals"]["third_party"].get<int>(), 5) << "counted";
  bool listed = false;
  for (const auto& bug : r["bugs"]) listed = listed || (bug["status"] == "third_party" && bug["owner"] == "libcjson.so.1.7.15");
  EXPECT_TRUE(listed) << "the bug list names the library";
}

TEST(OwnershipE2E, WithoutTheDeclarationSharedLmdbEnvFailsAndSaysHowToDeclareIt) {
  for (const char* tool : {"helgrind", "drd"}) {
    const auto* j = job("ownership", "lmdb_readers_undeclared", tool);
    ASSERT_NE(j, nullptr) << tool;
    EXPECT_FALSE((*j)["passed"].get<bool>()) << tool << ":\n" << statuses(*j);
    bool hint = false;
    for (const auto& f : (*j)["findings"])
      hint =
          hint || (f["status"] == "new" && f.value("ownership", "").find("`thread_safe: [mdb_env_create]`") != std::string::npos);
    EXPECT_TRUE(hint) << tool << ":\n" << statuses(*j);
  }
}

TEST(OwnershipE2E, AUserRaceAndASharedNonThreadSafeObjectStillFail) {
  const struct {
    const char* feature;
    const char* function;  // the frame that matters on the failing finding's stack
    std::vector<std::string> tools;
  } controls[] = {
      {"user_race_control", "feature_user_race_control", {"helgrind", "drd", "tsan"}},
      // TSan cannot see inside the uninstrumented cJSON: Helgrind and DRD.
      {"cjson_shared_array_control", "cJSON_AddItemToArray", {"helgrind", "drd"}},
  };
  for (const auto& c : controls) {
    for (const auto& tool : c.tools) {
      const auto* j = job("ownership", c.feature, tool);
      ASSERT_NE(j, nullptr) << c.feature << " " << tool;
      EXPECT_FALSE((*j)["passed"].get<bool>()) << c.feature << " under " << tool << ":\n" << statuses(*j);
      const auto* f = finding(*j, "race.data", c.function);
      ASSERT_NE(f, nullptr) << c.feature << " under " << tool << ":\n" << statuses(*j);
      EXPECT_EQ((*f)["status"], "new");
      EXPECT_FALSE(f->contains("owner"));
    }
  }
  EXPECT_EQ(results("ownership")["exit_code"], 1);
}

// Each report has the third-party races in a place of their own, and none counts them as failing.
TEST(OwnershipE2E, EveryReportShowsThirdPartyRacesApart) {
  const std::string dir = std::string(SOHOUND_E2E_OUT) + "/ownership/";
  const auto sarif = json::parse(slurp(dir + "results.sarif"));
  std::size_t notes = 0;
  for (const auto& result : sarif["runs"][0]["results"])
    if (result["level"] == "note") {
      ++notes;
      EXPECT_EQ(result["properties"]["sohoundStatus"], "third_party");
      EXPECT_NE(result["message"]["text"].get<std::string>().find("Third-party race in lib"), std::string::npos);
    }
  EXPECT_GE(notes, 3u);
  const auto junit = slurp(dir + "junit.xml");
  EXPECT_NE(junit.find("third_party error: race.data"), std::string::npos) << "listed in system-out, not as a failure";
  EXPECT_NE(junit.find("owner: libcjson.so.1.7.15"), std::string::npos);
  const auto html = slurp(dir + "report.html");
  EXPECT_NE(html.find("\"owner\":\"liblmdb.so.0.0.0\""), std::string::npos);
}

}  // namespace
}  // namespace e2e
