// safetensors: the tensor container nabla's model files and checkpoints use
// (https://github.com/huggingface/safetensors, format described in docs/saving.md).
//
//   [8 bytes: N, little-endian uint64] [N bytes: JSON header] [raw tensor bytes]
//
// The header maps each tensor name to {"dtype": "F32", "shape": [2, 3],
// "data_offsets": [begin, end]} (offsets into the raw bytes) and may hold a
// "__metadata__" object of string -> string. Data is little-endian, row-major.
//
// The reader validates everything before it returns: every malformed buffer
// gives nb::DataLoss (or InvalidArgument for an unsupported dtype) whose message
// says what was expected and what was found; no allocation is sized by a claim
// the file's own length does not back.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla::io {

// Largest header accepted (the safetensors reference implementation's limit).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// One tensor described by the header.
struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::float32;
  Shape shape;
  uint64_t begin = 0;  // byte offsets into the data section
  uint64_t end = 0;
};

// A parsed and validated safetensors buffer (owns its bytes).
class SafetensorsReader {
 public:
  // Validates `bytes`; `source` names the file in error messages.
  static SafetensorsReader parse(std::string bytes, std::string source = "<memory>");
  // Reads and validates a file (NotFound if it does not exist).
  static SafetensorsReader open(const std::filesystem::path& path);

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // The metadata value for `key`, or nullptr.
  const std::string* metadata_value(const std::string& key) const;
  // Every tensor, in the order of its data in the file.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  // The entry named `name`, or nullptr.
  const SafetensorsEntry* find(std::string_view name) const;
  // A copy of a tensor's data (NotFound naming the file for an unknown name).
  Tensor tensor(std::string_view name) const;
  Tensor tensor(const SafetensorsEntry& entry) const;
  const std::string& source() const { return source_; }

 private:
  std::string bytes_;
  std::string source_;
  uint64_t data_start_ = 0;
  std::map<std::string, std::string> metadata_;
  std::vector<SafetensorsEntry> entries_;
};

// The safetensors dtype name ("F32", "BF16", "BOOL" ...) of a nabla dtype.
std::string_view safetensors_dtype_name(DType dtype);

// Serializes named CPU tensors (any dtype; names unique and non-empty) and
// string metadata as the bytes of a safetensors file.
std::string encode_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                               const std::map<std::string, std::string>& metadata = {});
// Writes encode_safetensors(...) to `path` atomically (see atomic_file.h).
void save_safetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace nabla::io
