#include "harness/util/json_input.hpp"

#include <gtest/gtest.h>

namespace harness::util {
namespace {

TEST(JsonInput, SyntaxErrorsHaveLineAndColumn) {
  auto r = parse_json("{\n  \"a\": 1,\n  \"b\": \n", "r.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("r.json:4:1: ", 0), 0u) << r.error().message;
}

// Found by mutating results.json (300 inputs): a number too large for a double is not a
// parse_error but an out_of_range, and was not caught (abort in report, merge and suppressions).
TEST(JsonInput, ANumberThatOverflowsIsAnErrorNotAnAbort) {
  auto r = parse_json(R"({"duration_s": 1e999})", "r.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "r.json: number overflow parsing '1e999'");
}

TEST(JsonInput, DeepNestingIsRefusedBeforeParsing) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  auto r = parse_json(deep, "deep.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "deep.json:1:65: nested more than 64 levels deep; not a file Sohound wrote");
  EXPECT_TRUE(parse_json("[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]", "s.json"))
      << "brackets inside strings do not count";
}

TEST(JsonInput, TypedFieldsNameThePathOfAWrongType) {
  const auto doc = *parse_json(R"({"jobs": [{"count": -5, "name": 7, "list": ["a", 1], "ok": true}]})", "x");
  const JsonView root(doc, "");
  const auto jobs = root.objects("jobs");
  ASSERT_EQ(jobs.size(), 1u);
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const JsonTypeError& e) {
      return e.message;
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([&] { jobs[0].count("count"); }), "/jobs/0/count: expected a count (0 or more), found -5");
  EXPECT_EQ(message([&] { jobs[0].string("name"); }), "/jobs/0/name: expected a string, found a whole number");
  EXPECT_EQ(message([&] { jobs[0].strings("list"); }), "/jobs/0/list/1: expected a string, found a whole number");
  EXPECT_EQ(message([&] { root.objects("jobs")[0].object("ok"); }), "/jobs/0/ok: expected an object, found a boolean");
  EXPECT_EQ(message([&] { root.string("jobs"); }), "/jobs: expected a string, found an array");
  EXPECT_TRUE(jobs[0].boolean("ok"));
  EXPECT_EQ(jobs[0].string("missing", "d"), "d");
}

}  // namespace
}  // namespace harness::util
