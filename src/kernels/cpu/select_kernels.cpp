// CPU kernel: Select (tf.where with x and y). One kernel per element size,
// moving bit patterns, so every dtype (halves and bool included) is copied
// exactly (nan payloads, -0).
#include <bit>
#include <cstring>

#include "kernels/cpu/elementwise_loops.h"

namespace nabla::cpu {
namespace {

template <size_t N> struct bits_of;
template <> struct bits_of<1> { using type = uint8_t; };
template <> struct bits_of<2> { using type = uint16_t; };
template <> struct bits_of<4> { using type = uint32_t; };
template <> struct bits_of<8> { using type = uint64_t; };

// c ? x : y as a mask blend (GCC vectorises this for every element size,
// which it does not for `?:` between a 1-byte condition and 8-byte data).
template <typename U> U blend(uint8_t c, U x, U y) {
  const U m = U(U(0) - U(c != 0));
  return U((x & m) | (y & U(~m)));
}

template <typename T> void select_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  using U = typename bits_of<sizeof(T)>::type;
  ElementwiseIter it(out[0], in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const uint8_t* c = reinterpret_cast<const uint8_t*>(p[1]);  // bool storage: 0 or 1
    const T* x = reinterpret_cast<const T*>(p[2]);
    const T* y = reinterpret_cast<const T*>(p[3]);
    constexpr int64_t ts = sizeof(T);
    if (s[0] == ts && s[1] == 1 && s[2] == ts && s[3] == ts) {
      for (int64_t i = 0; i < n; ++i)
        o[i] = std::bit_cast<T>(blend(c[i], std::bit_cast<U>(x[i]), std::bit_cast<U>(y[i])));
    } else if (s[0] == ts && s[1] == 1 && s[2] == 0 && s[3] == 0) {
      const U xv = std::bit_cast<U>(*x), yv = std::bit_cast<U>(*y);
      for (int64_t i = 0; i < n; ++i) o[i] = std::bit_cast<T>(blend(c[i], xv, yv));
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const char* src = c[i * s[1]] ? p[2] + i * s[2] : p[3] + i * s[3];
        std::memcpy(p[0] + i * s[0], src, sizeof(T));
      }
    }
  });
}

template <typename... Ts> void reg_select() {
  (register_kernel("Select", DeviceType::CPU, {dtype_of<Ts>()}, &select_kernel<Ts>), ...);
}

NB_REGISTER_KERNELS(kSelect) {
  reg_select<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, bool, float16_t, bfloat16_t>();
}

}  // namespace
}  // namespace nabla::cpu
