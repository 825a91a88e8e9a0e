// A callback that records each epoch's training-loop time (first batch start to
// last batch end: validation and evaluation excluded), for --json and `bench`.
#pragma once
#include <chrono>
#include <memory>
#include <vector>

#include "nabla/train/callbacks/lambda_callback.h"

namespace nabla::cli {

// Appends one duration in seconds per epoch to `seconds` (which must outlive fit).
inline callbacks::LambdaCallback epoch_timer(std::vector<double>& seconds) {
  using clock = std::chrono::steady_clock;
  auto start = std::make_shared<clock::time_point>(), last = std::make_shared<clock::time_point>();
  return callbacks::LambdaCallback({
      .on_epoch_begin = [start, last](int, const Logs&) { *start = *last = clock::now(); },
      .on_epoch_end =
          [start, last, &seconds](int, const Logs&) {
            seconds.push_back(std::chrono::duration<double>(*last - *start).count());
          },
      .on_train_batch_end = [last](int64_t, const Logs&) { *last = clock::now(); },
  });
}

}  // namespace nabla::cli
