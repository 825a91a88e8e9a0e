// GradientTape: reverse-mode automatic differentiation with TensorFlow 2
// semantics (tf.GradientTape).
//
//   nb::Variable x(3.0f);
//   nb::GradientTape tape;            // records from construction
//   auto y = x * x;
//   auto dy_dx = tape.gradient(y, x); // 6
//
// While alive, a tape records every differentiable op executed on its thread
// that reads a watched tensor: trainable Variables are watched automatically
// (unless watch_accessed_variables = false), other tensors through watch().
// Outputs of recorded ops are watched in turn. Only floating-point tensors
// carry gradients: watching an integer or bool tensor prints a warning and
// does nothing, as TensorFlow does.
//
// The gradient computation runs registry ops, so an outer tape records it:
// nested tapes give higher-order derivatives. Recording and gradient memory
// come from the caching allocator; the tape's own bookkeeping grows
// geometrically (no allocation per recorded op for ops without list
// attributes). With no tape alive, executing an op costs nothing extra.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "nabla/core/tensor.h"
#include "nabla/core/variable.h"

namespace nabla {

// What gradient() returns for a source the target does not depend on.
enum class UnconnectedGradients {
  None,  // an undefined Tensor (tf.UnconnectedGradients.NONE, the default)
  Zero,  // zeros shaped like the source
};

struct GradientTapeOptions {
  // Allows several gradient()/jacobian() calls; otherwise the second one throws
  // FailedPrecondition (and the tape frees its records after the first).
  bool persistent = false;
  // Watch trainable Variables automatically when an op reads them.
  bool watch_accessed_variables = true;
};

struct GradientOptions {
  // Seeds, one per target, shaped like it (default: ones, i.e. the gradient of
  // the sum of the target's elements).
  std::vector<Tensor> output_gradients = {};
  UnconnectedGradients unconnected_gradients = UnconnectedGradients::None;
};

// A gradient source: a tensor or a Variable (the variable's reads on the tape).
class GradientSource {
 public:
  GradientSource(const Tensor& t) : tensor_(t) {}  // NOLINT: implicit by design
  GradientSource(const Variable& v) : tensor_(v.value()), variable_id_(v.id()) {}  // NOLINT
  const Tensor& tensor() const { return tensor_; }
  // Non-zero for a Variable.
  uint64_t variable_id() const { return variable_id_; }

 private:
  Tensor tensor_;
  uint64_t variable_id_ = 0;
};

class GradientTape {
 public:
  explicit GradientTape(GradientTapeOptions options = {});
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  // Ensures `t` is traced: ops reading it from now on are recorded.
  void watch(const Tensor& t);
  void watch(const Variable& v);
  void watch(const std::vector<Tensor>& ts);

  // d(sum of target)/d(source), shaped like source; see UnconnectedGradients.
  Tensor gradient(const Tensor& target, const GradientSource& source, const GradientOptions& options = {});
  // One gradient per source, in order (one backward pass).
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<GradientSource>& sources,
                               const GradientOptions& options = {});
  std::vector<Tensor> gradient(const Tensor& target, std::initializer_list<GradientSource> sources,
                               const GradientOptions& options = {}) {
    return gradient(target, std::vector<GradientSource>(sources), options);
  }
  // One gradient per variable, in order (Keras: tape.gradient(loss, model.trainable_variables)).
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Variable*>& sources,
                               const GradientOptions& options = {});
  // Several targets: the gradient of their sum (output_gradients: one per target).
  std::vector<Tensor> gradient(const std::vector<Tensor>& targets, const std::vector<GradientSource>& sources,
                               const GradientOptions& options = {});

  // The Jacobian dy[i...]/dx[j...], of shape y.shape + x.shape (one backward
  // pass per element of y: meant for small cases).
  Tensor jacobian(const Tensor& target, const GradientSource& source,
                  UnconnectedGradients unconnected = UnconnectedGradients::None);

  // While the returned guard lives, this tape records nothing.
  class StopRecording {
   public:
    explicit StopRecording(GradientTape& tape);
    ~StopRecording();
    StopRecording(const StopRecording&) = delete;
    StopRecording& operator=(const StopRecording&) = delete;

   private:
    GradientTape* tape_;  // non-owning
    bool was_recording_;
  };
  [[nodiscard]] StopRecording stop_recording() { return StopRecording(*this); }

  // Forgets everything recorded so far (tf.GradientTape.reset); keeps recording.
  void reset();
  // Ids of the Variables this tape has watched (explicitly or on access).
  std::vector<uint64_t> watched_variable_ids() const;
  // Number of ops recorded (for tests and diagnostics).
  size_t num_recorded_ops() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla
