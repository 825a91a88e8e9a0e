// read_csv: values, header handling, the label column chosen by name or index,
// dtypes, the accepted text variations (CRLF, blank lines, spaces, quotes,
// other delimiters) and every documented error, on files written here.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nabla/data/csv.h>
#include <nabla/nabla.h>

#include "unit/data_test_util.h"

namespace nb = nabla;
using data_test::TempDir;

namespace {

std::string csv_file(const TempDir& dir, const std::string& text) {
  const std::string path = dir.file("t.csv");
  data_test::write_text(path, text);
  return path;
}

template <typename E> std::string error_of(const std::string& path, const nb::data::CsvOptions& o) {
  try {
    nb::data::read_csv(path, o);
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("WRONG TYPE: ") + e.what();
  }
  return "NO ERROR";
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "missing '" << (needle) << "' in: " << (haystack)

}  // namespace

TEST(Csv, HeaderAndLastColumnLabelByDefault) {
  TempDir dir;
  const auto d = nb::data::read_csv(csv_file(dir, "a,b,label\n1,2.5,0\n-3,4e-1,2\n"));
  EXPECT_EQ(d.x.dtype(), nb::float32);
  EXPECT_EQ(d.x.shape(), nb::Shape({2, 2}));
  EXPECT_EQ(d.x.to_vector<float>(), (std::vector<float>{1.f, 2.5f, -3.f, 0.4f}));
  EXPECT_EQ(d.y.dtype(), nb::int32);
  EXPECT_EQ(d.y.shape(), nb::Shape({2}));
  EXPECT_EQ(d.y.to_vector<int32_t>(), (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(d.column_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.label_name, "label");
}

TEST(Csv, LabelByNameInTheMiddle) {
  TempDir dir;
  const auto d = nb::data::read_csv(csv_file(dir, "f1,target,f2\n1,7,2\n3,8,4\n5,9,6\n"), {.label_column = "target"});
  EXPECT_EQ(d.x.shape(), nb::Shape({3, 2}));
  EXPECT_EQ(d.x.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.y.to_vector<int32_t>(), (std::vector<int32_t>{7, 8, 9}));
  EXPECT_EQ(d.column_names, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(d.label_name, "target");
}

TEST(Csv, LabelByIndexPositiveAndNegative) {
  TempDir dir;
  const std::string path = csv_file(dir, "5,1,2\n6,3,4\n");
  const auto first = nb::data::read_csv(path, {.header = false, .label_index = 0});
  EXPECT_EQ(first.y.to_vector<int32_t>(), (std::vector<int32_t>{5, 6}));
  EXPECT_EQ(first.x.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_TRUE(first.column_names.empty());
  const auto middle = nb::data::read_csv(path, {.header = false, .label_index = -2});
  EXPECT_EQ(middle.y.to_vector<int32_t>(), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(middle.x.to_vector<float>(), (std::vector<float>{5, 2, 6, 4}));
}

TEST(Csv, NoLabelsAndOtherDTypes) {
  TempDir dir;
  const std::string path = csv_file(dir, "x,y\n0.1,2\n3,255\n");
  const auto all = nb::data::read_csv(path, {.dtype = nb::float64, .has_labels = false});
  EXPECT_FALSE(all.y.defined());
  EXPECT_EQ(all.x.dtype(), nb::float64);
  EXPECT_EQ(all.x.to_vector<double>(), (std::vector<double>{0.1, 2, 3, 255}));
  EXPECT_EQ(all.column_names, (std::vector<std::string>{"x", "y"}));
  const auto u8 = nb::data::read_csv(path, {.label_dtype = nb::uint8});
  EXPECT_EQ(u8.y.dtype(), nb::uint8);
  EXPECT_EQ(u8.y.to_vector<int>(), (std::vector<int>{2, 255}));
  const auto i64 = nb::data::read_csv(path, {.label_dtype = nb::int64});
  EXPECT_EQ(i64.y.to_vector<int64_t>(), (std::vector<int64_t>{2, 255}));
  const auto fl = nb::data::read_csv(path, {.label_dtype = nb::float32});
  EXPECT_EQ(fl.y.to_vector<float>(), (std::vector<float>{2.f, 255.f}));
}

TEST(Csv, TextVariations) {
  TempDir dir;
  // CRLF, blank lines, spaces around cells, quoted header with the delimiter
  // inside, a leading '+', scientific notation, nan/inf in float columns.
  const auto d = nb::data::read_csv(
      csv_file(dir, "\"a,1\" , \"b \"\"q\"\"\",c\r\n\r\n  1 , +2 ,3\r\n \n-1.5e2,nan,-inf\n\n"),
      {.has_labels = false});
  EXPECT_EQ(d.column_names, (std::vector<std::string>{"a,1", "b \"q\"", "c"}));
  ASSERT_EQ(d.x.shape(), nb::Shape({2, 3}));
  const auto v = d.x.to_vector<double>();
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[1], 2);
  EXPECT_EQ(v[2], 3);
  EXPECT_EQ(v[3], -150);
  EXPECT_TRUE(std::isnan(v[4]));
  EXPECT_EQ(v[5], -INFINITY);
  // Another delimiter, no trailing newline.
  const auto s = nb::data::read_csv(csv_file(dir, "p;q\n1;2\n3;4"), {.delimiter = ';'});
  EXPECT_EQ(s.x.to_vector<float>(), (std::vector<float>{1, 3}));
  EXPECT_EQ(s.y.to_vector<int32_t>(), (std::vector<int32_t>{2, 4}));
}

TEST(Csv, NonNumericCellNamesRowColumnAndText) {
  TempDir dir;
  const std::string path = csv_file(dir, "a,b,c\n1,2,3\n4,abc,6\n");
  const std::string msg = error_of<nb::InvalidArgument>(path, {});
  EXPECT_HAS(msg, "line 3, column 2 ('b')");
  EXPECT_HAS(msg, "expected a number, found 'abc'");
  EXPECT_HAS(msg, path);
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "1,,3\n"), {.header = false}), "line 1, column 2: the cell is empty");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "1,2x,3\n"), {.header = false}), "found '2x'");
}

TEST(Csv, RaggedRows) {
  TempDir dir;
  const std::string msg = error_of<nb::InvalidArgument>(csv_file(dir, "a,b,c\n1,2,3\n\n4,5\n"), {});
  EXPECT_HAS(msg, "line 4 has 2 cells; expected 3");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "1,2\n3,4,5\n"), {.header = false}), "line 2 has 3 cells");
}

TEST(Csv, EmptyFileAndHeaderOnly) {
  TempDir dir;
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, ""), {}), "is empty");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "\n \n"), {.header = false}), "is empty");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "a,b\n"), {}), "has a header but no rows");
}

TEST(Csv, LabelColumnErrors) {
  TempDir dir;
  const std::string path = csv_file(dir, "a,b\n1,2\n");
  const std::string unknown = error_of<nb::InvalidArgument>(path, {.label_column = "label"});
  EXPECT_HAS(unknown, "no column named 'label'");
  EXPECT_HAS(unknown, "'a', 'b'");
  EXPECT_HAS(error_of<nb::InvalidArgument>(path, {.label_index = 2}), "label_index 2 is out of range for 2 columns");
  EXPECT_HAS(error_of<nb::InvalidArgument>(path, {.label_index = -3}), "label_index -3 is out of range");
  EXPECT_HAS(error_of<nb::InvalidArgument>(path, {.header = false, .label_column = "a"}), "needs a header line");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "1\n2\n"), {.header = false}), "expected at least 2");
}

TEST(Csv, ValuesMustFitIntegerDTypes) {
  TempDir dir;
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "a,y\n1,1.5\n"), {}),
             "the value 1.5 is not an integer, but the requested dtype is int32");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "a,y\n1,300\n"), {.label_dtype = nb::uint8}),
             "the value 300 is out of range for uint8");
  EXPECT_HAS(error_of<nb::InvalidArgument>(csv_file(dir, "a,y\n-1,3\n"), {.dtype = nb::uint8}),
             "line 2, column 1 ('a'): the value -1 is out of range for uint8");
}

TEST(Csv, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_HAS(error_of<nb::NotFound>(dir.file("none.csv"), {}), "none.csv");
}
