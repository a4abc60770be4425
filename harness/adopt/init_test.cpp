#include "harness/adopt/init.hpp"
#include "harness/adopt/init_features.hpp"

#include <gtest/gtest.h>

namespace harness::adopt {
namespace {

std::vector<std::string> names(const std::vector<FunctionFamily>& families) {
  std::vector<std::string> out;
  for (const auto& f : families) out.push_back(f.name);
  return out;
}

TEST(InitFamilies, ACommonPrefixAndTheNextWord) {
  // json-c's style and libxml2's style.
  const auto json = function_families({"json_object_new_int", "json_object_put", "json_object_get", "json_tokener_new",
                                       "json_tokener_parse", "json_util_get_last_err", "_internal_helper"},
                                      10);
  EXPECT_EQ(names(json), (std::vector<std::string>{"json_object", "json_tokener", "json_util"}));
  EXPECT_EQ(json[0].functions, (std::vector<std::string>{"json_object_new_int", "json_object_put", "json_object_get"}));
  const auto xml =
      function_families({"xmlReadFile", "xmlReadMemory", "xmlFreeDoc", "xmlFreeNode", "xmlFreeParserCtxt", "htmlReadFile"}, 10);
  EXPECT_EQ(names(xml), (std::vector<std::string>{"xmlFree", "xmlRead", "html"}));
}

TEST(InitFamilies, WithoutAPrefixTheFirstWordAndSmallLowerCaseFamiliesMerge) {
  std::vector<std::string> others;
  const auto zlib = function_families(
      {"deflate", "deflateInit_", "deflateEnd", "inflate", "inflateEnd", "gzopen", "gzread", "gzclose_r", "crc32", "crc32_z"}, 3,
      &others);
  EXPECT_EQ(names(zlib), (std::vector<std::string>{"deflate", "gz", "crc32"}));
  EXPECT_EQ(others, std::vector<std::string>{"inflate"});
}

TEST(InitFamilies, CxxByClassWithoutTheStandardLibrarysOwn) {
  const auto cxx =
      function_families({"_ZN4Json5ValueC1Ev", "_ZNK4Json5Value8asStringB5cxx11Ev", "_ZN4Json6ReaderC2Ev",
                         "_ZNSt6vectorIiSaIiEE17_M_realloc_insertIJRKiEEEvN9__gnu_cxx17__normal_iteratorIPiS1_EEDpOT_",
                         "_ZTIN4Json5ValueE", "_ZN4YAML4LoadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE"},
                        10);
  EXPECT_EQ(names(cxx), (std::vector<std::string>{"Json::Value", "Json::Reader", "YAML"}));
  EXPECT_EQ(cxx[0].functions, (std::vector<std::string>{"Json::Value::Value", "Json::Value::asString[abi:cxx11]"}));
}

TEST(InitFamilies, DemangledNamesKeepOperatorCallAndDropParameters) {
  EXPECT_EQ(cxx_function_name("_ZN4Json5ValueixEi"), "Json::Value::operator[]");
  EXPECT_EQ(cxx_function_name("_ZN1AclEv"), "A::operator()");
  EXPECT_EQ(cxx_function_name("_ZTVN4Json5ValueE"), "");  // a vtable
  EXPECT_EQ(cxx_function_name("deflate"), "");
}

// A family too large to read as one is split by the next word (cJSON's 78 functions).
TEST(InitFamilies, ALargeFamilySplitsByTheNextWord) {
  std::vector<std::string> symbols;
  for (const char* verb : {"Create", "Add", "Get", "Is"})
    for (int i = 0; i < 6; ++i) symbols.push_back(std::string("cJSON_") + verb + "Thing" + std::to_string(i));
  symbols.push_back("cJSON_Delete");
  const auto families = function_families(symbols, 10);
  EXPECT_EQ(names(families), (std::vector<std::string>{"cJSON_Add", "cJSON_Create", "cJSON_Get", "cJSON_Is", "cJSON_Delete"}));
}

TEST(InitFeatures, PrototypesAsHeadersWriteThem) {
  const std::string header =
      "CJSON_PUBLIC(cJSON *) cJSON_CreateObject(void);\n"
      "CJSON_PUBLIC(cJSON *) cJSON_Parse(const char *value);\n"
      "CJSON_PUBLIC(void) cJSON_Delete(cJSON *item);\n"
      "ZEXTERN gzFile ZEXPORT gzopen OF((const char *path, const char *mode));\n"
      "#define cJSON_ArrayForEach(element, array) for(element = x; element != NULL; element = element->next)\n"
      "int archive_read_open(struct archive *,\n    void *_client_data, archive_open_callback *);\n";
  EXPECT_EQ(c_parameters(header, "cJSON_CreateObject"), std::vector<std::string>{});
  EXPECT_EQ(c_parameters(header, "cJSON_Parse"), std::vector<std::string>{"const char *value"});
  EXPECT_EQ(c_parameters(header, "gzopen"), (std::vector<std::string>{"const char *path", "const char *mode"}));
  EXPECT_EQ(c_parameters(header, "archive_read_open"),
            (std::vector<std::string>{"struct archive *", "void *_client_data", "archive_open_callback *"}));
  EXPECT_FALSE(c_parameters(header, "cJSON_ArrayForEach")) << "a macro is no declaration";
  EXPECT_FALSE(c_parameters(header, "cJSON_Missing"));
}

TEST(InitFeatures, ConstructorsPairWithTheDestructorSharingTheirPrefix) {
  const std::vector<std::string> all = {"cJSON_CreateObject", "cJSON_Parse",        "cJSON_Delete",
                                        "cJSON_free",         "archive_read_new",   "archive_read_free",
                                        "archive_write_new",  "archive_write_free", "cJSON_GetObjectItem"};
  EXPECT_EQ(lifecycle_pairs({"cJSON_CreateObject", "cJSON_Parse", "cJSON_GetObjectItem"}, all),
            (std::vector<std::pair<std::string, std::string>>{{"cJSON_CreateObject", "cJSON_Delete"},
                                                              {"cJSON_Parse", "cJSON_Delete"}}));
  EXPECT_EQ(lifecycle_pairs({"archive_write_new"}, all),
            (std::vector<std::pair<std::string, std::string>>{{"archive_write_new", "archive_write_free"}}));
}

}  // namespace
}  // namespace harness::adopt
