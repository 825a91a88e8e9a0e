#include "nabla/train/callbacks/early_stopping.h"

#include <iostream>

#include "nabla/train/model.h"

namespace nabla::callbacks {

EarlyStopping::EarlyStopping(const EarlyStoppingOptions& options)
    : MonitorCallback(options.monitor, options.mode, options.min_delta, options.baseline), options_(options) {
  NB_CHECK(options.patience >= 0, InvalidArgument, "EarlyStopping: patience must be >= 0, got ", options.patience);
}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_ = std::nullopt;  // Keras 3: best starts unset; the baseline only gates the wait reset
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  std::optional<double> current = monitor_value(logs, "Early stopping");
  if (!current) return;
  if (epoch < options_.start_from_epoch) return;
  if (options_.restore_best_weights && best_weights_.empty()) {
    best_weights_ = model().get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (is_improvement(*current, best_)) {
    best_ = *current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model().get_weights();
    if (!options_.baseline || is_improvement(*current, options_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model().stop_training = true;
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && options_.verbose > 0) std::cout << "Epoch " << stopped_epoch_ + 1 << ": early stopping\n";
  if (options_.restore_best_weights && !best_weights_.empty()) {
    if (options_.verbose > 0)
      std::cout << "Restoring model weights from the end of the best epoch: " << best_epoch_ + 1 << ".\n";
    model().set_weights(best_weights_);
  }
}

}  // namespace nabla::callbacks
