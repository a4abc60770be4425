#include "harness/exec/shared_start.hpp"

#include <gtest/gtest.h>

namespace harness::exec {
namespace {

TEST(SharedStart, TheRunsFileIsNulSeparatedFieldsAsTheStartLibraryReadsThem) {
  const auto text = encode_shared_runs({{"/w", "/o1", "/e1", 1500, {"/bin/p", "a b", ""}}, {"", "/o2", "/e2", 0, {"/bin/p"}}});
  using namespace std::string_literals;
  EXPECT_EQ(text,
            "sohound-zygote 1\0"s
            "2\0"s
            "/w\0/o1\0/e1\0"s
            "1500\0"s
            "3\0"s
            "a b\0\0"s
            "\0/o2\0/e2\0"s
            "0\0"s
            "1\0"s);
}

TEST(SharedStart, StatusLinesSayHowEachRunEndedAndWhereItsReportIs) {
  const auto status = parse_shared_status(
      "parent 41\n0 42 exit 0 153 100 300\n1 43 signal 11 20 300 400\n2 44 timeout 0 5000 400 400\n"
      "3 45 exit\nx 46 exit 0 1 2 3\n4 47 exploded 1 1 400 500\n5 48 exit 0 1 9 2\ndone\n");
  EXPECT_EQ(status.parent, 41);
  EXPECT_TRUE(status.done);
  ASSERT_EQ(status.runs.size(), 3u);  // the malformed lines (a cut one, a word for an index, an
                                      // unknown end, a range that ends before it starts) are left out
  EXPECT_EQ(status.runs.at(0).pid, 42);
  EXPECT_EQ(status.runs.at(0).how, SharedRunEnd::How::exit);
  EXPECT_DOUBLE_EQ(status.runs.at(0).seconds, 0.153);
  EXPECT_EQ(status.runs.at(1).how, SharedRunEnd::How::signal);
  EXPECT_EQ(status.runs.at(1).value, 11);
  EXPECT_EQ(status.runs.at(2).how, SharedRunEnd::How::timeout);
  EXPECT_FALSE(parse_shared_status("parent 41\n0 42 exit 0 1 0 1\n").done);  // the parent did not finish
}

TEST(SharedStart, TheParentsXmlIsCutIntoEachRunsDocumentAndItsOwn) {
  const std::string text = "HEAD<run0/><run1/>TAIL";
  SharedStatus status;
  status.runs[0] = {10, SharedRunEnd::How::exit, 0, 0, 4, 11};
  status.runs[1] = {11, SharedRunEnd::How::exit, 0, 0, 11, 18};
  status.runs[2] = {12, SharedRunEnd::How::exit, 124, 0, 18, 18};  // wrote nothing: no document
  const auto split = split_shared_xml(text, status);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->own, "HEADTAIL");
  EXPECT_EQ(split->runs.at(0), "<run0/>");
  EXPECT_EQ(split->runs.at(1), "<run1/>");
  EXPECT_EQ(split->runs.count(2), 0u);
  status.runs[1].to = 99;  // beyond the file
  EXPECT_FALSE(split_shared_xml(text, status));
  status.runs[1] = {11, SharedRunEnd::How::exit, 0, 0, 8, 18};  // overlaps run 0's
  EXPECT_FALSE(split_shared_xml(text, status));
}

TEST(SharedStart, ARunsInputRecordIsTheStartsOwnLinesItsOwnAndThoseOfProcessesNoRunIs) {
  const std::string record =
      "H\t40\t0\t/bin/p\n"        // the start, before the runs
      "O\t41\t0\t/data/a.json\n"  // run 41
      "O\t42\t0\t/data/b.json\n"  // run 42
      "O\t77\t0\t/data/c.json\n"  // a process a run started
      "O\t-1\t0\t/data/d.json\n"
      "damaged line\n";
  EXPECT_EQ(record_of_run(record, 41, {41, 42}),
            "H\t40\t0\t/bin/p\nO\t41\t0\t/data/a.json\nO\t77\t0\t/data/c.json\nO\t-1\t0\t/data/d.json\ndamaged line\n");
  EXPECT_EQ(record_of_run(record, 42, {41, 42}).find("a.json"), std::string::npos);
}

}  // namespace
}  // namespace harness::exec
