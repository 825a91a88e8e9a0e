// IDX reader/writer (see include/nabla/data/idx.h). Input comes through a small
// ByteReader interface so that files, memory buffers and gzip streams share one
// validating parser.
#include "nabla/data/idx.h"

#include "nabla/io/atomic_file.h"

#include <zlib.h>

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace nabla::data {
namespace {

using detail::str_cat;

constexpr uint64_t kMaxDataBytes = uint64_t(1) << 36;  // 64 GiB: the "sane bound"
constexpr int kMaxRank = 8;

std::string hex_bytes(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

std::optional<DType> dtype_of_type_byte(uint8_t b) {
  switch (b) {
    case 0x08: return DType::uint8;
    case 0x09: return DType::int8;
    case 0x0B: return DType::int16;
    case 0x0C: return DType::int32;
    case 0x0D: return DType::float32;
    case 0x0E: return DType::float64;
    default: return std::nullopt;
  }
}

std::optional<uint8_t> type_byte_of_dtype(DType t) {
  switch (t) {
    case DType::uint8: return 0x08;
    case DType::int8: return 0x09;
    case DType::int16: return 0x0B;
    case DType::int32: return 0x0C;
    case DType::float32: return 0x0D;
    case DType::float64: return 0x0E;
    default: return std::nullopt;
  }
}

// Swaps every `elem_size`-byte element of [p, p + nbytes) between big-endian
// and host order (a no-op on big-endian hosts). `p` need not be aligned.
template <typename U, U (*Swap)(U)> void swap_each(uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    U v;
    std::memcpy(&v, p + i * sizeof(U), sizeof(U));
    v = Swap(v);
    std::memcpy(p + i * sizeof(U), &v, sizeof(U));
  }
}
uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }
uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
uint64_t bswap64(uint64_t v) { return __builtin_bswap64(v); }

void swap_big_endian(void* data, size_t nbytes, size_t elem_size) {
  if constexpr (std::endian::native == std::endian::big) return;
  auto* p = static_cast<uint8_t*>(data);
  if (elem_size == 2) swap_each<uint16_t, bswap16>(p, nbytes / 2);
  else if (elem_size == 4) swap_each<uint32_t, bswap32>(p, nbytes / 4);
  else if (elem_size == 8) swap_each<uint64_t, bswap64>(p, nbytes / 8);
}

// ----------------------------------------------------------------------------- byte sources

// A sequential stream of bytes.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to n bytes; returns fewer only at the end of the stream.
  virtual size_t read(uint8_t* dst, size_t n) = 0;
};

class MemoryReader final : public ByteReader {
 public:
  MemoryReader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  size_t read(uint8_t* dst, size_t n) override {
    const size_t k = std::min(n, n_ - pos_);
    if (k) std::memcpy(dst, p_ + pos_, k);
    pos_ += k;
    return k;
  }
  // Direct access for the gzip reader (avoids a copy).
  const uint8_t* rest(size_t* n) {
    *n = n_ - pos_;
    const uint8_t* r = p_ + pos_;
    pos_ = n_;
    return r;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

class FileReader final : public ByteReader {
 public:
  FileReader(std::FILE* f, const std::string& name) : f_(f), name_(name) {}
  size_t read(uint8_t* dst, size_t n) override {
    size_t got = 0;
    while (got < n) {
      const size_t k = std::fread(dst + got, 1, n - got, f_);
      got += k;
      if (k == 0) {
        NB_CHECK(!std::ferror(f_), DataLoss, "read_idx: '", name_, "': read error: ", std::strerror(errno));
        break;
      }
    }
    return got;
  }

 private:
  std::FILE* f_;
  const std::string& name_;
};

// Inflates a gzip stream (possibly several concatenated members) read from
// `in`. Throws DataLoss for corrupt or truncated compressed data and for
// non-gzip bytes after the last member.
class GzipReader final : public ByteReader {
 public:
  GzipReader(ByteReader& in, const std::string& name) : in_(in), name_(name) {
    std::memset(&zs_, 0, sizeof(zs_));
    const int rc = inflateInit2(&zs_, 16 + MAX_WBITS);  // gzip wrapper only
    NB_CHECK(rc == Z_OK, ResourceExhausted, "read_idx: '", name_, "': zlib inflateInit2 failed (", rc, ")");
    if (auto* mem = dynamic_cast<MemoryReader*>(&in_)) {
      size_t n = 0;
      const uint8_t* p = mem->rest(&n);
      whole_input_ = true;
      zs_.next_in = const_cast<Bytef*>(p);
      zs_.avail_in = 0;
      mem_rest_ = p;
      mem_left_ = n;
    } else {
      buf_.resize(1 << 18);
    }
  }
  ~GzipReader() override { inflateEnd(&zs_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  uint64_t total_out() const { return produced_; }

  size_t read(uint8_t* dst, size_t n) override {
    size_t got = 0;
    while (got < n && !ended_) {
      if (zs_.avail_in == 0 && !refill()) {
        throw DataLoss(str_cat("read_idx: '", name_, "': truncated gzip stream: the compressed data ends after ",
                               produced_, " decompressed bytes, before the gzip end-of-stream marker"));
      }
      const size_t want = std::min<size_t>(n - got, size_t(1) << 30);
      zs_.next_out = dst + got;
      zs_.avail_out = uInt(want);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      const size_t made = want - zs_.avail_out;
      got += made;
      produced_ += made;
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow; anything else is garbage.
        if (zs_.avail_in == 0 && !refill()) {
          ended_ = true;
        } else if (zs_.next_in[0] == 0x1f) {
          NB_CHECK(inflateReset(&zs_) == Z_OK, Internal, "read_idx: inflateReset failed");
        } else {
          throw DataLoss(str_cat("read_idx: '", name_, "': unexpected bytes after the end of the gzip stream ",
                                 "(expected end of file or another gzip member starting with 1f 8b, found ",
                                 hex_bytes(zs_.next_in, std::min<size_t>(zs_.avail_in, 4)), ")"));
        }
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs_.avail_in == 0)) {
        throw DataLoss(str_cat("read_idx: '", name_, "': corrupt gzip stream (zlib: ",
                               zs_.msg ? zs_.msg : zError(rc), ") after ", produced_, " decompressed bytes"));
      }
    }
    return got;
  }

 private:
  bool refill() {
    if (whole_input_) {
      if (mem_left_ == 0) return false;
      const size_t k = std::min<size_t>(mem_left_, size_t(1) << 30);
      zs_.next_in = const_cast<Bytef*>(mem_rest_);
      zs_.avail_in = uInt(k);
      mem_rest_ += k;
      mem_left_ -= k;
      return true;
    }
    const size_t k = in_.read(buf_.data(), buf_.size());
    zs_.next_in = buf_.data();
    zs_.avail_in = uInt(k);
    return k > 0;
  }

  ByteReader& in_;
  const std::string& name_;
  z_stream zs_;
  std::vector<uint8_t> buf_;
  bool whole_input_ = false;
  const uint8_t* mem_rest_ = nullptr;
  size_t mem_left_ = 0;
  uint64_t produced_ = 0;
  bool ended_ = false;
};

// Reads and discards the rest of `in`; returns how many bytes there were.
uint64_t drain(ByteReader& in) {
  uint8_t buf[1 << 14];
  uint64_t total = 0;
  for (size_t k; (k = in.read(buf, sizeof(buf))) > 0;) total += k;
  return total;
}

// ----------------------------------------------------------------------------- the parser

// Parses an IDX stream. `known_size` is the exact number of bytes the stream
// holds when it is known up front (plain files and buffers); `compressed_size`
// is the size of the gzip input when `in` inflates one (to bound allocations).
Tensor parse_idx(ByteReader& in, const std::string& name, std::optional<uint64_t> known_size,
                 uint64_t compressed_size) {
  uint8_t magic[4];
  const size_t got_magic = in.read(magic, 4);
  NB_CHECK(got_magic == 4, DataLoss, "read_idx: '", name, "': truncated header: expected at least 4 bytes ",
           "(the IDX magic 00 00 <type> <rank>), found ", got_magic);
  NB_CHECK(magic[0] == 0 && magic[1] == 0, DataLoss, "read_idx: '", name,
           "': not an IDX file: expected the magic 00 00 <type> <rank>, found ", hex_bytes(magic, 4));
  const std::optional<DType> dtype = dtype_of_type_byte(magic[2]);
  NB_CHECK(dtype.has_value(), DataLoss, "read_idx: '", name, "': unknown IDX type byte 0x", hex_bytes(magic + 2, 1),
           "; expected 08 (uint8), 09 (int8), 0b (int16), 0c (int32), 0d (float32) or 0e (float64)");
  const int rank = magic[3];
  NB_CHECK(rank != 0, DataLoss, "read_idx: '", name, "': rank 0 is not supported; expected 1 to ", kMaxRank,
           " dimensions");
  NB_CHECK(rank <= kMaxRank, DataLoss, "read_idx: '", name, "': rank ", rank, " exceeds the maximum of ", kMaxRank,
           " dimensions");

  uint8_t dim_bytes[4 * kMaxRank];
  const size_t want_dims = size_t(4 * rank);
  const size_t got_dims = in.read(dim_bytes, want_dims);
  NB_CHECK(got_dims == want_dims, DataLoss, "read_idx: '", name, "': truncated header: expected ", 4 + want_dims,
           " header bytes for rank ", rank, ", found ", 4 + got_dims);

  Shape shape;
  std::string dims_text;
  uint64_t nbytes = dtype_size(*dtype);
  // The product of the dimensions with 0 counted as 1 must fit int64 as well: a
  // tensor's strides and element count are int64 even when it has no elements
  // (00 00 08 03 | 0 | 2^32-1 | 2^32-1 claims 0 bytes but is no valid shape).
  int64_t extent = 1;
  bool overflow = false;
  bool extent_overflow = false;
  for (int d = 0; d < rank; ++d) {
    const uint8_t* b = dim_bytes + 4 * d;
    const uint32_t v = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    shape.push_back(int64_t(v));
    dims_text += (d ? " x " : "") + std::to_string(v);
    overflow = overflow || __builtin_mul_overflow(nbytes, uint64_t(v), &nbytes);
    extent_overflow = extent_overflow || __builtin_mul_overflow(extent, std::max<int64_t>(int64_t(v), 1), &extent);
  }
  NB_CHECK(!overflow, DataLoss, "read_idx: '", name, "': the header's dimensions ", dims_text,
           " overflow a 64-bit byte count");
  NB_CHECK(nbytes <= kMaxDataBytes, DataLoss, "read_idx: '", name, "': the header claims ", dims_text, " ",
           dtype_name(*dtype), " elements (", nbytes, " bytes), more than the limit of ", kMaxDataBytes, " bytes");
  // Only possible with a zero dimension (otherwise extent <= nbytes <= the limit).
  NB_CHECK(!extent_overflow, DataLoss, "read_idx: '", name, "': the header's dimensions ", dims_text,
           " describe no elements, but the product of the other dimensions overflows a 64-bit element count");
  const uint64_t header_bytes = 4 + want_dims;

  if (known_size && *known_size >= header_bytes) {
    const uint64_t have = *known_size - header_bytes;
    NB_CHECK(have >= nbytes, DataLoss, "read_idx: '", name, "': truncated data: the header promises ", dims_text, " ",
             dtype_name(*dtype), " elements; expected ", nbytes, " bytes of data, found ", have);
    NB_CHECK(have == nbytes, DataLoss, "read_idx: '", name, "': found ", have - nbytes,
             " trailing bytes after the ", nbytes, " bytes of data the header (", dims_text, ") describes");
    Tensor out = Tensor::empty(shape, *dtype);
    const size_t got = in.read(static_cast<uint8_t*>(out.mutable_raw_data()), size_t(nbytes));
    NB_CHECK(got == nbytes, DataLoss, "read_idx: '", name, "': expected ", nbytes, " bytes of data, found ", got,
             " (the file shrank while being read?)");
    swap_big_endian(out.mutable_raw_data(), size_t(nbytes), dtype_size(*dtype));
    return out;
  }

  // Size unknown (gzip): never trust the claim beyond a multiple of the input.
  const uint64_t cap = std::max<uint64_t>(uint64_t(1) << 20, 4 * compressed_size);
  Tensor out;
  if (nbytes <= cap) {
    out = Tensor::empty(shape, *dtype);
    const size_t got = in.read(static_cast<uint8_t*>(out.mutable_raw_data()), size_t(nbytes));
    NB_CHECK(got == nbytes, DataLoss, "read_idx: '", name, "': truncated data: the header promises ", dims_text, " ",
             dtype_name(*dtype), " elements; expected ", nbytes, " bytes of data, found ", got);
  } else {
    // Grow chunk by chunk (each at most as large as what arrived so far).
    std::vector<std::vector<uint8_t>> chunks;
    uint64_t total = 0;
    while (total < nbytes) {
      const uint64_t size = std::min<uint64_t>(nbytes - total, std::max<uint64_t>(cap, total));
      chunks.emplace_back(size_t(size));
      const size_t got = in.read(chunks.back().data(), size_t(size));
      total += got;
      NB_CHECK(got == size, DataLoss, "read_idx: '", name, "': truncated data: the header promises ", dims_text, " ",
               dtype_name(*dtype), " elements; expected ", nbytes, " bytes of data, found ", total);
    }
    out = Tensor::empty(shape, *dtype);
    auto* dst = static_cast<uint8_t*>(out.mutable_raw_data());
    for (const auto& c : chunks) {
      std::memcpy(dst, c.data(), c.size());
      dst += c.size();
    }
  }
  const uint64_t trailing = drain(in);
  NB_CHECK(trailing == 0, DataLoss, "read_idx: '", name, "': found ", trailing, " trailing bytes after the ", nbytes,
           " bytes of data the header (", dims_text, ") describes");
  swap_big_endian(out.mutable_raw_data(), size_t(nbytes), dtype_size(*dtype));
  return out;
}

bool is_gzip(const uint8_t* p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

}  // namespace

Tensor read_idx_from_memory(const void* data, size_t size, const std::string& name_for_errors) {
  NB_CHECK(data != nullptr || size == 0, InvalidArgument, "read_idx_from_memory: null data with size ", size);
  const auto* p = static_cast<const uint8_t*>(data);
  MemoryReader mem(p, size);
  if (is_gzip(p, size)) {
    GzipReader gz(mem, name_for_errors);
    return parse_idx(gz, name_for_errors, std::nullopt, size);
  }
  return parse_idx(mem, name_for_errors, uint64_t(size), 0);
}

Tensor read_idx(const std::string& path) {
  struct stat st {};
  NB_CHECK(::stat(path.c_str(), &st) == 0, NotFound, "read_idx: cannot open '", path, "': ", std::strerror(errno));
  NB_CHECK(!S_ISDIR(st.st_mode), NotFound, "read_idx: '", path, "' is a directory, expected an IDX file");
  FilePtr f(std::fopen(path.c_str(), "rb"));
  NB_CHECK(f != nullptr, NotFound, "read_idx: cannot open '", path, "': ", std::strerror(errno));
  FileReader file(f.get(), path);
  uint8_t head[2] = {0, 0};
  const size_t n = file.read(head, 2);
  const bool gz = is_gzip(head, n);
  std::rewind(f.get());
  if (gz) {
    GzipReader gzr(file, path);
    return parse_idx(gzr, path, std::nullopt, uint64_t(st.st_size));
  }
  // Regular files have a known size; pipes and devices are read incrementally.
  return parse_idx(file, path, S_ISREG(st.st_mode) ? std::optional<uint64_t>(uint64_t(st.st_size)) : std::nullopt,
                   0);
}

void write_idx(const std::string& path, const Tensor& tensor, bool gzip) {
  NB_CHECK(tensor.defined(), InvalidArgument, "write_idx: the tensor is undefined");
  const std::optional<uint8_t> type_byte = type_byte_of_dtype(tensor.dtype());
  NB_CHECK(type_byte.has_value(), InvalidArgument, "write_idx: IDX cannot store dtype ", dtype_name(tensor.dtype()),
           "; expected uint8, int8, int16, int32, float32 or float64");
  NB_CHECK(tensor.rank() >= 1 && tensor.rank() <= kMaxRank, InvalidArgument, "write_idx: expected rank 1 to ",
           kMaxRank, ", got a tensor of shape ", tensor.shape().str());
  std::vector<uint8_t> bytes;
  bytes.reserve(4 + 4 * size_t(tensor.rank()));
  bytes.insert(bytes.end(), {0, 0, *type_byte, uint8_t(tensor.rank())});
  for (int64_t d : tensor.shape()) {
    NB_CHECK(d <= int64_t(std::numeric_limits<uint32_t>::max()), InvalidArgument, "write_idx: dimension ", d,
             " of shape ", tensor.shape().str(), " does not fit in the IDX header's uint32");
    bytes.insert(bytes.end(), {uint8_t(d >> 24), uint8_t(d >> 16), uint8_t(d >> 8), uint8_t(d)});
  }
  const Tensor c = tensor.contiguous();
  const size_t nbytes = size_t(c.size()) * dtype_size(c.dtype());
  const size_t header = bytes.size();
  bytes.resize(header + nbytes);
  if (nbytes) std::memcpy(bytes.data() + header, c.raw_data(), nbytes);
  swap_big_endian(bytes.data() + header, nbytes, dtype_size(c.dtype()));

  // Written atomically (temporary file, fsync, rename): a crash keeps the old file.
  if (!gzip) {
    io::write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    return;
  }
  z_stream zs{};
  NB_CHECK(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, Internal,
           "write_idx: zlib deflateInit2 failed");
  std::string out;
  out.resize(size_t(deflateBound(&zs, uLong(bytes.size()))) + 64);
  zs.next_in = bytes.data();
  zs.avail_in = 0;
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(std::min<size_t>(out.size(), std::numeric_limits<uInt>::max()));
  size_t fed = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.avail_in == 0 && fed < bytes.size()) {
      const size_t k = std::min<size_t>(bytes.size() - fed, size_t(1) << 30);
      zs.next_in = bytes.data() + fed;
      zs.avail_in = uInt(k);
      fed += k;
    }
    if (zs.avail_out == 0) {
      const size_t used = out.size();
      out.resize(used * 2);
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs.avail_out = uInt(std::min<size_t>(out.size() - used, std::numeric_limits<uInt>::max()));
    }
    rc = deflate(&zs, fed == bytes.size() ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
  }
  const size_t produced = size_t(zs.total_out);
  deflateEnd(&zs);
  NB_CHECK(rc == Z_STREAM_END, Internal, "write_idx: gzip compression of '", path, "' failed (zlib code ", rc, ")");
  out.resize(produced);
  io::write_file_atomically(path, out);
}

}  // namespace nabla::data
