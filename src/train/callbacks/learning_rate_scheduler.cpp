#include "nabla/train/callbacks/learning_rate_scheduler.h"

#include <cmath>
#include <iostream>

#include "nabla/train/model.h"
#include "nabla/train/optimizer.h"

namespace nabla::callbacks {

LearningRateScheduler::LearningRateScheduler(Schedule schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  NB_CHECK(schedule_ != nullptr, InvalidArgument, "LearningRateScheduler: empty schedule function");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  optimizers::Optimizer& opt = model().optimizer();
  double lr = schedule_(epoch, opt.learning_rate());
  NB_CHECK(std::isfinite(lr), InvalidArgument, "LearningRateScheduler: the schedule returned ", lr,
           " for epoch ", epoch);
  opt.set_learning_rate(lr);
  if (verbose_ > 0) std::cout << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to " << lr << ".\n";
}

}  // namespace nabla::callbacks
