// Uses an installed nabla: constant + add + reduce_sum, checked against the
// expected values. Exits non-zero on any mismatch or error.
#include <cstdio>
#include <vector>

#include <nabla/nabla.h>

namespace nb = nabla;

int main() {
  try {
    auto a = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
    auto b = nb::constant({10.f, 20.f, 30.f});  // broadcast over rows
    auto c = a + b;
    auto total = nb::reduce_sum(c);
    auto cols = nb::reduce_sum(c, {0});

    const std::vector<float> expect_c = {11, 22, 33, 14, 25, 36};
    const std::vector<float> expect_cols = {25, 47, 69};
    int bad = 0;
    if (c.shape() != nb::Shape({2, 3}) || c.dtype() != nb::float32) ++bad;
    if (c.to_vector<float>() != expect_c) ++bad;
    if (total.item<float>() != 141.f) ++bad;
    if (cols.to_vector<float>() != expect_cols) ++bad;
    std::printf("sum = %g, cols = %s\n", double(total.item<float>()), cols.str().c_str());
    if (bad) {
      std::fprintf(stderr, "nabla install check: %d mismatches\n", bad);
      return 1;
    }
    std::printf("nabla install check: ok\n");
    return 0;
  } catch (const nb::Error& e) {
    std::fprintf(stderr, "nabla install check: error: %s\n", e.what());
    return 2;
  }
}
