// libFuzzer target for the IDX reader (nabla::data::read_idx_from_memory),
// plain and gzip-compressed. A malformed input must raise an nabla::Error;
// anything else (a crash, a sanitizer report, std::bad_alloc, another
// exception type, a timeout, more than -rss_limit_mb) is a finding.
// See docs/reliability.md; run with fuzz/run_fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "nabla/core/error.h"
#include "nabla/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const nabla::Tensor t = nabla::data::read_idx_from_memory(data, size, "fuzz.idx");
    // Touch the result: shape and every byte of the data must be consistent.
    if (t.size() > 0) {
      const auto* p = static_cast<const uint8_t*>(t.raw_data());
      volatile uint8_t sink = 0;
      for (size_t i = 0, n = size_t(t.size()) * nabla::dtype_size(t.dtype()); i < n; ++i) sink = sink ^ p[i];
      (void)sink;
    }
  } catch (const nabla::Error&) {
    // Expected for malformed input.
  }
  return 0;
}
