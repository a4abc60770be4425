#include "harness/exec/attribution.hpp"
#include "harness/exec/result_cache.hpp"

#include <gtest/gtest.h>

namespace harness::exec {
namespace {

model::Finding leak(std::string fn, std::uint64_t bytes, std::uint64_t blocks = 1) {
  model::Finding f;
  f.kind = "leak.definite";
  f.tool_kind = "Leak_DefinitelyLost";
  f.message = std::to_string(bytes) + " (+" + std::to_string(bytes) +
              ") bytes in 1 (+1) blocks are definitely lost in loss record 1 of 2";
  f.stack = {{"malloc", "", 0, ""}, {std::move(fn), "/s.yaml", 3, ""}};
  f.bytes = bytes;
  f.blocks = blocks;
  return f;
}

Marker marker(std::string_view line) { return *parse_marker(line); }

TEST(Attribution, ParsesMarkers) {
  const auto end = marker("sohound:end f.one t=12.500 fds=3,7,\n");
  EXPECT_EQ(end.kind, Marker::Kind::end);
  EXPECT_EQ(end.feature, "f.one");
  EXPECT_DOUBLE_EQ(end.t_ms, 12.5);
  EXPECT_EQ(end.fds, (std::vector<int>{3, 7}));
  EXPECT_EQ(marker("sohound:timeout slow").kind, Marker::Kind::timeout);
  EXPECT_FALSE(parse_marker("sohound:begin"));
  EXPECT_FALSE(parse_marker("==1== ERROR: LeakSanitizer"));
  EXPECT_FALSE(parse_marker("sohound:bogus x"));
}

// A process left running belongs to the feature whose end marker listed it (or its listed parent).
// One no marker listed (it was inside execve as the feature returned, and read as having no
// environment) belongs to the feature that last began before it started, not to every feature of
// the batch: seen in CI, a daemon of `starts_a_daemon_and_returns` blamed on `clean_control`.
TEST(Attribution, AProcessLeftRunningBelongsToTheFeatureThatStartedIt) {
  const std::vector<Marker> markers = {
      marker("sohound:begin a t=1000.000"),     marker("sohound:end a t=1050.000 fds= kids=77:1,"),
      marker("sohound:begin clean t=1060.000"), marker("sohound:end clean t=1061.000 fds= kids=77:1,"),
      marker("sohound:begin d t=1070.000"),     marker("sohound:end d t=1160.000 fds= kids=77:1,78:77,"),
  };
  EXPECT_EQ(process_owner(markers, 77), "a");
  EXPECT_EQ(process_owner(markers, 78), "a") << "its parent was a's";
  EXPECT_EQ(process_owner(markers, 99), "") << "listed by none, start unknown";
  EXPECT_EQ(process_owner(markers, 99, 1120.0), "d") << "started while d ran";
  EXPECT_EQ(process_owner(markers, 99, 1200.0), "d") << "started after d returned: d's leftovers";
  EXPECT_EQ(process_owner(markers, 99, 1040.0), "a") << "started while a ran";
  EXPECT_EQ(process_owner(markers, 99, 1055.0), "clean") << "between a and clean: clean may have begun first, to the tick";
  EXPECT_EQ(process_owner(markers, 99, 1065.0), "d") << "within a tick of d's start: d began before it, to the tick";
  EXPECT_EQ(process_owner(markers, 99, 900.0), "") << "before every feature: no one's";
  EXPECT_EQ(process_owner(markers, 99, 1165.0, 78), "a") << "unlisted, forked by a listed process of a's";
  EXPECT_EQ(process_owner(markers, 99, 1165.0, 1), "d") << "its parent unlisted: by its start";
}

// A process whose environment carries a feature's position is that feature's, whatever listed it
// and whenever it started: a daemon that a's child forked after a had ended (seen in CI: under a
// loaded memcheck, setsid_grandchild's grandchild came after its end marker and was blamed on the
// next feature, which listed it first).
TEST(Attribution, AProcessCarryingAFeaturesPositionIsThatFeaturesWhenever) {
  const std::vector<Marker> markers = {
      marker("sohound:begin a t=1000.000 slot=1"),    marker("sohound:end a t=1050.000 fds= kids=76:1,"),
      marker("sohound:begin next t=1060.000 slot=2"), marker("sohound:end next t=1300.000 fds= kids=77:1,"),
      marker("sohound:begin last t=1310.000 slot=3"), marker("sohound:end last t=1320.000 fds= kids=77:1,"),
  };
  EXPECT_EQ(markers[0].slot, 1);
  EXPECT_EQ(markers[1].slot, 0) << "an end marker has none";
  EXPECT_EQ(process_owner(markers, 77, 1200.0, 1), "next") << "without its position: the first list, its start";
  EXPECT_EQ(process_owner(markers, 77, 1200.0, 1, 1), "a");
  EXPECT_EQ(process_owner(markers, 99, 1400.0, 1, 3), "last");
  EXPECT_EQ(process_owner(markers, 76, 1040.0, 1, 9), "a") << "a position no feature of this run had: as without";
  EXPECT_EQ(marker("sohound:begin b t=1 slot=x").slot, 0);
  EXPECT_EQ(marker("sohound:begin b t=1 slot=-2").slot, 0);
}

TEST(Attribution, EachReportBelongsToTheFeatureWhoseMarkersEncloseIt) {
  StreamOwner owner;
  owner.finding(leak("startup", 8));  // before any feature: every feature's
  owner.marker(marker("sohound:begin a t=1"));
  owner.finding(leak("feature_a", 16));
  owner.marker(marker("sohound:end a t=3 fds=5,"));
  owner.marker(marker("sohound:begin b t=3"));
  owner.finding(leak("feature_b", 32));
  owner.marker(marker("sohound:end b t=4 fds="));
  auto stream = owner.take();
  EXPECT_EQ(fd_owner(stream.markers, 5), "a");
  EXPECT_EQ(fd_owner(stream.markers, 6), "");
  auto shares = attribute({stream}, {"a", "b"});
  ASSERT_EQ(shares["a"].findings.size(), 2u);
  EXPECT_EQ(shares["a"].findings[0].stack[1].function, "feature_a");
  EXPECT_EQ(shares["a"].findings[1].stack[1].function, "startup");
  ASSERT_EQ(shares["b"].findings.size(), 2u);
  EXPECT_EQ(shares["b"].findings[0].stack[1].function, "feature_b");
  EXPECT_EQ(shares["a"].state, FeatureState::finished);
  EXPECT_DOUBLE_EQ(shares["a"].seconds, 0.002);
}

TEST(Attribution, AReportOutsideEveryFeatureGoesToTheFeaturesInItsStack) {
  StreamOwner owner;
  owner.marker(marker("sohound:begin a t=1"));
  owner.marker(marker("sohound:end a t=2"));
  owner.marker(marker("sohound:begin b t=2"));
  owner.marker(marker("sohound:end b t=3"));
  owner.finding(leak("feature_b_setup", 4));  // at exit, allocated in b's setup
  auto shares = attribute({owner.take()}, {"a", "b"}, [](const std::string& n) { return "feature_" + n; });
  EXPECT_TRUE(shares["a"].findings.empty());
  ASSERT_EQ(shares["b"].findings.size(), 1u);
}

TEST(Attribution, AStoppedBatchSaysWhichFeatureItStoppedInAndWhichNeverBegan) {
  StreamOwner owner;
  owner.marker(marker("sohound:begin a t=1"));
  owner.marker(marker("sohound:end a t=2"));
  owner.marker(marker("sohound:begin b t=2"));
  model::Finding crash;
  crash.kind = "crash.signal";
  owner.finding(crash);
  auto shares = attribute({owner.take()}, {"a", "b", "c"});
  EXPECT_EQ(shares["a"].state, FeatureState::finished);
  EXPECT_EQ(shares["b"].state, FeatureState::running);
  EXPECT_EQ(shares["c"].state, FeatureState::not_started);
  EXPECT_TRUE(shares["a"].findings.empty());
  ASSERT_EQ(shares["b"].findings.size(), 1u);
}

TEST(Attribution, RepeatedLeakChecksCountOnlyWhatGrew) {
  ProcessStream stream;
  // The last two: the end-of-run check repeating everything.
  stream.findings = {
      {leak("feature_a", 16), "a"}, {leak("feature_b", 8), "b"}, {leak("feature_a", 16), ""}, {leak("feature_b", 24, 3), ""}};
  subtract_repeated_leaks(stream);
  ASSERT_EQ(stream.findings.size(), 3u);
  EXPECT_EQ(stream.findings[2].finding.bytes, 16u);  // b lost 16 more bytes in 2 more blocks at exit
  EXPECT_EQ(stream.findings[2].finding.blocks, 2u);
  EXPECT_EQ(stream.findings[0].finding.message, "16 bytes in 1 blocks are definitely lost");
  EXPECT_EQ(stream.findings[2].finding.message, "16 bytes in 2 blocks are definitely lost");
}

TEST(Attribution, ALeakKeepsItsDirectAndIndirectSplit) {
  // What memcheck's delta check said of a jansson object never released (tests/e2e/specs/rootcause.yaml).
  ProcessStream stream;
  auto f = leak("feature_a", 948);
  f.message =
      "948 (+948) (72 (+72) direct, 876 (+876) indirect) bytes in 1 (+1) blocks are definitely lost in loss record 16 of 16";
  stream.findings = {{f, "a"}};
  subtract_repeated_leaks(stream);
  ASSERT_EQ(stream.findings.size(), 1u);
  EXPECT_EQ(stream.findings[0].finding.message, "948 (72 direct, 876 indirect) bytes in 1 blocks are definitely lost");
}

TEST(ResultCacheEntry, RoundTripsAndRefusesDamage) {
  model::JobResult job;
  job.suite = "s";
  job.feature = "f";
  job.tool = model::Tool::helgrind;
  job.outcome = model::JobOutcome::crashed;
  job.message = "the driver died of SIGSEGV";
  job.findings.push_back(leak("feature_f", 12));
  job.findings.back().aux_stacks.push_back({"Block was alloc'd at", {{"malloc", "", 0, "libc"}}});
  const std::string key(k_cache_mac_key_bytes, 'k');
  const auto text = encode_entry("abc", job, key);
  const auto back = decode_entry("abc", text, key);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->outcome, model::JobOutcome::crashed);
  EXPECT_EQ(back->tool, model::Tool::helgrind);
  ASSERT_EQ(back->findings.size(), 1u);
  EXPECT_EQ(back->findings[0].stack[1].function, "feature_f");
  EXPECT_EQ(back->findings[0].aux_stacks[0].frames[0].object, "libc");
  EXPECT_FALSE(decode_entry("abd", text, key));                             // another key's entry
  EXPECT_FALSE(decode_entry("abc", text.substr(0, text.size() - 5), key));  // truncated
  auto flipped = text;
  flipped[flipped.size() - 3] = 'X';
  EXPECT_FALSE(decode_entry("abc", flipped, key));  // a changed byte
  EXPECT_FALSE(decode_entry("abc", "", key));
  // Forged without the cache's secret: findings dropped and the entry signed with another key, or
  // with none (the old unkeyed checksum's way), is refused.
  model::JobResult clean = job;
  clean.findings.clear();
  EXPECT_FALSE(decode_entry("abc", encode_entry("abc", clean, std::string(k_cache_mac_key_bytes, 'x')), key));
  EXPECT_FALSE(decode_entry("abc", encode_entry("abc", clean, ""), key));
  EXPECT_FALSE(decode_entry("abc", text, "")) << "no key, no trust";
  EXPECT_TRUE(decode_entry("abc", encode_entry("abc", clean, key), key)) << "what the key signs is read";
}

TEST(Hasher, PiecesAreLengthPrefixed) {
  Hasher a, b;
  a.add("ab").add("c");
  b.add("a").add("bc");
  EXPECT_NE(a.hex(), b.hex());
  EXPECT_EQ(a.hex().size(), 32u);
}

}  // namespace
}  // namespace harness::exec

namespace harness::exec {
namespace {

using S = FeatureState;

TEST(SplitUnit, AloneOrWholeEveryFeatureTakesTheProcesssOutcome) {
  for (const auto& states : std::vector<std::vector<S>>{{S::running},
                                                        {S::not_started},
                                                        {S::finished},
                                                        {S::finished, S::finished, S::finished},
                                                        {S::not_started, S::not_started}}) {
    const auto split = split_unit(states);
    EXPECT_TRUE(split.whole);
    EXPECT_EQ(split.report.size(), states.size());
    EXPECT_FALSE(split.run_alone);
    EXPECT_TRUE(split.run_again.empty());
  }
}

TEST(SplitUnit, ABatchThatStoppedInAFeatureRunsItAloneAndTheRestAnew) {
  const auto split = split_unit({S::finished, S::finished, S::running, S::not_started, S::not_started});
  EXPECT_FALSE(split.whole);
  EXPECT_EQ(split.report, (std::vector<std::size_t>{0, 1}));
  ASSERT_TRUE(split.run_alone);
  EXPECT_EQ(*split.run_alone, 2u);
  EXPECT_EQ(split.run_again, (std::vector<std::size_t>{3, 4}));
}

TEST(SplitUnit, StoppedInTheFirstOrTheLastFeature) {
  auto first = split_unit({S::running, S::not_started});
  EXPECT_FALSE(first.whole);
  EXPECT_TRUE(first.report.empty());
  EXPECT_EQ(first.run_alone, std::optional<std::size_t>(0));
  EXPECT_EQ(first.run_again, (std::vector<std::size_t>{1}));
  auto last = split_unit({S::finished, S::running});
  EXPECT_EQ(last.report, (std::vector<std::size_t>{0}));
  EXPECT_EQ(last.run_alone, std::optional<std::size_t>(1));
  EXPECT_TRUE(last.run_again.empty());
  // Every feature finished but the process ended badly afterwards (a leak check that crashed):
  // the whole batch takes that outcome.
  EXPECT_TRUE(split_unit({S::finished, S::finished}).whole);
}

}  // namespace
}  // namespace harness::exec
