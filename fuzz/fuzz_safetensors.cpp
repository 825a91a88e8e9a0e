// libFuzzer target for the safetensors reader: SafetensorsReader::parse, then
// reading every tensor and the metadata. A malformed input must raise an
// nabla::Error; anything else (a crash, a sanitizer report, std::bad_alloc,
// another exception type, a timeout, more than -rss_limit_mb) is a finding.
// See docs/reliability.md; run with fuzz/run_fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nabla/core/error.h"
#include "nabla/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto reader = nabla::io::SafetensorsReader::parse(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    volatile size_t sink = 0;
    for (const auto& [key, value] : reader.metadata()) sink = sink + key.size() + value.size();
    for (const auto& e : reader.entries()) {
      const nabla::Tensor t = reader.tensor(e);
      // The tensor must have the entry's shape and exactly the bytes it claims.
      if (t.shape() != e.shape || t.dtype() != e.dtype ||
          uint64_t(t.size()) * nabla::dtype_size(t.dtype()) != e.end - e.begin)
        __builtin_trap();
      if (reader.find(e.name) == nullptr) __builtin_trap();
      const auto* p = static_cast<const uint8_t*>(t.raw_data());
      for (uint64_t i = 0; i < e.end - e.begin; ++i) sink = sink ^ p[i];
    }
    (void)sink;
  } catch (const nabla::Error&) {
    // Expected for malformed input.
  }
  return 0;
}
