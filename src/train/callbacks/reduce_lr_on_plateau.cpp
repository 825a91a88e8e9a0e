#include "nabla/train/callbacks/reduce_lr_on_plateau.h"

#include <algorithm>
#include <iostream>

#include "nabla/train/model.h"
#include "nabla/train/optimizer.h"

namespace nabla::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(const ReduceLROnPlateauOptions& options)
    : MonitorCallback(options.monitor, options.mode, options.min_delta, std::nullopt), options_(options) {
  NB_CHECK(options.factor < 1.0, InvalidArgument, "ReduceLROnPlateau does not support a factor >= 1.0, got ",
           options.factor);
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_ = std::nullopt;
  cooldown_counter_ = 0;
  wait_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, const Logs& logs) {
  std::optional<double> current = monitor_value(logs, "Learning rate reduction");
  if (!current) return;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (is_improvement(*current, best_)) {
    best_ = *current;
    wait_ = 0;
  } else if (cooldown_counter_ == 0) {
    ++wait_;
    if (wait_ >= options_.patience) {
      optimizers::Optimizer& opt = model().optimizer();
      double old_lr = opt.learning_rate();
      if (old_lr > double(float(options_.min_lr))) {
        double new_lr = std::max(old_lr * options_.factor, options_.min_lr);
        opt.set_learning_rate(new_lr);
        if (options_.verbose > 0)
          std::cout << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to " << new_lr << ".\n";
        cooldown_counter_ = options_.cooldown;
        wait_ = 0;
      }
    }
  }
}

}  // namespace nabla::callbacks
