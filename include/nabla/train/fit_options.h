// Options of Model::fit / evaluate / predict (keras.Model.fit ...).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>
#include "nabla/core/tensor.h"
#include "nabla/train/callback.h"

namespace nabla {
namespace data { class Dataset; }

// Validation data for fit: tensors (x, y[, sample_weight]), lists of tensors
// for multi-input/output models, or a Dataset of batches.
class ValidationData {
 public:
  ValidationData(Tensor x, Tensor y, Tensor sample_weight = {})  // NOLINT: `{x_test, y_test}`
      : x({std::move(x)}), y({std::move(y)}), sample_weight(std::move(sample_weight)) {}
  ValidationData(std::vector<Tensor> xs, std::vector<Tensor> ys, Tensor sample_weight = {})
      : x(std::move(xs)), y(std::move(ys)), sample_weight(std::move(sample_weight)) {}
  ValidationData(const data::Dataset& dataset);  // NOLINT
  std::vector<Tensor> x, y;
  Tensor sample_weight;
  std::shared_ptr<const data::Dataset> dataset;  // set instead of x/y
};

struct FitOptions {
  int64_t batch_size = 32;
  int epochs = 1;
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<CallbackArg> callbacks = {};
  // Fraction of the (unshuffled) training tensors, taken from the end, held out for validation.
  double validation_split = 0.0;
  std::optional<ValidationData> validation_data = std::nullopt;
  bool shuffle = true;
  // Seed of the per-epoch shuffle; default: drawn from the global generator (nb::random::set_seed).
  std::optional<uint64_t> seed = std::nullopt;
  std::map<int64_t, double> class_weight = {};  // class index -> weight of its samples' loss
  Tensor sample_weight = {};                    // one weight per training sample
  int initial_epoch = 0;
  std::optional<int64_t> steps_per_epoch = std::nullopt;
  std::optional<int64_t> validation_steps = std::nullopt;
  std::optional<int64_t> validation_batch_size = std::nullopt;
  int validation_freq = 1;
};

struct EvaluateOptions {
  int64_t batch_size = 32;
  int verbose = 1;
  Tensor sample_weight = {};
  std::optional<int64_t> steps = std::nullopt;
  std::vector<CallbackArg> callbacks = {};
};

struct PredictOptions {
  int64_t batch_size = 32;
  int verbose = 0;
  std::optional<int64_t> steps = std::nullopt;
  std::vector<CallbackArg> callbacks = {};
};

}  // namespace nabla
