// ReduceLROnPlateau: multiplies the learning rate by `factor` when a monitored
// value stops improving (keras.callbacks.ReduceLROnPlateau).
#pragma once
#include "nabla/train/callbacks/monitor_callback.h"

namespace nabla::callbacks {

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;  // < 1 (InvalidArgument otherwise)
  int patience = 10;
  int verbose = 0;
  std::string mode = "auto";
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
};

class ReduceLROnPlateau : public MonitorCallback {
 public:
  explicit ReduceLROnPlateau(const ReduceLROnPlateauOptions& options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
 private:
  ReduceLROnPlateauOptions options_;
  int wait_ = 0, cooldown_counter_ = 0;
};

}  // namespace nabla::callbacks
