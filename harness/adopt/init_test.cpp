#include "harness/adopt/init.hpp"

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

}  // namespace
}  // namespace harness::adopt
