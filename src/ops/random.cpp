// Random tensors from Philox-4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC'11). Element i of a draw uses block (counter + i/4)
// word i%4 (uniform) or block (counter + i/2) words 2(i%2), 2(i%2)+1 (normal),
// so values do not depend on how the work is split across threads.
#include "nabla/ops/random.h"

#include "core/device_runtime.h"

#include <cmath>
#include <mutex>
#include <numbers>

#include "kernels/cpu/convert.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/registry.h"
#include "ops/op_util.h"

namespace nabla::random {

void philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; ++r) {
    const uint64_t p0 = uint64_t(kM0) * c0, p1 = uint64_t(kM1) * c2;
    const uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0, n1 = uint32_t(p1);
    const uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1, n3 = uint32_t(p0);
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += kW0; k1 += kW1;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

namespace {

std::mutex g_mu;

void block(uint64_t seed, uint64_t ctr, uint32_t sub, uint32_t out[4]) {
  const uint32_t c[4] = {uint32_t(ctr), uint32_t(ctr >> 32), sub, 0};
  const uint32_t k[2] = {uint32_t(seed), uint32_t(seed >> 32)};
  philox4x32(c, k, out);
}

// Uniform double in [0, 1) from 32 random bits (plus 21 more for float64).
inline double to_unit(uint32_t a, uint32_t b, bool wide) {
  if (!wide) return double(a >> 8) * (1.0 / 16777216.0);  // 24 bits: exact in float32
  return double((uint64_t(a) << 21) ^ (b >> 11)) * (1.0 / 9007199254740992.0);
}

void check_shape(const Shape& s) {
  for (int64_t d : s) NB_CHECK(d >= 0, InvalidArgument, "random: shape dimensions must be >= 0, got ", s.str());
}

// Writes value i = f(i) into the contiguous tensor t, in parallel.
template <typename F> void generate(const Tensor& t, F f) {
  const int64_t n = t.size();
  visit_dtype(t.dtype(), [&]<typename T>() {
    T* p = static_cast<T*>(t.mutable_raw_data());
    parallel_for(0, n, 16384, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) p[i] = cpu::convert<T, double>(f(i));
    });
  });
}

using FillFn = void (*)(const Tensor& out, const Attrs& a, Generator& gen);

// Tells a graph recorder (nb::function) about a draw into `t` so that the
// compiled graph draws again, from the same generator, on every call.
void record_draw(const char* kind, const Tensor& t, Attrs attrs, Generator& gen, FillFn fill) {
  if (!graph_recording_active()) return;
  attrs.set("shape", std::vector<int64_t>(t.shape().begin(), t.shape().end()));
  attrs.set("dtype", t.dtype());
  StatefulCall call;
  call.kind = kind;
  Generator* g = &gen;  // non-owning: the generator outlives the function (as captured variables do)
  call.run = [g, fill, a = attrs](Inputs, std::span<Tensor> outs, std::span<Variable* const>) {
    if (g == &default_generator()) {
      std::lock_guard<std::mutex> lock(g_mu);
      fill(outs[0], a, *g);
    } else {
      fill(outs[0], a, *g);
    }
  };
  call.attrs = std::move(attrs);
  notify_stateful(call, {}, Inputs(&t, 1));
}

// A new tensor filled by `fill` from `gen` (and recorded for a graph tracer).
Tensor draw(const char* kind, const Shape& shape, DType dtype, const Attrs& a, Generator& gen, FillFn fill) {
  Tensor t = Tensor::empty(shape, dtype);
  fill(t, a, gen);
  record_draw(kind, t, a, gen, fill);
  // Under a DeviceScope the numbers are drawn on the CPU and moved: the same
  // stream of numbers on every device.
  return detail::to_current_device(t);
}

// Two independent standard normals from one Philox block word pair (Box-Muller).
inline void box_muller(uint32_t a, uint32_t b, double& z0, double& z1) {
  const double u1 = (double(a) + 1.0) * (1.0 / 4294967296.0);  // (0, 1]
  const double u2 = double(b) * (1.0 / 4294967296.0);
  const double r = std::sqrt(-2.0 * std::log(u1));
  z0 = r * std::cos(2.0 * std::numbers::pi * u2);
  z1 = r * std::sin(2.0 * std::numbers::pi * u2);
}

}  // namespace

Generator& default_generator() {
  static Generator g(0x5eed);
  return g;
}
void set_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(g_mu);
  default_generator().set_state(seed, 0);
}

namespace {
void fill_uniform(const Tensor& t, const Attrs& a, Generator& gen) {
  const double minval = a.get<double>("minval"), maxval = a.get<double>("maxval");
  const DType dtype = t.dtype();
  const int64_t n = t.size();
  const bool wide = dtype == DType::float64 || dtype == DType::int64;
  const uint64_t seed = gen.seed();
  const uint64_t base = gen.advance(uint64_t(wide ? (n + 1) / 2 : (n + 3) / 4));
  if (is_floating(dtype)) {
    generate(t, [&](int64_t i) {
      uint32_t w[4];
      double u;
      if (wide) { block(seed, base + uint64_t(i) / 2, 0, w); u = to_unit(w[2 * (i % 2)], w[2 * (i % 2) + 1], true); }
      else { block(seed, base + uint64_t(i) / 4, 0, w); u = to_unit(w[i % 4], 0, false); }
      double v = minval + (maxval - minval) * u;
      return v >= maxval && maxval > minval ? std::nextafter(maxval, minval) : v;
    });
    return;
  }
  const int64_t lo = int64_t(minval), hi = int64_t(maxval);
  const uint64_t range = uint64_t(hi - lo);
  generate(t, [&](int64_t i) {
    uint32_t w[4];
    uint64_t bits;
    if (wide) { block(seed, base + uint64_t(i) / 2, 0, w); bits = (uint64_t(w[2 * (i % 2)]) << 32) | w[2 * (i % 2) + 1]; }
    else { block(seed, base + uint64_t(i) / 4, 0, w); bits = w[i % 4]; }
    return double(lo + int64_t(bits % range));
  });
}
}  // namespace

Tensor uniform(const Shape& shape, UniformOptions o, Generator& gen) {
  check_shape(shape);
  if (is_floating(o.dtype)) {
    NB_CHECK(o.maxval >= o.minval, InvalidArgument, "uniform: maxval (", o.maxval,
             ") must be >= minval (", o.minval, ")");
  } else {
    NB_CHECK(is_integral(o.dtype), InvalidArgument, "uniform: unsupported dtype ", dtype_name(o.dtype));
    const int64_t lo = int64_t(o.minval), hi = int64_t(o.maxval);
    NB_CHECK(hi > lo, InvalidArgument, "uniform: integer maxval (", hi, ") must be > minval (", lo, ")");
  }
  return draw("RandomUniform", shape, o.dtype, Attrs{{"minval", o.minval}, {"maxval", o.maxval}}, gen, fill_uniform);
}

Tensor uniform(const Shape& shape, UniformOptions o) {
  std::lock_guard<std::mutex> lock(g_mu);
  return uniform(shape, o, default_generator());
}

namespace {
void fill_normal(const Tensor& t, const Attrs& a, Generator& gen) {
  const double mean = a.get<double>("mean"), stddev = a.get<double>("stddev");
  const int64_t n = t.size();
  const uint64_t seed = gen.seed();
  const uint64_t base = gen.advance(uint64_t((n + 1) / 2));
  generate(t, [&](int64_t i) {
    uint32_t w[4];
    block(seed, base + uint64_t(i) / 2, 0, w);
    double z0, z1;
    box_muller(w[2 * (i % 2)], w[2 * (i % 2) + 1], z0, z1);
    return mean + stddev * z0;
  });
}
}  // namespace

Tensor normal(const Shape& shape, NormalOptions o, Generator& gen) {
  check_shape(shape);
  NB_CHECK(is_floating(o.dtype), InvalidArgument, "normal: expects a floating dtype, got ",
           dtype_name(o.dtype));
  return draw("RandomStandardNormal", shape, o.dtype, Attrs{{"mean", o.mean}, {"stddev", o.stddev}}, gen, fill_normal);
}

Tensor normal(const Shape& shape, NormalOptions o) {
  std::lock_guard<std::mutex> lock(g_mu);
  return normal(shape, o, default_generator());
}

namespace {
void fill_truncated_normal(const Tensor& t, const Attrs& a, Generator& gen) {
  const double mean = a.get<double>("mean"), stddev = a.get<double>("stddev");
  const int64_t n = t.size();
  const uint64_t seed = gen.seed();
  const uint64_t base = gen.advance(uint64_t(n));
  generate(t, [&](int64_t i) {
    // Element i owns block (base + i); attempt k uses sub-counter k. Each
    // attempt yields 4 normals; P(all 4 outside 2 sigma) ~ 4e-6 per attempt.
    for (uint32_t k = 0;; ++k) {
      uint32_t w[4];
      block(seed, base + uint64_t(i), k + 1, w);
      double z[4];
      box_muller(w[0], w[1], z[0], z[1]);
      box_muller(w[2], w[3], z[2], z[3]);
      for (double v : z)
        if (std::fabs(v) <= 2.0) return mean + stddev * v;
    }
  });
}
}  // namespace

Tensor truncated_normal(const Shape& shape, NormalOptions o, Generator& gen) {
  check_shape(shape);
  NB_CHECK(is_floating(o.dtype), InvalidArgument, "truncated_normal: expects a floating dtype, got ",
           dtype_name(o.dtype));
  return draw("TruncatedNormal", shape, o.dtype, Attrs{{"mean", o.mean}, {"stddev", o.stddev}}, gen, fill_truncated_normal);
}

Tensor truncated_normal(const Shape& shape, NormalOptions o) {
  std::lock_guard<std::mutex> lock(g_mu);
  return truncated_normal(shape, o, default_generator());
}

}  // namespace nabla::random
