// CompileOptions: what Model::compile takes (keras.Model.compile). Each of
// optimizer, loss and metrics is given by Keras name or as an object:
//
//   model.compile({.optimizer = nb::optimizers::Adam({.learning_rate = 1e-3}),
//                  .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
//                  .metrics = {"accuracy"}});
//   model.compile({.optimizer = "adam", .loss = "mse"});
#pragma once
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace nabla {
namespace optimizers { class Optimizer; }
namespace losses { class Loss; }
namespace metrics { class Metric; }

// An optimizer by name ("adam") or object (copied; pass a shared_ptr to share it).
class OptimizerArg {
 public:
  OptimizerArg() = default;
  OptimizerArg(const char* name) : name_(name) {}          // NOLINT: implicit by design
  OptimizerArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <typename O>
    requires std::is_base_of_v<optimizers::Optimizer, O>
  OptimizerArg(O opt) : ptr_(std::make_shared<O>(std::move(opt))) {}  // NOLINT
  template <typename O>
    requires std::is_base_of_v<optimizers::Optimizer, O>
  OptimizerArg(std::shared_ptr<O> opt) : ptr_(std::move(opt)) {}  // NOLINT
  bool empty() const { return !ptr_ && name_.empty(); }
  std::shared_ptr<optimizers::Optimizer> get() const;  // resolves the name
 private:
  std::string name_;
  std::shared_ptr<optimizers::Optimizer> ptr_;
};

// A loss by name ("sparse_categorical_crossentropy", "mse") or object.
class LossArg {
 public:
  LossArg() = default;
  LossArg(const char* name) : name_(name) {}          // NOLINT
  LossArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <typename L>
    requires std::is_base_of_v<losses::Loss, L>
  LossArg(L loss) : ptr_(std::make_shared<L>(std::move(loss))) {}  // NOLINT
  template <typename L>
    requires std::is_base_of_v<losses::Loss, L>
  LossArg(std::shared_ptr<L> loss) : ptr_(std::move(loss)) {}  // NOLINT
  bool empty() const { return !ptr_ && name_.empty(); }
  std::shared_ptr<losses::Loss> get() const;
  // The name given, or "" for an object.
  const std::string& name() const { return name_; }
  // The object, or null for a name.
  const std::shared_ptr<losses::Loss>& object() const { return ptr_; }
 private:
  std::string name_;
  std::shared_ptr<losses::Loss> ptr_;
};

// A metric by name ("accuracy", resolved from the data's shapes as Keras does) or object.
class MetricArg {
 public:
  MetricArg() = default;
  MetricArg(const char* name) : name_(name) {}          // NOLINT
  MetricArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <typename M>
    requires std::is_base_of_v<metrics::Metric, M>
  MetricArg(M metric) : ptr_(std::make_shared<M>(std::move(metric))) {}  // NOLINT
  MetricArg(std::shared_ptr<metrics::Metric> metric) : ptr_(std::move(metric)) {}  // NOLINT
  const std::string& name() const { return name_; }
  // The object, or null for a name.
  const std::shared_ptr<metrics::Metric>& object() const { return ptr_; }
 private:
  std::string name_;
  std::shared_ptr<metrics::Metric> ptr_;
};

struct CompileOptions {
  OptimizerArg optimizer = "rmsprop";   // Keras's default
  LossArg loss = {};                    // applied to every output
  std::vector<LossArg> losses = {};     // or one per output (multi-output models)
  std::vector<MetricArg> metrics = {};  // applied to every output, not weighted (as Keras)
  std::vector<MetricArg> weighted_metrics = {};  // weighted by sample_weight/class_weight
  std::vector<double> loss_weights = {};  // one per output; default 1
  // false (Keras's default): fit/evaluate/predict run their steps as nb::function graphs
  // (see nabla/graph/function.h); true: op by op, eagerly (for debugging, or for steps
  // that must read tensor values on the host).
  bool run_eagerly = false;
};

}  // namespace nabla
