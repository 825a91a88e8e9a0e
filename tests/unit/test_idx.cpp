// IDX reader/writer: round trips of every IDX dtype and rank (plain and gzip),
// hand-made byte fixtures (bytes written here, never by write_idx) for valid
// files and for every malformed case, gzip streams built by hand (stored
// deflate blocks) so the reader is checked independently of zlib's encoder.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <nabla/data/idx.h>
#include <nabla/nabla.h>

#include "unit/data_test_util.h"

namespace nb = nabla;
using data_test::Bytes;
using data_test::TempDir;

namespace {

const std::vector<nb::DType> kIdxDTypes = {nb::uint8, nb::int8, nb::int16, nb::int32, nb::float32, nb::float64};

// Distinct values that exercise every byte of each element (and the sign).
nb::Tensor pattern(const nb::Shape& shape, nb::DType dt) {
  const size_t n = size_t(shape.num_elements());
  if (nb::is_floating(dt)) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = (double(i) - 7.0) * 0.375 * (i % 3 == 0 ? 1e6 : 1.0);
    return nb::constant(v, shape, dt);
  }
  int64_t lo = 0, span = 256;
  if (dt == nb::int8) lo = -128;
  if (dt == nb::int16) { lo = -32768; span = 65536; }
  if (dt == nb::int32) { lo = -2147483648LL; span = 4294967296LL; }
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = lo + int64_t((uint64_t(i) * 2654435761ULL + 12345) % uint64_t(span));
  return nb::constant(v, shape, dt);
}

Bytes raw(const nb::Tensor& t) {
  const nb::Tensor c = t.contiguous();
  const auto* p = static_cast<const uint8_t*>(c.raw_data());
  return Bytes(p, p + size_t(c.size()) * nb::dtype_size(c.dtype()));
}

// Header bytes: magic + big-endian dims.
Bytes header(uint8_t type, const std::vector<uint32_t>& dims) {
  Bytes b = {0, 0, type, uint8_t(dims.size())};
  for (uint32_t d : dims) b.insert(b.end(), {uint8_t(d >> 24), uint8_t(d >> 16), uint8_t(d >> 8), uint8_t(d)});
  return b;
}

// Expects read_idx (from a file) and read_idx_from_memory to throw E whose
// message contains every string in `parts`.
template <typename E>
void expect_idx_error(const Bytes& bytes, const std::vector<std::string>& parts) {
  TempDir dir;
  const std::string path = dir.file("bad-idx1-ubyte");
  data_test::write_bytes(path, bytes);
  for (int from_memory = 0; from_memory < 2; ++from_memory) {
    SCOPED_TRACE(from_memory ? "read_idx_from_memory" : "read_idx");
    try {
      if (from_memory) nb::data::read_idx_from_memory(bytes.data(), bytes.size(), path);
      else nb::data::read_idx(path);
      ADD_FAILURE() << "expected an exception";
    } catch (const E& e) {
      const std::string msg = e.what();
      for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
      EXPECT_NE(msg.find(path), std::string::npos) << "the message should name the file: " << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
    }
  }
}

}  // namespace

TEST(IdxRoundTrip, EveryDTypeAndRankPlainAndGzip) {
  TempDir dir;
  for (nb::DType dt : kIdxDTypes) {
    for (int rank = 1; rank <= 8; ++rank) {
      nb::Shape shape;
      for (int d = 0; d < rank; ++d) shape.push_back(d < 3 ? d + 2 : (d % 2 ? 1 : 2));  // 2,3,4,1,2,1,2,1
      const nb::Tensor t = pattern(shape, dt);
      for (bool gz : {false, true}) {
        SCOPED_TRACE(std::string(nb::dtype_name(dt)) + " rank " + std::to_string(rank) + (gz ? " gzip" : " plain"));
        const std::string path = dir.file("t.idx");  // no .gz: compression is detected from the bytes
        nb::data::write_idx(path, t, gz);
        const Bytes file = data_test::read_bytes(path);
        ASSERT_GE(file.size(), 2u);
        EXPECT_EQ(file[0] == 0x1f && file[1] == 0x8b, gz) << "gzip magic present iff gzip was asked for";
        const nb::Tensor r = nb::data::read_idx(path);
        EXPECT_EQ(r.dtype(), dt);
        EXPECT_EQ(r.shape(), shape);
        EXPECT_EQ(raw(r), raw(t));
        const nb::Tensor m = nb::data::read_idx_from_memory(file.data(), file.size(), "mem");
        EXPECT_EQ(m.shape(), shape);
        EXPECT_EQ(raw(m), raw(t));
      }
    }
  }
}

TEST(IdxRoundTrip, EmptyDimensionAndStridedInput) {
  TempDir dir;
  const std::string path = dir.file("e.idx");
  nb::data::write_idx(path, nb::zeros({0, 28, 28}, nb::uint8));
  const nb::Tensor e = nb::data::read_idx(path);
  EXPECT_EQ(e.shape(), nb::Shape({0, 28, 28}));
  // A transposed (non-contiguous) view is written in its logical row-major order.
  const nb::Tensor t = nb::transpose(nb::constant({{1, 2, 3}, {4, 5, 6}}));
  nb::data::write_idx(path, t, true);
  const nb::Tensor r = nb::data::read_idx(path);
  EXPECT_EQ(r.shape(), nb::Shape({3, 2}));
  EXPECT_EQ(r.to_vector<int32_t>(), (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
}

TEST(IdxWrite, WritesBigEndianBytes) {
  TempDir dir;
  const std::string path = dir.file("w.idx");
  nb::data::write_idx(path, nb::constant(std::vector<int16_t>{0x0102, -2}, nb::Shape{2}));
  EXPECT_EQ(data_test::read_bytes(path), (Bytes{0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe}));
  nb::data::write_idx(path, nb::constant({1.0f, -2.5f}));
  EXPECT_EQ(data_test::read_bytes(path),
            (Bytes{0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0}));
  nb::data::write_idx(path, nb::constant({{7}}, nb::uint8));
  EXPECT_EQ(data_test::read_bytes(path), (Bytes{0, 0, 0x08, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7}));
}

TEST(IdxWrite, RejectsWhatIdxCannotHold) {
  TempDir dir;
  const std::string path = dir.file("w.idx");
  EXPECT_THROW(nb::data::write_idx(path, nb::constant({1, 2}, nb::int64)), nb::InvalidArgument);
  EXPECT_THROW(nb::data::write_idx(path, nb::constant({true}, nb::bool_)), nb::InvalidArgument);
  EXPECT_THROW(nb::data::write_idx(path, nb::constant(3)), nb::InvalidArgument);  // rank 0
  EXPECT_THROW(nb::data::write_idx(path, nb::zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}, nb::uint8)), nb::InvalidArgument);
  EXPECT_THROW(nb::data::write_idx(path, nb::Tensor()), nb::InvalidArgument);
  EXPECT_THROW(nb::data::write_idx(dir.file("no/such/folder/x.idx"), nb::constant({1})), nb::NotFound);
}

TEST(IdxRead, HandMadeFixturesOfEveryType) {
  struct Case {
    Bytes bytes;
    nb::DType dtype;
    nb::Shape shape;
    std::vector<double> values;
  };
  const std::vector<Case> cases = {
      {data_test::concat(header(0x08, {2, 3}), {1, 2, 3, 4, 5, 255}), nb::uint8, {2, 3}, {1, 2, 3, 4, 5, 255}},
      {data_test::concat(header(0x09, {2}), {0x80, 0x7f}), nb::int8, {2}, {-128, 127}},
      {data_test::concat(header(0x0b, {2}), {0x80, 0x00, 0x01, 0x02}), nb::int16, {2}, {-32768, 258}},
      {data_test::concat(header(0x0c, {2}), {1, 2, 3, 4, 0xff, 0xff, 0xff, 0xfe}), nb::int32, {2}, {16909060, -2}},
      {data_test::concat(header(0x0d, {1, 2}), {0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0}), nb::float32, {1, 2}, {1.0, -2.5}},
      {data_test::concat(header(0x0e, {1}), {0xc0, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18}), nb::float64, {1},
       {-3.141592653589793}},
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(nb::dtype_name(c.dtype)));
    for (int variant = 0; variant < 3; ++variant) {  // plain file, gzip file, gzip in memory
      const Bytes b = variant == 0 ? c.bytes : data_test::gzip_stored(c.bytes);
      nb::Tensor t;
      if (variant == 2) {
        t = nb::data::read_idx_from_memory(b.data(), b.size(), "mem");
      } else {
        const std::string path = dir.file(variant ? "x-idx.gz" : "x-idx");
        data_test::write_bytes(path, b);
        t = nb::data::read_idx(path);
      }
      EXPECT_EQ(t.dtype(), c.dtype);
      EXPECT_EQ(t.shape(), c.shape);
      EXPECT_EQ(t.to_vector<double>(), c.values);
    }
  }
}

TEST(IdxRead, GzipDetectedFromContentNotName) {
  TempDir dir;
  const Bytes idx = data_test::concat(header(0x08, {3}), {9, 8, 7});
  data_test::write_bytes(dir.file("plain.gz"), idx);  // plain bytes behind a .gz name
  EXPECT_EQ(nb::data::read_idx(dir.file("plain.gz")).to_vector<int>(), (std::vector<int>{9, 8, 7}));
  data_test::write_bytes(dir.file("packed"), data_test::gzip_stored(idx));
  EXPECT_EQ(nb::data::read_idx(dir.file("packed")).to_vector<int>(), (std::vector<int>{9, 8, 7}));
}

TEST(IdxRead, LargeGzipAcrossManyBlocksAndConcatenatedMembers) {
  // 200000 bytes of data: several stored blocks; then the same split into two
  // gzip members (valid per RFC 1952, what `cat a.gz b.gz` produces).
  Bytes idx = header(0x08, {500, 400});
  for (int i = 0; i < 200000; ++i) idx.push_back(uint8_t(i * 7 + i / 256));
  const Bytes one = data_test::gzip_stored(idx);
  const nb::Tensor a = nb::data::read_idx_from_memory(one.data(), one.size(), "one");
  ASSERT_EQ(a.shape(), nb::Shape({500, 400}));
  EXPECT_EQ(raw(a), Bytes(idx.begin() + 12, idx.end()));
  const Bytes first(idx.begin(), idx.begin() + 70001), second(idx.begin() + 70001, idx.end());
  const Bytes two = data_test::concat(data_test::gzip_stored(first), data_test::gzip_stored(second));
  TempDir dir;
  data_test::write_bytes(dir.file("two"), two);
  EXPECT_EQ(raw(nb::data::read_idx(dir.file("two"))), Bytes(idx.begin() + 12, idx.end()));
}

TEST(IdxRoundTrip, HighlyCompressibleGzipLargerThanTheInitialBuffer) {
  // 8 MB of float64 that deflate shrinks to a few KB: the reader cannot trust
  // the header up front, so it grows its buffer with the inflated data.
  TempDir dir;
  std::vector<double> v(1 << 20);
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(i % 5) - 1.5;
  const nb::Tensor t = nb::constant(v, nb::Shape{1024, 1024});
  const std::string path = dir.file("big");
  nb::data::write_idx(path, t, true);
  EXPECT_LT(data_test::read_bytes(path).size(), size_t(1) << 18);
  const nb::Tensor r = nb::data::read_idx(path);
  EXPECT_EQ(r.shape(), nb::Shape({1024, 1024}));
  EXPECT_EQ(r.to_vector<double>(), v);
}

TEST(IdxMalformed, BadMagic) {
  expect_idx_error<nb::DataLoss>({0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0}, {"magic 00 00 <type> <rank>", "50 4b 03 04"});
  expect_idx_error<nb::DataLoss>(data_test::gzip_stored({0, 1, 8, 1, 0, 0, 0, 0}), {"magic", "00 01 08 01"});
}

TEST(IdxMalformed, BadTypeByte) {
  expect_idx_error<nb::DataLoss>(data_test::concat(header(0x07, {1}), {1}), {"unknown IDX type byte 0x07", "0c (int32)"});
  expect_idx_error<nb::DataLoss>(data_test::concat(header(0x0a, {1}), {1}), {"type byte 0x0a"});
}

TEST(IdxMalformed, BadRank) {
  expect_idx_error<nb::DataLoss>({0, 0, 8, 0, 1, 2, 3}, {"rank 0 is not supported", "1 to 8"});
  expect_idx_error<nb::DataLoss>(header(0x08, std::vector<uint32_t>(9, 1)), {"rank 9 exceeds the maximum of 8"});
}

TEST(IdxMalformed, TruncatedHeader) {
  expect_idx_error<nb::DataLoss>({0, 0, 8}, {"truncated header", "at least 4 bytes", "found 3"});
  expect_idx_error<nb::DataLoss>({}, {"truncated header", "found 0"});
  expect_idx_error<nb::DataLoss>({0, 0, 8, 3, 0, 0, 0, 2, 0, 0}, {"truncated header", "expected 16", "found 10"});
  expect_idx_error<nb::DataLoss>(data_test::gzip_stored({0, 0, 8, 3, 0, 0, 0, 2}), {"expected 16", "found 8"});
}

TEST(IdxMalformed, TruncatedData) {
  // 60000 x 28 x 28 images promised, 1234 bytes present.
  Bytes b = header(0x08, {60000, 28, 28});
  b.resize(b.size() + 1234, 7);
  expect_idx_error<nb::DataLoss>(b, {"expected 47040000 bytes of data, found 1234"});
  expect_idx_error<nb::DataLoss>(data_test::gzip_stored(b), {"expected 47040000 bytes of data, found 1234"});
  // Multi-byte elements: 3 int32 need 12 bytes.
  expect_idx_error<nb::DataLoss>(data_test::concat(header(0x0c, {3}), {0, 0, 0, 1, 0}),
                                 {"expected 12 bytes of data, found 5"});
}

TEST(IdxMalformed, TrailingBytes) {
  const Bytes b = data_test::concat(header(0x08, {2}), {1, 2, 3, 4, 5});
  expect_idx_error<nb::DataLoss>(b, {"found 3 trailing bytes after the 2 bytes of data"});
  expect_idx_error<nb::DataLoss>(data_test::gzip_stored(b), {"found 3 trailing bytes"});
}

TEST(IdxMalformed, CorruptGzip) {
  const Bytes idx = data_test::concat(header(0x08, {4}), {1, 2, 3, 4});
  const Bytes good = data_test::gzip_stored(idx);
  Bytes bad_crc = good;
  bad_crc[bad_crc.size() - 8] ^= 0xff;  // first CRC byte
  expect_idx_error<nb::DataLoss>(bad_crc, {"corrupt gzip stream", "incorrect data check"});
  Bytes bad_block = good;
  bad_block[10] = 0x07;  // BFINAL=1, BTYPE=11 (reserved)
  expect_idx_error<nb::DataLoss>(bad_block, {"corrupt gzip stream", "invalid block type"});
  Bytes bad_len = good;
  bad_len[13] ^= 0x01;  // NLEN no longer the complement of LEN
  expect_idx_error<nb::DataLoss>(bad_len, {"corrupt gzip stream"});
  expect_idx_error<nb::DataLoss>(data_test::concat(good, {'j', 'u', 'n', 'k'}),
                                 {"unexpected bytes after the end of the gzip stream", "6a 75 6e 6b"});
}

TEST(IdxMalformed, TruncatedGzip) {
  const Bytes idx = data_test::concat(header(0x08, {100}), Bytes(100, 42));
  const Bytes good = data_test::gzip_stored(idx);
  for (size_t cut : {size_t(2), size_t(12), size_t(40), good.size() - 9, good.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    expect_idx_error<nb::DataLoss>(Bytes(good.begin(), good.begin() + std::ptrdiff_t(cut)), {"truncated gzip stream"});
  }
}

TEST(IdxMalformed, HugeClaimedDimsFailFastWithoutAllocating) {
  auto& alloc = nb::get_allocator(nb::Device::cpu());
  // Product overflows 64 bits.
  expect_idx_error<nb::DataLoss>(header(0x0e, std::vector<uint32_t>(8, 0xffffffffu)), {"overflow"});
  // Fits in 64 bits but above the sane bound.
  expect_idx_error<nb::DataLoss>(header(0x08, {0xffffffffu, 0xffffffffu}), {"more than the limit of"});
  // 4 GiB claimed (below the bound), 10 bytes present: plain and gzip.
  const Bytes b = data_test::concat(header(0x08, {65536, 65536}), Bytes(10, 1));
  alloc.reset_peak();
  const int64_t before = alloc.stats().bytes_in_use;
  expect_idx_error<nb::DataLoss>(b, {"expected 4294967296 bytes of data, found 10"});
  expect_idx_error<nb::DataLoss>(data_test::gzip_stored(b), {"expected 4294967296 bytes of data, found 10"});
  EXPECT_LT(alloc.stats().peak_bytes_in_use - before, int64_t(1) << 20) << "tensor memory allocated from a false claim";
}

TEST(IdxRead, MissingFileIsNotFound) {
  TempDir dir;
  try {
    nb::data::read_idx(dir.file("nope-idx3-ubyte"));
    FAIL() << "expected NotFound";
  } catch (const nb::NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("nope-idx3-ubyte"), std::string::npos) << e.what();
  }
  EXPECT_THROW(nb::data::read_idx(dir.str()), nb::NotFound);  // a folder
  EXPECT_THROW(nb::data::read_idx_from_memory(nullptr, 4, "x"), nb::InvalidArgument);
}

// Fuzz regressions (fuzz/fuzz_idx.cpp; docs/reliability.md).
TEST(IdxFuzzRegression, ZeroDimWithHugeOtherDimsIsDataLossNotOverflow) {
  // Found by fuzz_idx: a zero dimension makes the byte count 0, so the old
  // overflow check passed and Tensor::empty overflowed int64 computing strides
  // (UBSan: signed integer overflow in contiguous_strides).
  const Bytes found = {0x00, 0x00, 0x08, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
                       0xff, 0xff, 0xff, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
                       0x08, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x07};
  expect_idx_error<nb::DataLoss>(found, {"overflows a 64-bit element count"});
  expect_idx_error<nb::DataLoss>(header(0x0d, {0, 0xffffffffu, 0xffffffffu}), {"0 x 4294967295 x 4294967295"});
  expect_idx_error<nb::DataLoss>(data_test::gzip_stored(header(0x08, {0xffffffffu, 0xffffffffu, 0})),
                                 {"overflow"});
  // Zero dimensions whose product (0 counted as 1) fits stay valid, empty tensors.
  const Bytes ok = header(0x0d, {0, 65536, 65536});
  const nb::Tensor t = nb::data::read_idx_from_memory(ok.data(), ok.size(), "ok");
  EXPECT_EQ(t.shape(), nb::Shape({0, 65536, 65536}));
  EXPECT_EQ(t.size(), 0);
}
