// The safetensors container: exact byte layout, round trips, every malformed
// header or buffer giving DataLoss, and files written by Python's safetensors.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "nabla/core/allocator.h"
#include "nabla/core/error.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/safetensors.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/shape_ops.h"

namespace nb = nabla;
using nb::io::SafetensorsReader;

namespace {

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &n, 8);
  return s;
}

// A file from a header text and data bytes.
std::string file_of(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

std::string floats(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.begin(), s.size());
  return s;
}

// Expects parse() to throw E whose message contains `needle`.
template <typename E = nb::DataLoss>
void expect_bad(const std::string& bytes, const std::string& needle) {
  try {
    SafetensorsReader::parse(bytes, "f.safetensors");
    ADD_FAILURE() << "accepted a malformed file; expected an error containing: " << needle;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("f.safetensors"), std::string::npos) << "message names the file: " << e.what();
  }
}

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("nabla_st_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace

TEST(Safetensors, ByteLayoutIsTheSpecs) {
  // One F32 [2] tensor and metadata: header length, JSON, 8-byte aligned data.
  nb::Tensor t = nb::constant(std::vector<float>{1.5f, -2.0f}, nb::Shape{2});
  std::string bytes = nb::io::encode_safetensors({{"w", t}}, {{"k", "v"}});
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  ASSERT_EQ(bytes.size(), 8 + n + 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  std::string header = bytes.substr(8, n);
  while (!header.empty() && header.back() == ' ') header.pop_back();
  EXPECT_EQ(header, R"({"__metadata__":{"k":"v"},"w":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}})");
  EXPECT_EQ(bytes.substr(8 + n), floats({1.5f, -2.0f}));
}

TEST(Safetensors, RoundTripsEveryDTypeScalarsAndEmptyTensors) {
  std::vector<std::pair<std::string, nb::Tensor>> ts;
  for (nb::DType d : {nb::float16, nb::bfloat16, nb::float32, nb::float64, nb::int8, nb::int16, nb::int32, nb::int64,
                      nb::uint8, nb::bool_}) {
    ts.emplace_back(std::string("t_") + std::string(nb::dtype_name(d)),
                    nb::cast(nb::constant(std::vector<float>{1, 0, 3, 4, 5, 6}, nb::Shape{2, 3}), d));
  }
  ts.emplace_back("scalar", nb::constant(std::vector<double>{2.5}, nb::Shape{}));
  ts.emplace_back("empty", nb::zeros(nb::Shape{0, 4}));
  ts.emplace_back("strided", nb::transpose(nb::constant(std::vector<float>{1, 2, 3, 4, 5, 6}, nb::Shape{2, 3})));
  SafetensorsReader r = SafetensorsReader::parse(nb::io::encode_safetensors(ts, {{"a", "1"}}));
  ASSERT_EQ(r.entries().size(), ts.size());
  EXPECT_EQ(*r.metadata_value("a"), "1");
  for (const auto& [name, t] : ts) {
    nb::Tensor back = r.tensor(name);
    ASSERT_EQ(back.dtype(), t.dtype()) << name;
    ASSERT_EQ(back.shape(), t.shape()) << name;
    nb::Tensor c = t.contiguous();
    EXPECT_EQ(std::memcmp(back.raw_data(), c.raw_data(), size_t(c.size()) * nb::dtype_size(c.dtype())), 0) << name;
  }
  EXPECT_THROW(r.tensor("nope"), nb::NotFound);
}

TEST(Safetensors, WriterRejectsBadNames) {
  nb::Tensor t = nb::zeros(nb::Shape{1});
  EXPECT_THROW(nb::io::encode_safetensors({{"", t}}), nb::InvalidArgument);
  EXPECT_THROW(nb::io::encode_safetensors({{"__metadata__", t}}), nb::InvalidArgument);
  EXPECT_THROW(nb::io::encode_safetensors({{"a", t}, {"a", t}}), nb::InvalidArgument);
  EXPECT_THROW(nb::io::encode_safetensors({{"a", nb::Tensor()}}), nb::InvalidArgument);
}

TEST(Safetensors, MalformedFilesGiveDataLossSayingWhatWasExpected) {
  const std::string ok_data = floats({1, 2});
  const std::string ok_entry = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  ASSERT_NO_THROW(SafetensorsReader::parse(file_of("{" + ok_entry + "}", ok_data)));

  expect_bad("", "expected at least 8 bytes");
  expect_bad("abc", "expected at least 8 bytes");
  expect_bad(le64(uint64_t(1) << 40) + "{}", "more than the limit");
  expect_bad(le64(100) + "{}", "truncated: the header length says 100 bytes but only 2");
  expect_bad(file_of("[1,2]", ""), "expected the JSON header to start with '{'");
  expect_bad(file_of("{\"w\":", ""), "not valid JSON");
  expect_bad(file_of("{\"w\":[1]}", ""), "expected an object with dtype, shape, data_offsets");
  expect_bad(file_of(R"({"__metadata__":{"a":1}})", ""), "to be a string");
  expect_bad(file_of(R"({"__metadata__":[1]})", ""), "expected __metadata__ to be an object");
  expect_bad(file_of(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", ok_data), "expected a string 'dtype'");
  expect_bad(file_of(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", ok_data), "expected an array 'shape'");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[2]}})", ok_data), "expected 'data_offsets' to be [begin, end]");
  expect_bad(file_of(R"({"w":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", ok_data), "unknown dtype");
  expect_bad<nb::InvalidArgument>(file_of(R"({"w":{"dtype":"U16","shape":[4],"data_offsets":[0,8]}})", ok_data),
                                  "nabla has no such tensor type");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", ok_data),
             "expected non-negative integer dimensions");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})", ok_data),
             "expected non-negative integer dimensions");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}})", ok_data),
             "expected non-negative integer data_offsets");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", ok_data), "end before they begin");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", ok_data),
             "reach outside the data section of 8 bytes");
  expect_bad(file_of(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", ok_data),
             "need 3 x 4 bytes but data_offsets give 8");
  expect_bad(file_of(R"({"w":{"dtype":"F64","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,8]}})",
                     ok_data),
             "4611686018427387904");
  expect_bad(file_of("{" + ok_entry + "}", ok_data + "xx"), "trailing bytes");
  // Two tensors: a gap, and an overlap.
  expect_bad(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                     floats({1, 2, 3})),
             "(a gap)");
  expect_bad(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                     ok_data),
             "overlaps");
}

TEST(Safetensors, EveryTruncationOfAValidFileIsDataLoss) {
  std::string bytes = nb::io::encode_safetensors(
      {{"a", nb::constant(std::vector<float>{1, 2, 3}, nb::Shape{3})}, {"b", nb::zeros(nb::Shape{2, 2}, nb::int64)}},
      {{"format", "x"}});
  for (size_t len = 0; len < bytes.size(); ++len)
    EXPECT_THROW(SafetensorsReader::parse(bytes.substr(0, len)), nb::DataLoss) << "prefix of " << len << " bytes";
  EXPECT_NO_THROW(SafetensorsReader::parse(bytes));
}

TEST(Safetensors, ReadsAFileWrittenByPythonSafetensors) {
  // tests/tools/gen_safetensors.py: safetensors.numpy.save_file of known arrays.
  SafetensorsReader r = SafetensorsReader::open(std::string(NABLA_TEST_DATA_DIR) + "/safetensors/python_written.safetensors");
  EXPECT_EQ(*r.metadata_value("writer"), "python safetensors");
  nb::Tensor k = r.tensor("dense/kernel");
  ASSERT_EQ(k.shape(), (nb::Shape{3, 2}));
  ASSERT_EQ(k.dtype(), nb::float32);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(k.data<float>()[i], 0.25f * float(i) - 0.5f);
  nb::Tensor b = r.tensor("dense/bias");
  ASSERT_EQ(b.shape(), (nb::Shape{2}));
  EXPECT_EQ(b.data<float>()[0], 1.0f);
  EXPECT_EQ(b.data<float>()[1], -1.0f);
  nb::Tensor i = r.tensor("counts");
  ASSERT_EQ(i.dtype(), nb::int64);
  EXPECT_EQ(i.data<int64_t>()[2], int64_t(1) << 40);
  nb::Tensor h = r.tensor("half");
  ASSERT_EQ(h.dtype(), nb::float16);
  EXPECT_EQ(float(nb::cast(h, nb::float32).data<float>()[1]), 0.5f);
}

TEST(AtomicFile, ReplacesWholeFilesAndLeavesNoTemporaries) {
  auto dir = temp_dir("atomic");
  auto path = dir / "f.bin";
  nb::io::write_file_atomically(path, std::string(100000, 'a'));
  nb::io::write_file_atomically(path, "short");
  EXPECT_EQ(nb::io::read_file(path), "short");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += (void(e), 1);
  EXPECT_EQ(files, 1) << "no temporary files remain";
  // A failure while producing the content leaves the previous file and no temporary.
  EXPECT_THROW(nb::io::write_file_atomically(path,
                                             [](const std::function<void(std::string_view)>& sink) {
                                               sink("partial");
                                               throw nb::Internal("producer failed");
                                             }),
               nb::Internal);
  EXPECT_EQ(nb::io::read_file(path), "short");
  files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += (void(e), 1);
  EXPECT_EQ(files, 1);
  EXPECT_THROW(nb::io::write_file_atomically(dir / "missing_dir" / "f", "x"), nb::NotFound);
  EXPECT_THROW(nb::io::read_file(dir / "nope"), nb::NotFound);
  EXPECT_THROW(nb::io::read_file(path, 3), nb::ResourceExhausted);
  std::filesystem::remove_all(dir);
}

TEST(ScopedAllocationLimit, CapsWhatTheThreadMayAllocate) {
  {
    nb::ScopedAllocationLimit limit(1000);
    EXPECT_NO_THROW(nb::zeros(nb::Shape{100}));           // 400 bytes
    EXPECT_THROW(nb::zeros(nb::Shape{200}), nb::ResourceExhausted);  // 800 more: over
    EXPECT_NO_THROW(nb::zeros(nb::Shape{100}));           // 400: still fits
  }
  EXPECT_NO_THROW(nb::zeros(nb::Shape{1000000}));  // no limit once the scope ends
}
