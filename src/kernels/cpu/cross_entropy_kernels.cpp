// CPU kernel of SparseSoftmaxCrossEntropyWithLogits: one sweep per row of
// logits computes the row maximum m, s = sum(exp(x - m)) and the loss
// log(s) - (x[label] - m), rows in parallel for big inputs. Labels of any
// integer dtype (or floats holding whole numbers) are read directly, so no
// cast runs on the training hot path.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/exp_rows.h"
#include "nabla/core/thread_pool.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kGrain = 16384;

// The class index held by `v`; throws InvalidArgument unless it is a whole
// number in [0, classes).
template <typename L> int64_t class_index(L v, int64_t classes, int64_t pos) {
  if constexpr (std::is_same_v<L, bool>) {
    throw Internal("SparseSoftmaxCrossEntropyWithLogits: bool labels reached the kernel");
  } else if constexpr (std::is_integral_v<L>) {
    bool ok = int64_t(v) < classes;
    if constexpr (std::is_signed_v<L>) ok = ok && v >= 0;
    if (!ok) [[unlikely]]
      throw InvalidArgument(detail::str_cat("label ", int64_t(v), " is out of range [0, ", classes,
                                            ") at labels index ", pos));
    return int64_t(v);
  } else {
    double d;
    if constexpr (std::is_floating_point_v<L>) d = double(v);
    else d = double(float(v));  // float16 / bfloat16
    if (!(d == std::trunc(d))) [[unlikely]]
      throw InvalidArgument(detail::str_cat("label ", d, " is not a whole number (class index) at labels index ",
                                            pos));
    if (!(d >= 0 && d < double(classes))) [[unlikely]]
      throw InvalidArgument(detail::str_cat("label ", d, " is out of range [0, ", classes,
                                            ") at labels index ", pos));
    return int64_t(d);
  }
}

template <typename T, typename L>
void xent_rows(const T* __restrict x, const L* __restrict labels, T* __restrict out, int64_t begin,
               int64_t end, int64_t classes) {
  for (int64_t r = begin; r < end; ++r) {
    const int64_t k = class_index(labels[r], classes, r);
    const T* row = x + r * classes;
    const T m = row_max(row, classes);
    out[r] = std::log(row_sum_exp(row, classes, m)) - (row[k] - m);
  }
}

template <typename T> void sparse_xent_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  const int64_t rows = out[0].size();
  if (rows == 0) return;
  const Tensor logits = in[0].contiguous();
  const Tensor labels = in[1].contiguous();
  const int64_t classes = logits.dim(-1);
  const T* x = logits.data<T>();
  T* o = out[0].mutable_data<T>();
  visit_dtype(labels.dtype(), [&]<typename L>() {
    const L* lab = static_cast<const L*>(labels.raw_data());
    if (classes == 0) {
      class_index(lab[0], classes, 0);  // throws: no class index is valid
      return;
    }
    parallel_for(0, rows, std::max<int64_t>(1, kGrain / classes),
                 [&](int64_t b, int64_t e) { xent_rows<T, L>(x, lab, o, b, e, classes); });
  });
}

NB_REGISTER_KERNELS(kSparseXentKernels) {
  register_kernel("SparseSoftmaxCrossEntropyWithLogits", DeviceType::CPU, {DType::float32},
                  &sparse_xent_kernel<float>);
  register_kernel("SparseSoftmaxCrossEntropyWithLogits", DeviceType::CPU, {DType::float64},
                  &sparse_xent_kernel<double>);
}

}  // namespace
}  // namespace nabla::cpu
