// TerminateOnNaN: stops fit when the loss becomes NaN or infinite
// (keras.callbacks.TerminateOnNaN).
#pragma once
#include "nabla/train/callback.h"

namespace nabla::callbacks {

struct TerminateOnNaNOptions {
  bool raise_error = false;  // throw (FailedPrecondition) instead of stopping quietly
};

class TerminateOnNaN : public Callback {
 public:
  explicit TerminateOnNaN(const TerminateOnNaNOptions& options = {}) : options_(options) {}
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
 private:
  TerminateOnNaNOptions options_;
};

}  // namespace nabla::callbacks
