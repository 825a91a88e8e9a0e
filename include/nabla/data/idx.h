// IDX files: the array format of the MNIST family of data sets
// (http://yann.lecun.com/exdb/mnist/). Layout: two zero bytes, a type byte
// (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64),
// a rank byte, `rank` big-endian uint32 dimensions, then the elements in
// row-major order, big-endian. Files may be gzip-compressed; compression is
// detected from the content (magic bytes 1f 8b), never from the file name.
#pragma once
#include <cstddef>
#include <string>

#include "nabla/core/tensor.h"

namespace nabla::data {

// Reads the IDX file at `path` (plain or gzip) into a contiguous CPU tensor
// of the file's dtype and shape (values converted to host byte order).
// Throws NotFound when the file cannot be opened, DataLoss when it is not a
// well-formed IDX file: wrong magic, unknown type byte, rank 0 or > 8, a
// shape whose byte size overflows or exceeds 64 GiB, data shorter than the
// header promises, trailing bytes, a truncated or corrupt gzip stream. Every
// message names the file and says what was expected and what was found.
// Memory is never allocated from the header's claim alone: for plain data the
// claim is checked against the real size first; gzip data is inflated
// incrementally and the allocation grows with what was actually decompressed.
Tensor read_idx(const std::string& path);

// Same as read_idx, from `size` bytes at `data` (plain or gzip); `name_for_errors`
// stands for the file name in messages. `data` may be null when size == 0.
Tensor read_idx_from_memory(const void* data, size_t size, const std::string& name_for_errors);

// Writes `tensor` to `path` as IDX (big-endian), gzip-compressed when `gzip`.
// Requires a defined tensor of rank 1..8 whose dtype is uint8, int8, int16,
// int32, float32 or float64 and whose dimensions fit in uint32 (InvalidArgument
// otherwise); throws NotFound when the file cannot be created and DataLoss when
// writing fails.
void write_idx(const std::string& path, const Tensor& tensor, bool gzip = false);

}  // namespace nabla::data
