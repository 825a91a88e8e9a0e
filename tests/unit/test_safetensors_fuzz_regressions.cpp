// Regression tests for inputs the fuzz targets (fuzz/, docs/reliability.md) or
// their review found in the safetensors reader: each must give nb::DataLoss with
// a useful message, never undefined behaviour or a crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include <nabla/core/error.h>
#include <nabla/io/safetensors.h>

namespace nb = nabla;

namespace {

// A safetensors buffer: 8-byte little-endian length, the header, then `data`.
std::string file_with_header(const std::string& header, const std::string& data = "") {
  const uint64_t n = header.size();
  char len[8];
  std::memcpy(len, &n, 8);  // little-endian host (safetensors.cpp asserts it)
  return std::string(len, 8) + header + data;
}

void expect_data_loss(const std::string& bytes, const std::string& part) {
  try {
    nb::io::SafetensorsReader::parse(bytes, "fuzz.safetensors");
    ADD_FAILURE() << "expected DataLoss";
  } catch (const nb::DataLoss& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(part), std::string::npos) << "missing '" << part << "' in: " << msg;
    EXPECT_NE(msg.find("fuzz.safetensors"), std::string::npos) << msg;
  }
}

}  // namespace

TEST(SafetensorsFuzzRegression, ZeroDimWithHugeOtherDimsIsDataLoss) {
  // The element count is 0, so the byte check passed, and reading the tensor
  // overflowed int64 in Tensor::empty's strides (UBSan, contiguous_strides).
  expect_data_loss(
      file_with_header(R"({"w":{"dtype":"F32","shape":[0,4611686018427387904,4611686018427387904],)"
                       R"("data_offsets":[0,0]}})"),
      "overflows int64");
  expect_data_loss(
      file_with_header(R"({"w":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})"),
      "overflows int64");
  // Empty tensors whose other dimensions fit stay valid.
  const auto r = nb::io::SafetensorsReader::parse(
      file_with_header(R"({"w":{"dtype":"F32","shape":[0,65536,65536],"data_offsets":[0,0]}})"));
  const nb::Tensor t = r.tensor("w");
  EXPECT_EQ(t.shape(), nb::Shape({0, 65536, 65536}));
  EXPECT_EQ(t.size(), 0);
}

TEST(SafetensorsFuzzRegression, DeeplyNestedHeaderIsDataLossNotStackOverflow) {
  // The error message for a bad shape used json::dump(), which recurses once per
  // nesting level: a shape of [[[[...]]]] a million deep overflowed the stack.
  // Headers nested deeper than 64 levels are now refused before parsing.
  const int depth = 1000000;
  const std::string nest = std::string(depth, '[') + std::string(depth, ']');
  expect_data_loss(file_with_header(R"({"w":{"dtype":"F32","shape":[)" + nest + R"(],"data_offsets":[0,0]}})"),
                   "nests arrays/objects 1000003 levels deep; expected at most 64");
  expect_data_loss(file_with_header(R"({"w":{"dtype":"F32","shape":[],"data_offsets":[)" + nest + R"(,4]}})"),
                   "levels deep");
  expect_data_loss(file_with_header(R"({"__metadata__":{"a":)" + nest + "}}"), "levels deep");
  // Brackets inside strings do not count.
  const auto r = nb::io::SafetensorsReader::parse(
      file_with_header(R"({"__metadata__":{"x":")" + std::string(100, '[') + R"("}})"));
  EXPECT_EQ(*r.metadata_value("x"), std::string(100, '['));
  // Shallower nesting reaches the usual checks, whose messages describe
  // containers without dumping them.
  const std::string nest60 = std::string(60, '[') + std::string(60, ']');
  expect_data_loss(file_with_header(R"({"w":{"dtype":"F32","shape":[)" + nest60 + R"(],"data_offsets":[0,0]}})"),
                   "expected non-negative integer dimensions, found shape [an array of 1 elements]");
  expect_data_loss(file_with_header(R"({"w":{"dtype":"F32","shape":[],"data_offsets":[[1,2],4]}})"),
                   "expected non-negative integer data_offsets, found [an array of 2 elements, 4]");
  // A long string is cut in the message.
  expect_data_loss(file_with_header(R"({"w":{"dtype":"F32","shape":[")" + std::string(1000, 'x') +
                                    R"("],"data_offsets":[0,4]}})"),
                   "xxx...");
}
