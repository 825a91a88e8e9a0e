#include "io/crc32c.h"

#include <isa-l/crc.h>

#include <climits>

namespace nabla::io {

uint32_t crc32c(std::span<const std::byte> data) {
  // crc32_iscsi takes a non-const pointer (it only reads) and an int length:
  // feed the data in pieces of at most INT_MAX bytes, chaining the raw CRC.
  unsigned int crc = 0xFFFFFFFFu;
  const std::byte* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    size_t n = left < size_t(INT_MAX) ? left : size_t(INT_MAX);
    crc = crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<std::byte*>(p)), int(n), crc);
    p += n;
    left -= n;
  }
  return ~uint32_t(crc);
}

}  // namespace nabla::io
