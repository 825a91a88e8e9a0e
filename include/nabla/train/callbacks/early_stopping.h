// EarlyStopping: stops fit when a monitored value stops improving
// (keras.callbacks.EarlyStopping, Keras 3 semantics).
#pragma once
#include <optional>
#include <vector>
#include "nabla/core/tensor.h"
#include "nabla/train/callbacks/monitor_callback.h"

namespace nabla::callbacks {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  int patience = 0;
  int verbose = 0;
  std::string mode = "auto";
  std::optional<double> baseline = std::nullopt;
  bool restore_best_weights = false;
  int start_from_epoch = 0;
};

class EarlyStopping : public MonitorCallback {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  // Epoch at which training was stopped (0 if it was not).
  int stopped_epoch() const { return stopped_epoch_; }
  int best_epoch() const { return best_epoch_; }
 private:
  EarlyStoppingOptions options_;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  std::vector<Tensor> best_weights_;
};

}  // namespace nabla::callbacks
