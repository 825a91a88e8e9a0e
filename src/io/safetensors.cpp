// safetensors reader and writer (see include/nabla/io/safetensors.h).
#include "nabla/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "io/json_depth.h"
#include "nabla/io/atomic_file.h"
#include "nabla/ops/creation.h"

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; big-endian hosts need byte swapping");

namespace nabla::io {
namespace {

using nabla::detail::str_cat;
using json = nlohmann::json;

// Deepest JSON nesting accepted in a header (serde_json's default limit, which
// the reference implementation inherits, is 128).
constexpr size_t kMaxHeaderNesting = 64;

struct DTypeName {
  DType dtype;
  std::string_view name;
};
constexpr DTypeName kDTypeNames[] = {
    {DType::float16, "F16"}, {DType::bfloat16, "BF16"}, {DType::float32, "F32"}, {DType::float64, "F64"},
    {DType::int8, "I8"},     {DType::int16, "I16"},     {DType::int32, "I32"},   {DType::int64, "I64"},
    {DType::uint8, "U8"},    {DType::bool_, "BOOL"},
};
// safetensors dtypes that exist but nabla has no tensor type for.
constexpr std::string_view kKnownUnsupported[] = {"U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"};

std::optional<DType> dtype_from_name(std::string_view s) {
  for (const auto& d : kDTypeNames)
    if (d.name == s) return d.dtype;
  return std::nullopt;
}

uint64_t read_u64_le(const char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}

// A non-negative integer that fits in uint64 (JSON may say -1, 1.5, "3" or 1e30).
std::optional<uint64_t> as_u64(const json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
  return std::nullopt;
}

// A JSON value for an error message without recursing into it: dump() recurses
// once per nesting level, and a hostile header can nest arrays a million deep.
std::string describe(const json& j) {
  if (j.is_primitive()) {
    std::string s = j.dump();
    return s.size() <= 64 ? s : s.substr(0, 64) + "...";
  }
  return str_cat("an ", j.type_name(), " of ", j.size(), " elements");
}
// A (short) JSON array as "[a, b]", each element through describe().
std::string describe_list(const json& j) {
  if (!j.is_array() || j.size() > 64) return describe(j);
  std::string s = "[";
  for (size_t i = 0; i < j.size(); ++i) s += (i ? ", " : "") + describe(j[i]);
  return s + "]";
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

}  // namespace

std::string_view safetensors_dtype_name(DType dtype) {
  for (const auto& d : kDTypeNames)
    if (d.dtype == dtype) return d.name;
  throw InvalidArgument(str_cat("dtype ", dtype_name(dtype), " has no safetensors name"));
}

SafetensorsReader SafetensorsReader::parse(std::string bytes, std::string source) {
  SafetensorsReader r;
  r.source_ = std::move(source);
  const std::string& src = r.source_;
  const uint64_t size = bytes.size();
  NB_CHECK(size >= 8, DataLoss, src, ": not a safetensors file: expected at least 8 bytes (the header length), found ",
           size);
  const uint64_t n = read_u64_le(bytes.data());
  NB_CHECK(n <= kMaxSafetensorsHeaderBytes, DataLoss, src, ": header length is ", n,
           " bytes, more than the limit of ", kMaxSafetensorsHeaderBytes, " (a corrupt file or not safetensors)");
  NB_CHECK(n <= size - 8, DataLoss, src, ": truncated: the header length says ", n, " bytes but only ", size - 8,
           " bytes follow the length field");
  NB_CHECK(n >= 2, DataLoss, src, ": header length is ", n, ", too short for a JSON object");
  const std::string_view header(bytes.data() + 8, size_t(n));
  if (header.front() != '{') {
    static const char* hex = "0123456789abcdef";
    const auto b = uint8_t(header.front());
    throw DataLoss(str_cat(src, ": expected the JSON header to start with '{', found byte 0x", hex[b >> 4], hex[b & 15]));
  }
  const size_t depth = io::detail::json_nesting_depth(header);
  NB_CHECK(depth <= kMaxHeaderNesting, DataLoss, src, ": the JSON header nests arrays/objects ", depth,
           " levels deep; expected at most ", kMaxHeaderNesting, " (a safetensors header needs 3)");
  json h = json::parse(header.begin(), header.end(), nullptr, /*allow_exceptions=*/false);
  NB_CHECK(!h.is_discarded(), DataLoss, src, ": the ", n, "-byte header is not valid JSON");
  NB_CHECK(h.is_object(), DataLoss, src, ": expected the header to be a JSON object, found ", h.type_name());

  const uint64_t data_size = size - 8 - n;
  r.data_start_ = 8 + n;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      NB_CHECK(v.is_object() || v.is_null(), DataLoss, src, ": expected __metadata__ to be an object of strings, found ",
               v.type_name());
      if (v.is_null()) continue;
      for (auto m = v.begin(); m != v.end(); ++m) {
        NB_CHECK(m.value().is_string(), DataLoss, src, ": expected __metadata__[", quoted(m.key()),
                 "] to be a string, found ", m.value().type_name());
        r.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string what = str_cat(src, ": tensor ", quoted(name));
    NB_CHECK(v.is_object(), DataLoss, what, ": expected an object with dtype, shape, data_offsets, found ",
             v.type_name());
    NB_CHECK(v.contains("dtype") && v["dtype"].is_string(), DataLoss, what, ": expected a string 'dtype'");
    NB_CHECK(v.contains("shape") && v["shape"].is_array(), DataLoss, what, ": expected an array 'shape'");
    NB_CHECK(v.contains("data_offsets") && v["data_offsets"].is_array() && v["data_offsets"].size() == 2,
             DataLoss, what, ": expected 'data_offsets' to be [begin, end]");
    SafetensorsEntry e;
    e.name = name;
    const std::string dt = v["dtype"].get<std::string>();
    const auto dtype = dtype_from_name(dt);
    if (!dtype) {
      const bool known = std::find(std::begin(kKnownUnsupported), std::end(kKnownUnsupported), dt) !=
                         std::end(kKnownUnsupported);
      NB_CHECK(!known, InvalidArgument, what, ": dtype ", dt,
               " is valid safetensors but nabla has no such tensor type (supported: F16, BF16, F32, F64, I8, I16, "
               "I32, I64, U8, BOOL)");
      throw DataLoss(str_cat(what, ": unknown dtype ", quoted(dt)));
    }
    e.dtype = *dtype;
    const json& shape = v["shape"];
    NB_CHECK(shape.size() <= 32, DataLoss, what, ": shape has rank ", shape.size(), ", more than 32");
    // Element count with overflow checks: the product must fit the data section.
    uint64_t count = 1;
    bool overflow = false;
    // The product with 0 counted as 1 must fit int64 too: a tensor's strides and
    // element count are int64 even when it has no elements ([0, 2^62, 2^62]).
    int64_t extent = 1;
    bool extent_overflow = false;
    for (const json& d : shape) {
      const auto dim = as_u64(d);
      NB_CHECK(dim.has_value() && *dim <= uint64_t(std::numeric_limits<int64_t>::max()), DataLoss, what,
               ": expected non-negative integer dimensions, found shape ", describe_list(shape));
      e.shape.push_back(int64_t(*dim));
      if (*dim != 0 && count > std::numeric_limits<uint64_t>::max() / *dim) overflow = true;
      count *= *dim;
      extent_overflow =
          extent_overflow || __builtin_mul_overflow(extent, std::max<int64_t>(int64_t(*dim), 1), &extent);
    }
    NB_CHECK(!extent_overflow, DataLoss, what, ": shape ", shape.dump(),
             " is too large: the product of its dimensions (0 counted as 1) overflows int64");
    const auto begin = as_u64(v["data_offsets"][0]);
    const auto end = as_u64(v["data_offsets"][1]);
    NB_CHECK(begin && end, DataLoss, what, ": expected non-negative integer data_offsets, found ",
             describe_list(v["data_offsets"]));
    NB_CHECK(*begin <= *end, DataLoss, what, ": data_offsets [", *begin, ", ", *end, "] end before they begin");
    NB_CHECK(*end <= data_size, DataLoss, what, ": data_offsets [", *begin, ", ", *end,
             "] reach outside the data section of ", data_size, " bytes (truncated file?)");
    const uint64_t item = dtype_size(e.dtype);
    NB_CHECK(!overflow && count <= (std::numeric_limits<uint64_t>::max() / item) && count * item == *end - *begin,
             DataLoss, what, ": dtype ", dt, " and shape ", shape.dump(), " need ",
             overflow ? std::string("more than 2^64") : std::to_string(count) + " x " + std::to_string(item),
             " bytes but data_offsets give ", *end - *begin);
    e.begin = *begin;
    e.end = *end;
    r.entries_.push_back(std::move(e));
  }
  // The tensors must tile the data section exactly: no gaps, no overlaps, nothing after.
  std::sort(r.entries_.begin(), r.entries_.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  for (const auto& e : r.entries_) {
    NB_CHECK(e.begin == at, DataLoss, src, ": tensor ", quoted(e.name), " starts at byte ", e.begin,
             " of the data section, expected ", at, e.begin < at ? " (it overlaps the previous tensor)" : " (a gap)");
    at = e.end;
  }
  NB_CHECK(at == data_size, DataLoss, src, ": the tensors cover ", at, " bytes but the data section has ", data_size,
           " (trailing bytes)");
  r.bytes_ = std::move(bytes);
  return r;
}

SafetensorsReader SafetensorsReader::open(const std::filesystem::path& path) {
  return parse(read_file(path), path.string());
}

const std::string* SafetensorsReader::metadata_value(const std::string& key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

const SafetensorsEntry* SafetensorsReader::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

Tensor SafetensorsReader::tensor(std::string_view name) const {
  const SafetensorsEntry* e = find(name);
  NB_CHECK(e != nullptr, NotFound, source_, ": no tensor named ", quoted(name));
  return tensor(*e);
}

Tensor SafetensorsReader::tensor(const SafetensorsEntry& e) const {
  return from_bytes(bytes_.data() + data_start_ + e.begin, e.shape, e.dtype);
}

std::string encode_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) {
    json m = json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    header["__metadata__"] = std::move(m);
  }
  std::vector<Tensor> data;
  data.reserve(tensors.size());
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    NB_CHECK(!name.empty() && name != "__metadata__", InvalidArgument,
             "safetensors tensor names must be non-empty and not __metadata__, got ", quoted(name));
    NB_CHECK(!header.contains(name), InvalidArgument, "two tensors are named ", quoted(name),
             ": safetensors names must be unique");
    NB_CHECK(t.defined(), InvalidArgument, "tensor ", quoted(name), " is undefined");
    NB_CHECK(t.device().is_cpu(), InvalidArgument, "tensor ", quoted(name), " is on ", t.device().str(),
             ": copy it to the CPU before saving");
    Tensor c = t.contiguous();
    const uint64_t nbytes = uint64_t(c.size()) * dtype_size(c.dtype());
    json shape = json::array();
    for (int64_t d : c.shape()) shape.push_back(d);
    header[name] = {{"dtype", std::string(safetensors_dtype_name(c.dtype()))},
                    {"shape", std::move(shape)},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    data.push_back(std::move(c));
  }
  std::string h = header.dump();
  while ((8 + h.size()) % 8 != 0) h += ' ';  // the data section starts 8-byte aligned
  std::string out;
  out.reserve(size_t(8 + h.size() + offset));
  const uint64_t n = h.size();
  char len[8];
  std::memcpy(len, &n, 8);
  out.append(len, 8);
  out += h;
  for (const Tensor& t : data)
    out.append(static_cast<const char*>(t.raw_data()), size_t(t.size()) * dtype_size(t.dtype()));
  return out;
}

void save_safetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomically(path, encode_safetensors(tensors, metadata));
}

}  // namespace nabla::io
