// CPU kernels of BatchMatMulV2.
//
// float32: oneDNN's sgemm (dnnl_sgemm: JIT kernels chosen for the CPU at run
// time, AVX-512 where the CPU has it); float64: OpenBLAS's dgemm. Both always
// single-threaded (DESIGN.md §6: one thread pool per process). Debian's
// OpenBLAS 0.3.21 does not recognise recent AMD cores and falls back to its AVX2
// (Haswell) kernels there: on the AMD EPYC machine of docs/benchmarks.md
// oneDNN's sgemm is 2.3x faster on the MLP's shapes (docs/performance.md).
// nabla parallelises itself: batch entries are spread over the pool, and when
// there are fewer batch entries than threads each matrix is cut into row (or
// column) blocks, one single-threaded GEMM per block. Operands whose last two dims are row-major with a leading dimension
// (or the transpose of such) go to BLAS as they are, through lda/ldb and the
// trans flags; any other layout is made contiguous first.
//
// Integer dtypes: an i-k-j loop accumulating one output row at a time, with
// wrap-around arithmetic (as TensorFlow's integer ops).
#include <cblas.h>

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/single_threaded_omp.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/registry.h"

namespace nabla::cpu {
namespace {

// A matrix operand as BLAS sees it: the stored matrix is `trans ? X^T : X`
// with X row-major with leading dimension `ld`.
struct BlasLayout {
  bool ok = false;
  bool trans = false;
  int64_t ld = 0;
};

BlasLayout blas_layout(int64_t rows, int64_t cols, int64_t srow, int64_t scol) {
  const int64_t max_ld = INT_MAX;
  if ((scol == 1 || cols <= 1) && (rows <= 1 || (srow >= std::max<int64_t>(1, cols) && srow <= max_ld)))
    return {true, false, rows <= 1 ? std::max<int64_t>(1, cols) : srow};
  if ((srow == 1 || rows <= 1) && (cols <= 1 || (scol >= std::max<int64_t>(1, rows) && scol <= max_ld)))
    return {true, true, cols <= 1 ? std::max<int64_t>(1, rows) : scol};
  return {};
}

BlasLayout layout_of(const Tensor& t) {
  const int64_t r = t.rank();
  return blas_layout(t.shape()[size_t(r - 2)], t.shape()[size_t(r - 1)], t.strides()[size_t(r - 2)],
                     t.strides()[size_t(r - 1)]);
}

// Element offset (relative to t's first element) of each batch entry of the
// output batch shape `bshape`, with t's batch dims broadcast against it.
std::vector<int64_t> batch_offsets(const Tensor& t, const Shape& bshape) {
  const int64_t nb = bshape.num_elements();
  const size_t nd = bshape.size();
  const size_t tb = size_t(t.rank() - 2);
  std::vector<int64_t> st(nd, 0);
  for (size_t i = 0; i < tb; ++i) {
    const size_t d = nd - tb + i;
    st[d] = t.shape()[i] == 1 ? 0 : t.strides()[i];
  }
  std::vector<int64_t> offs(static_cast<size_t>(nb));
  std::vector<int64_t> idx(nd, 0);
  int64_t off = 0;
  for (int64_t b = 0; b < nb; ++b) {
    offs[size_t(b)] = off;
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < bshape[d]) {
        off += st[d];
        break;
      }
      off -= (bshape[d] - 1) * st[d];
      idx[d] = 0;
    }
  }
  return offs;
}

// The view of t with its last two dims swapped.
Tensor swap_last2(const Tensor& t) {
  Shape s = t.shape();
  Strides st = t.strides();
  const size_t r = s.size();
  std::swap(s[r - 1], s[r - 2]);
  std::swap(st[r - 1], st[r - 2]);
  return Tensor::view_of(t, s, st, t.offset());
}

// ---- BLAS path -----------------------------------------------------------------

void blas_single_threaded() {
  // Cheap check every call: someone may have changed OpenBLAS's thread count.
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b,
          int64_t ldb, T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) {
    SingleThreadedOmp single;
    const dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
    NB_CHECK(st == dnnl_success, Internal, "matmul: oneDNN sgemm failed with status ", int(st), " (", m, "x", k,
             " @ ", k, "x", n, ", lda ", lda, ", ldb ", ldb, ", ldc ", ldc, ")");
  } else {
    const auto TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
    cblas_dgemm(CblasRowMajor, TA, TB, int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), 0.0, c,
                int(ldc));
  }
}

// Work below this many multiply-adds runs on the calling thread.
constexpr int64_t kSerialFlops = int64_t(1) << 16;
// A block of a split matrix gets at least this many rows/columns.
constexpr int64_t kMinBlock = 16;

template <typename T> void matmul_blas(Inputs in, std::span<Tensor> out, const Attrs& attrs) {
  Tensor a = in[0], b = in[1];
  const bool ta = attrs.get_or<bool>("transpose_a", false), tb = attrs.get_or<bool>("transpose_b", false);
  BlasLayout la = layout_of(a), lb = layout_of(b);
  if (!la.ok) { a = a.contiguous(); la = layout_of(a); }
  if (!lb.ok) { b = b.contiguous(); lb = layout_of(b); }
  const Tensor& c = out[0];
  const int64_t r = c.rank(), m = c.shape()[size_t(r - 2)], n = c.shape()[size_t(r - 1)];
  const int64_t k = a.shape()[size_t(a.rank() - (ta ? 2 : 1))];
  const Shape bshape(c.shape().begin(), c.shape().end() - 2);
  const int64_t nb = bshape.num_elements();
  T* cp = c.mutable_data<T>();
  if (c.size() == 0) return;
  if (k == 0) {
    std::memset(cp, 0, size_t(c.size()) * sizeof(T));
    return;
  }
  NB_CHECK(m <= INT_MAX && n <= INT_MAX && k <= INT_MAX, Unimplemented,
           "matrix dimensions above 2^31-1 are not supported by the BLAS kernel (", m, "x", k, " @ ",
           k, "x", n, ")");
  const bool fa = ta != la.trans, fb = tb != lb.trans;  // BLAS trans flags
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  const std::vector<int64_t> aoff = batch_offsets(a, bshape), boff = batch_offsets(b, bshape);
  blas_single_threaded();

  // Task t covers batch entry t / parts and block t % parts of that entry,
  // cut along M (rows of C) or, for wide outputs, along N.
  const int nthreads = get_num_threads();
  const int64_t flops = m * n * k;
  int64_t parts = 1;
  const bool split_m = m > n;  // square: N (measured slightly faster with OpenBLAS)
  if (nthreads > 1 && nb % nthreads != 0 && nb < 4 * nthreads && flops >= kSerialFlops)
    parts = std::clamp<int64_t>((split_m ? m : n) / kMinBlock, 1, nthreads);
  const int64_t tasks = nb * parts;
  const int64_t grain = std::max<int64_t>(1, kSerialFlops / std::max<int64_t>(1, flops / parts));
  parallel_for(0, tasks, grain, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t bi = t / parts, part = t % parts;
      const T* A = ap + aoff[size_t(bi)];
      const T* B = bp + boff[size_t(bi)];
      T* C = cp + bi * m * n;
      if (split_m) {
        const int64_t i0 = m * part / parts, i1 = m * (part + 1) / parts;
        if (i1 > i0)
          gemm<T>(fa, fb, i1 - i0, n, k, A + (fa ? i0 : i0 * la.ld), la.ld, B, lb.ld, C + i0 * n, n);
      } else {
        const int64_t j0 = n * part / parts, j1 = n * (part + 1) / parts;
        if (j1 > j0)
          gemm<T>(fa, fb, m, j1 - j0, k, A, la.ld, B + (fb ? j0 * lb.ld : j0), lb.ld, C + j0, n);
      }
    }
  });
}

// ---- loop path (integers) ------------------------------------------------------

template <typename T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, T,
                                 std::conditional_t<(sizeof(T) <= 4), uint32_t, uint64_t>>;

template <typename T> void matmul_loop(Inputs in, std::span<Tensor> out, const Attrs& attrs) {
  using W = acc_t<T>;
  const bool ta = attrs.get_or<bool>("transpose_a", false), tb = attrs.get_or<bool>("transpose_b", false);
  const Tensor a = ta ? swap_last2(in[0]) : in[0];  // op(A): [..., M, K]
  Tensor b = tb ? swap_last2(in[1]) : in[1];        // op(B): [..., K, N]
  if (b.strides().back() != 1 && b.shape().back() > 1) b = b.contiguous();
  const Tensor& c = out[0];
  const int64_t r = c.rank(), m = c.shape()[size_t(r - 2)], n = c.shape()[size_t(r - 1)];
  const int64_t k = a.shape().back();
  if (c.size() == 0) return;
  const Shape bshape(c.shape().begin(), c.shape().end() - 2);
  const int64_t nb = bshape.num_elements();
  const std::vector<int64_t> aoff = batch_offsets(a, bshape), boff = batch_offsets(b, bshape);
  const int64_t sam = a.strides()[size_t(a.rank() - 2)], sak = a.strides().back();
  const int64_t sbk = b.strides()[size_t(b.rank() - 2)];
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  T* cp = c.mutable_data<T>();
  const int64_t grain = std::max<int64_t>(1, kSerialFlops / std::max<int64_t>(1, n * k));
  parallel_for(0, nb * m, grain, [&](int64_t r0, int64_t r1) {
    std::vector<W> acc(static_cast<size_t>(n));
    for (int64_t row = r0; row < r1; ++row) {
      const int64_t bi = row / m, i = row % m;
      const T* A = ap + aoff[size_t(bi)] + i * sam;
      const T* B = bp + boff[size_t(bi)];
      std::fill(acc.begin(), acc.end(), W(0));
      for (int64_t kk = 0; kk < k; ++kk) {
        const W av = W(A[kk * sak]);
        if (av == W(0)) continue;
        const T* brow = B + kk * sbk;
        for (int64_t j = 0; j < n; ++j) acc[size_t(j)] += av * W(brow[j]);
      }
      T* C = cp + row * n;
      for (int64_t j = 0; j < n; ++j) C[j] = T(acc[size_t(j)]);
    }
  });
}

NB_REGISTER_KERNELS(kMatMulKernels) {
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::float32}, &matmul_blas<float>);
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::float64}, &matmul_blas<double>);
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::int8}, &matmul_loop<int8_t>);
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::int16}, &matmul_loop<int16_t>);
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::int32}, &matmul_loop<int32_t>);
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::int64}, &matmul_loop<int64_t>);
  register_kernel("BatchMatMulV2", DeviceType::CPU, {DType::uint8}, &matmul_loop<uint8_t>);
}

}  // namespace
}  // namespace nabla::cpu
