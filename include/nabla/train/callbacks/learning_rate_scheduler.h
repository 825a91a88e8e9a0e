// LearningRateScheduler: sets the learning rate at the start of each epoch from
// schedule(epoch, current_lr) (keras.callbacks.LearningRateScheduler).
#pragma once
#include <functional>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

class LearningRateScheduler : public Callback {
 public:
  using Schedule = std::function<double(int epoch, double lr)>;
  explicit LearningRateScheduler(Schedule schedule, int verbose = 0);
  void on_epoch_begin(int epoch, const Logs& logs) override;
 private:
  Schedule schedule_;
  int verbose_;
};

}  // namespace nabla::callbacks
