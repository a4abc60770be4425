// suites/examples/coroutines.yaml built with GCC and with Clang, under all six tools: each bug is
// found under the tools that can see it with its coroutine (or loop) named and the user's frame on
// top, the scheduler's frames folded, and every control clean.
#include "e2e_support.hpp"

#include <fstream>
#include <sstream>

namespace e2e {
namespace {

const char* k_runs[] = {"coroutines", "coroutines-clang"};
const char* k_tools[] = {"memcheck", "helgrind", "drd", "asan", "tsan", "ubsan"};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The new-or-expected finding of `kind` in a job ("" when there is none).
const json* of_kind(const json& job, const std::string& kind) {
  for (const auto& f : job["findings"])
    if (f["kind"] == kind && f["status"] != "suppressed") return &f;
  return nullptr;
}

TEST(CoroutinesE2E, EveryJobPassesAndEveryControlIsClean) {
  for (const char* run : k_runs) {
    const auto& r = results(run);
    ASSERT_TRUE(r.contains("jobs")) << run;
    EXPECT_EQ(r["exit_code"], 0) << run;
    EXPECT_EQ(r["jobs"].size(), 60u) << run;
    for (const auto& j : r["jobs"]) {
      EXPECT_EQ(j["outcome"], "ok") << run << " " << j["feature"] << " " << j["tool"] << ": " << j["message"];
      EXPECT_TRUE(j["unmatched_expectations"].empty()) << run << " " << j["feature"] << " " << j["tool"];
    }
    for (const char* control : {"frame_destroyed", "generator_finished", "resume_locked", "asio_strand", "uv_handle_closed"})
      for (const char* tool : k_tools) {
        const auto* j = job_in(r, control, tool);
        ASSERT_NE(j, nullptr) << run << " " << control << " " << tool;
        for (const auto& f : (*j)["findings"])
          EXPECT_EQ(f["status"], "suppressed") << run << " " << control << " under " << tool << ":\n" << frames_of(*j);
      }
  }
}

// A frame never destroyed (waiting at its final suspend point) and a generator left pending at a
// co_yield: the leaked block is named as the coroutine's frame, with where it is defined and who
// created it, under memcheck and LeakSanitizer, from both compilers; under memcheck, whether it had
// finished or was left suspended (the driver read each leaked block's resume pointer).
TEST(CoroutinesE2E, ALeakedFrameIsNamedAsItsCoroutines) {
  const struct {
    const char* feature;
    const char* coroutine;
    int first_line, last_line;  // the coroutine's definition (GCC names its last line, Clang its first)
    const char* creator;
    const char* state;  // what memcheck's driver read in the frame (LeakSanitizer cannot say)
  } cases[] = {{"frame_never_destroyed", "(anonymous namespace)::count_down(int)", 9, 12, "start_and_forget", "finished"},
               {"generator_left_pending", "(anonymous namespace)::squares(int)", 9, 11, "first_square_over", "suspended"}};
  for (const char* run : k_runs)
    for (const auto& c : cases)
      for (const char* tool : {"memcheck", "asan"}) {
        const auto* j = job(run, c.feature, tool);
        ASSERT_NE(j, nullptr);
        const auto* f = of_kind(*j, "leak.definite");
        ASSERT_NE(f, nullptr) << run << " " << c.feature << " " << tool << ":\n" << frames_of(*j);
        EXPECT_EQ((*f)["status"], "expected");
        ASSERT_TRUE(f->contains("leaked_coroutine")) << run << " " << c.feature << " " << tool << ":\n" << f->dump(1);
        const auto& coroutine = (*f)["leaked_coroutine"];
        EXPECT_EQ(coroutine["name"], c.coroutine) << run << " " << tool;
        EXPECT_NE(coroutine["file"].get<std::string>().find(std::string(c.feature) + ".cpp"), std::string::npos);
        EXPECT_GE(coroutine["line"].get<int>(), c.first_line) << run << " " << tool;
        EXPECT_LE(coroutine["line"].get<int>(), c.last_line) << run << " " << tool;
        EXPECT_NE(coroutine["created_by"].get<std::string>().find(c.creator), std::string::npos) << run << " " << tool;
        // Finished (at its final suspend point) or left waiting at a co_yield: memcheck only.
        if (std::string(tool) == "memcheck")
          EXPECT_EQ(coroutine.value("state", ""), c.state) << run << " " << c.feature;
        else
          EXPECT_FALSE(coroutine.contains("state")) << run << " " << c.feature;
        // Both runs' frames below the allocator are the ramp, then its creator: the user's frames.
        EXPECT_EQ((*f)["stack"][1]["function"].get<std::string>().find("count_down") != std::string::npos ||
                      (*f)["stack"][1]["function"].get<std::string>().find("squares") != std::string::npos,
                  true);
      }
}

// Two coroutines resumed on two threads (a thread hop; Asio awaitables on a two-thread
// io_context): the race names both coroutines where the tool gives both stacks (Helgrind, TSan;
// DRD gives one), the top frame is the resumed body read as its coroutine, and the scheduler's
// frames are marked to fold.
TEST(CoroutinesE2E, RacesBetweenCoroutinesNameBoth) {
  const struct {
    const char* feature;
    const char* a;
    const char* b;
    std::size_t min_scheduler;  // frames of the loop between the body and the thread start
  } cases[] = {{"resume_race", "balance_deposit(int, std::thread*)", "balance_withdraw(int, std::thread*)", 1},
               {"asio_pool_race", "add_orders()", "add_refunds()", 5}};
  for (const char* run : k_runs)
    for (const auto& c : cases)
      for (const char* tool : {"helgrind", "drd", "tsan"}) {
        const auto* j = job(run, c.feature, tool);
        ASSERT_NE(j, nullptr);
        const auto* f = of_kind(*j, "race.data");
        ASSERT_NE(f, nullptr) << run << " " << c.feature << " " << tool << ":\n" << frames_of(*j);
        EXPECT_EQ((*f)["status"], "expected");
        ASSERT_TRUE(f->contains("coroutines")) << run << " " << c.feature << " " << tool << ":\n" << f->dump(1);
        std::string named;
        for (const auto& name : (*f)["coroutines"]) named += name.get<std::string>() + "; ";
        const bool both = std::string(tool) != "drd";
        for (const char* coroutine : {c.a, c.b}) {
          const bool found = named.find(coroutine) != std::string::npos;
          if (both) {
            EXPECT_TRUE(found) << run << " " << c.feature << " " << tool << ": " << named;
          }
        }
        EXPECT_TRUE(named.find(c.a) != std::string::npos || named.find(c.b) != std::string::npos) << named;
        const auto& top = (*f)["stack"][0];
        EXPECT_EQ(top.value("coroutine_part", ""), "resumed") << run << " " << tool << ": " << top.dump();
        std::size_t scheduler = 0;
        for (const auto& frame : (*f)["stack"]) scheduler += frame.value("scheduler", false) ? 1 : 0;
        EXPECT_GE(scheduler, c.min_scheduler) << run << " " << c.feature << " " << tool;
      }
}

// One bug, one key from either compiler: GCC's clones and Clang's, GNU's demangling (Valgrind) and
// LLVM's (the sanitizers: "(.resume)", "'lambda'()") normalise alike.
TEST(CoroutinesE2E, GccAndClangGiveEachBugTheSameFingerprint) {
  std::map<std::string, std::set<std::string>> keys[2];
  for (int i = 0; i < 2; ++i)
    for (const auto& j : results(k_runs[i])["jobs"])
      for (const auto& f : j["findings"])
        // DRD reports a race from the one access it stopped at: which coroutine that is depends on
        // the threads' timing, not on the compiler, so its key may differ from run to run.
        // libuv's array of watchers is reallocated to fit the highest descriptor its loop opens, so
        // which call reallocated it last (uv_signal_init or uv_async_init) depends on how many
        // descriptors the process had open, not on the compiler: that block is left out.
        if (f["status"] == "expected" && !(j["tool"] == "drd" && f["kind"] == "race.data") &&
            !(j["feature"] == "uv_handle_open_at_close" &&
              f["stack"][0].value("function", "").find("realloc") != std::string::npos))
          keys[i][j["feature"].get<std::string>() + " " + j["tool"].get<std::string>() + " " + f["kind"].get<std::string>()]
              .insert(f["fingerprint"].get<std::string>());
  EXPECT_EQ(keys[0].size(), 11u);  // every bug of the suite under every tool that finds it (DRD's races apart)
  EXPECT_EQ(keys[0], keys[1]);
}

// The libuv loop closed with a handle still open: the handle's block and the loop's descriptors.
TEST(CoroutinesE2E, AHandleOpenAtLoopCloseIsReportedFromTheUsersFrame) {
  for (const char* run : k_runs) {
    const auto* memcheck = job(run, "uv_handle_open_at_close", "memcheck");
    ASSERT_NE(memcheck, nullptr);
    EXPECT_NE(finding(*memcheck, "leak.definite", "(anonymous namespace)::open_timer_loop"), nullptr) << frames_of(*memcheck);
    EXPECT_NE(finding(*memcheck, "fd.leak", "uv_loop_init"), nullptr) << frames_of(*memcheck);
    const auto* asan = job(run, "uv_handle_open_at_close", "asan");
    ASSERT_NE(asan, nullptr);
    EXPECT_NE(of_kind(*asan, "leak.definite"), nullptr) << frames_of(*asan);
  }
}

// The reports say it too: the JUnit failure title, the SARIF message, the HTML bug's title.
TEST(CoroutinesE2E, ReportsTitleTheLeakedFrame) {
  const std::string out = std::string(SOHOUND_E2E_OUT) + "/coroutines";
  const auto junit = read_text(out + "/junit.xml");
  EXPECT_NE(junit.find("coroutine: the frame of coroutine (anonymous namespace)::count_down(int)"), std::string::npos);
  EXPECT_NE(junit.find("never destroyed: it had finished (waiting at its final suspend point"), std::string::npos);
  EXPECT_NE(junit.find("never destroyed: it was still suspended at a co_await or co_yield"), std::string::npos);
  EXPECT_NE(junit.find("coroutine: between coroutines"), std::string::npos);
  EXPECT_NE(junit.find("frames of the event loop&apos;s scheduler"), std::string::npos);
  const auto sarif = read_text(out + "/results.sarif");
  EXPECT_NE(sarif.find("frame of coroutine (anonymous namespace)::squares(int) never destroyed (left suspended)"),
            std::string::npos);
  const auto html = read_text(out + "/report.html");
  EXPECT_NE(html.find("\"title\":\"frame of coroutine (anonymous namespace)::count_down(int) never destroyed (finished)\""),
            std::string::npos);
}

}  // namespace
}  // namespace e2e
