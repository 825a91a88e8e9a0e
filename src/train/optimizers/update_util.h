// Shared pieces of the optimisers' update steps: dtype / weight-decay dispatch,
// raw data access and the multi-tensor apply (one parallel pass over every
// variable of an apply_gradients call). Each optimiser keeps its math in one
// templated per-element loop (a future CUDA kernel replaces that loop only).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/error.h"
#include "nabla/core/tensor.h"
#include "nabla/core/thread_pool.h"
#include "nabla/core/variable.h"
#include "nabla/train/optimizer.h"

namespace nabla::optimizers::detail {

// Calls f.template operator()<T, kDecay>() with T = float or double (the dtype) and
// kDecay = (weight_decay != 0). The caller has validated the dtype.
template <typename F> void dispatch_update(DType dtype, double weight_decay, F&& f) {
  auto with_type = [&]<typename T>() {
    if (weight_decay != 0.0) f.template operator()<T, true>();
    else f.template operator()<T, false>();
  };
  if (dtype == DType::float32) with_type.template operator()<float>();
  else if (dtype == DType::float64) with_type.template operator()<double>();
  else NB_CHECK(false, Internal, "optimizer update for dtype ", dtype_name(dtype));
}

// A hyper-parameter as Keras's ops.cast(python_float, dtype) gives it: through a float32
// tensor, so float64 variables see the float32-rounded value (identity for float32).
// Keras uses this for SGD's momentum, the betas inside Adam/Adamax/Nadam's powers,
// Nadam's 0.96 and the weight decay; other hyper-parameters enter Keras's arithmetic as
// Python floats and convert to the variable's dtype directly, i.e. T(x).
template <typename T> inline T keras_cast(double x) { return T(float(x)); }

// Keras 3 weight decay (variable -= variable * wd * lr), in T, when kDecay.
template <typename T, bool kDecay> inline T decayed(T w, T wd, T lr) {
  if constexpr (kDecay) return w - w * wd * lr;
  else return w;
}

// Writable data of a variable (detached from any snapshot; contiguous).
template <typename T> T* data_of(Variable& v) { return v.mutable_value().template mutable_data<T>(); }

// The element loops of one apply_gradients call, run as ONE parallel pass over the
// concatenation of all variables (a multi-tensor apply: one pool dispatch per step
// instead of one per variable, and small variables share chunks instead of running
// one after the other). While an UpdateBatch is alive on a thread, for_range on that
// thread records its loop instead of running it; run() then runs them all. Every loop
// is element-wise, so results do not depend on how the range is cut.
class UpdateBatch {
 public:
  UpdateBatch();   // becomes this thread's current batch
  ~UpdateBatch();  // stops being it; loops not run by run() are dropped
  UpdateBatch(const UpdateBatch&) = delete;
  UpdateBatch& operator=(const UpdateBatch&) = delete;

  // The current batch of this thread, or nullptr.
  static UpdateBatch* current();
  // Records body(b, e) over [0, n).
  void add(int64_t n, std::function<void(int64_t, int64_t)> body);
  // Runs every recorded loop once over its whole range, in one parallel_for.
  void run();

 private:
  std::vector<std::function<void(int64_t, int64_t)>> bodies_;
  std::vector<int64_t> starts_;  // offset of each loop in the concatenation, plus the total
  UpdateBatch* previous_;
};

// Elements per parallel task: element-wise passes are memory bound, and a chunk of 32K
// elements is about 128 KB of float32 per stream.
inline constexpr int64_t kUpdateGrain = int64_t(1) << 15;

// Runs body(begin, end) over [0, n) in chunks on the thread pool, or, inside an
// UpdateBatch, records it to run later with the other variables' loops: the body must
// then own what it uses (capture by value: pointers, scalars), since update_step has
// returned by the time it runs.
template <typename F> void for_range(int64_t n, F&& body) {
  if (UpdateBatch* batch = UpdateBatch::current()) {
    batch->add(n, std::function<void(int64_t, int64_t)>(std::forward<F>(body)));
    return;
  }
  parallel_for(int64_t(0), n, kUpdateGrain, body);
}

// The shared options of an optimiser's options struct.
template <typename O> OptimizerOptions common_options(const O& o) {
  return OptimizerOptions{.learning_rate = o.learning_rate,
                          .weight_decay = o.weight_decay,
                          .clipnorm = o.clipnorm,
                          .clipvalue = o.clipvalue,
                          .global_clipnorm = o.global_clipnorm,
                          .name = o.name};
}

class ConfigReader;
// Reads the keys every optimiser shares (learning_rate, weight_decay, clipping, name, and
// Keras's EMA / loss-scale / accumulation keys, which must be at their defaults).
// `default_lr` is the optimiser's default learning rate.
OptimizerOptions read_common_options(ConfigReader& r, double default_lr, bool weight_decay_allowed = true);

// Copies the shared options into an optimiser's options struct.
template <typename O> void apply_common(const OptimizerOptions& c, O& o) {
  o.learning_rate = c.learning_rate;
  if constexpr (requires { o.weight_decay = c.weight_decay; }) o.weight_decay = c.weight_decay;
  o.clipnorm = c.clipnorm;
  o.clipvalue = c.clipvalue;
  o.global_clipnorm = c.global_clipnorm;
  o.name = c.name;
}

}  // namespace nabla::optimizers::detail
