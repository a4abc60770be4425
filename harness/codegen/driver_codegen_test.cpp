#include "harness/codegen/driver_codegen.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace harness::codegen {
namespace {

TEST(DriverCodegen, InlineSnippetsCarryLineDirectivesIntoTheSpec) {
  model::SuiteSpec suite;
  suite.name = "s";
  suite.file = "/specs/s.yaml";
  suite.includes = {"zlib.h", "<stdio.h>"};
  model::FeatureSpec feature;
  feature.name = "round-trip.v2";
  feature.code = {"compress(a, b);\n", {"/specs/s.yaml", 14, 1}};
  feature.setup = {"init();", {"/specs/s.yaml", 20, 12}};
  feature.threads = 4;
  feature.repeat = 3;
  const auto text = generate_feature(suite, feature);
  EXPECT_NE(text.find("#include <zlib.h>\n#include <stdio.h>\n"), std::string::npos);
  EXPECT_NE(text.find("static void feature_round_trip_v2(void) {\n#line 14 \"/specs/s.yaml\"\ncompress(a, b);\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("#line 20 \"/specs/s.yaml\"\ninit();\n"), std::string::npos);
  EXPECT_NE(text.find(feature_symbol("round-trip.v2") +
                      " = {\"round-trip.v2\", feature_round_trip_v2_setup, feature_round_trip_v2, 0, 4, 3}"),
            std::string::npos);
  // After each snippet the generated file's own numbering resumes, correctly.
  const auto at = text.find("#line ", text.find("compress(a, b);"));
  ASSERT_NE(at, std::string::npos);
  const int line_of_directive = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')) + 1;
  EXPECT_EQ(text.substr(at, text.find('\n', at) - at), "#line " + std::to_string(line_of_directive + 1) + " \"round-trip.v2.c\"");
}

TEST(DriverCodegen, SourceFeaturesIncludeTheFileAndCallTheEntry) {
  model::SuiteSpec suite;
  suite.name = "s";
  suite.file = "s.yaml";
  model::FeatureSpec feature;
  feature.name = "coro";
  feature.source = "/specs/features/coro.cpp";
  feature.entry = "run_it";
  feature.language = model::Language::cxx;
  const auto text = generate_feature(suite, feature);
  EXPECT_NE(text.find("#include \"/specs/features/coro.cpp\""), std::string::npos);
  EXPECT_NE(text.find("static void feature_coro(void) {\n  run_it();\n}"), std::string::npos);
  EXPECT_EQ(feature_file_name(feature.name, language_of(suite, feature)), "coro.cpp");
  // A C++ object exports its descriptor with C linkage, for the C main object's table.
  EXPECT_NE(text.find("extern \"C\"\n#endif\nconst struct sohound_feature " + feature_symbol("coro")), std::string::npos);
}

TEST(DriverCodegen, UserTextIsNeverTreatedAsATemplate) {
  model::SuiteSpec suite;
  suite.name = "s";
  suite.file = "s.yaml";
  model::FeatureSpec feature;
  feature.name = "at";
  feature.code = {"puts(\"@FEATURE@ @BODY_FN@\");\n", {"s.yaml", 3, 1}};
  const auto text = generate_feature(suite, feature);
  EXPECT_NE(text.find("puts(\"@FEATURE@ @BODY_FN@\");"), std::string::npos);
}

TEST(DriverCodegen, DescriptorSymbolsTellApartNamesThatMapAlike) {
  EXPECT_NE(feature_symbol("a.b"), feature_symbol("a_b"));
  EXPECT_EQ(feature_symbol("a.b").rfind("sohound_feature_a_b_", 0), 0u);
}

TEST(DriverCodegen, MainObjectTablesEveryFeatureInOrder) {
  model::SuiteSpec suite;
  suite.name = "s";
  const auto main = generate_main(suite);
  EXPECT_NE(main.find("#define SOHOUND_RT_MAIN"), std::string::npos);
  EXPECT_EQ(main.find("weak"), std::string::npos) << "the table is not in the main object";
  const auto text = generate_table({"one", "two.x"});
  EXPECT_NE(text.find("extern const struct sohound_feature " + feature_symbol("one") + " __attribute__((weak));"),
            std::string::npos);
  EXPECT_NE(text.find("  &" + feature_symbol("one") + ",\n  &" + feature_symbol("two.x") + ",\n  0};"), std::string::npos)
      << text;
  EXPECT_NE(text.find("const int sohound_feature_count = 2;"), std::string::npos) << text;
}

TEST(DriverCodegen, RuntimeHeaderIsEmbedded) {
  EXPECT_NE(runtime_header().find("sohound_main"), std::string_view::npos);
  // Every part it includes is embedded too, and written with it.
  const auto files = runtime_files();
  for (const auto& [name, text] : files) {
    EXPECT_FALSE(text.empty()) << name;
    if (name == "sohound_rt.h") continue;
    EXPECT_NE(runtime_header().find("#include \"" + std::string(name) + "\""), std::string_view::npos) << name;
  }
  EXPECT_EQ(files.size(), 7u);
}

}  // namespace
}  // namespace harness::codegen

namespace harness::codegen {
namespace {

TEST(DriverCodegen, LineDirectivesNameTheSpecByAbsolutePath) {
  model::SuiteSpec suite;
  suite.name = "s";
  suite.file = "specs/s.yaml";
  model::FeatureSpec feature;
  feature.name = "rel";
  feature.code = {"f();\n", {"specs/s.yaml", 7, 1}};
  const auto text = generate_feature(suite, feature);
  const auto expected = "#line 7 \"" + (std::filesystem::current_path() / "specs/s.yaml").string() + "\"";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
}

// The source names the spec the same way however the user named it, so its cache key is the same
// from any folder.
TEST(DriverCodegen, TheSourceIsTheSameWhicheverWayTheSpecWasNamed) {
  model::SuiteSpec relative;
  relative.name = "s";
  relative.file = "specs/s.yaml";
  model::FeatureSpec feature;
  feature.name = "f";
  feature.code = {"f();\n", {"specs/s.yaml", 7, 1}};
  auto absolute = relative;
  absolute.file = (std::filesystem::current_path() / "specs/./s.yaml").string();
  auto absolute_feature = feature;
  absolute_feature.code.pos.file = absolute.file;
  EXPECT_EQ(generate_feature(relative, feature), generate_feature(absolute, absolute_feature));
}

// Which features share a translation unit: inline code with nothing at file scope, no preprocessor
// line (a macro would reach the features after it), no link flags; by language and compile flags,
// never two body functions of one name, at most the given number to a unit.
TEST(DriverCodegen, TranslationUnitsShareOnlyWhatCannotTouchAnother) {
  model::SuiteSpec suite;
  auto add = [&](std::string name, std::string code) -> model::FeatureSpec& {
    model::FeatureSpec f;
    f.name = std::move(name);
    f.code = {std::move(code), {"/s.yaml", 1, 1}};
    suite.features.push_back(std::move(f));
    return suite.features.back();
  };
  add("a", "f();");
  add("b", "  #define N 3\n  g(N);");
  add("c", "x();").ldflags = {"-lm"};
  add("d", "y();").cflags = {"-DX"};
  add("e", "z();").language = model::Language::cxx;
  add("a.b", "w();");
  add("a_b", "v();");  // the same body function name as a.b
  add("g", "%: define M 1\n");
  add("h", "u();").globals = {"static int h;", {"/s.yaml", 1, 1}};
  add("i", "t();").source = "/src/i.c";
  add("j", "s();");
  add("k", "r();").setup = {"# pragma once", {"/s.yaml", 1, 1}};
  std::vector<std::size_t> all(suite.features.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  using Units = std::vector<std::vector<std::size_t>>;
  EXPECT_EQ(translation_units(suite, all, 32), (Units{{0, 5, 10}, {1}, {2}, {3}, {4}, {6}, {7}, {8}, {9}, {11}}));
  EXPECT_EQ(translation_units(suite, all, 2), (Units{{0, 5}, {1}, {2}, {3}, {4}, {6}, {7}, {8}, {9}, {10}, {11}}));
  EXPECT_EQ(translation_units(suite, {0, 10}, 1), (Units{{0}, {10}}));
  // C++ units take their own size (their headers cost most of a compile).
  add("l", "q();").language = model::Language::cxx;
  add("m", "p();").language = model::Language::cxx;
  EXPECT_EQ(translation_units(suite, {0, 5, 10, 4, 12, 13}, 2, 3), (Units{{0, 5}, {10}, {4, 12, 13}}));
  suite.globals = {"int shared;", {"/s.yaml", 1, 1}};  // one copy per feature: nothing shares
  EXPECT_EQ(translation_units(suite, {0, 5, 10}, 32), (Units{{0}, {5}, {10}}));
  EXPECT_EQ(generate_unit({"a.c", "a.b.c"}).substr(generate_unit({}).size()), "#include \"a.c\"\n#include \"a.b.c\"\n");
}

}  // namespace
}  // namespace harness::codegen
