// LambdaCallback: a callback made of C++ functions (keras.callbacks.LambdaCallback).
//
//   nb::callbacks::LambdaCallback({.on_epoch_end = [](int epoch, const nb::Logs& logs) { ... }});
#pragma once
#include <functional>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

struct LambdaCallbackOptions {
  std::function<void(int, const Logs&)> on_epoch_begin = {};
  std::function<void(int, const Logs&)> on_epoch_end = {};
  std::function<void(int64_t, const Logs&)> on_train_batch_begin = {};
  std::function<void(int64_t, const Logs&)> on_train_batch_end = {};
  std::function<void(const Logs&)> on_train_begin = {};
  std::function<void(const Logs&)> on_train_end = {};
};

class LambdaCallback : public Callback {
 public:
  explicit LambdaCallback(LambdaCallbackOptions options) : o_(std::move(options)) {}
  void on_epoch_begin(int e, const Logs& l) override { if (o_.on_epoch_begin) o_.on_epoch_begin(e, l); }
  void on_epoch_end(int e, const Logs& l) override { if (o_.on_epoch_end) o_.on_epoch_end(e, l); }
  void on_train_batch_begin(int64_t b, const Logs& l) override { if (o_.on_train_batch_begin) o_.on_train_batch_begin(b, l); }
  void on_train_batch_end(int64_t b, const Logs& l) override { if (o_.on_train_batch_end) o_.on_train_batch_end(b, l); }
  void on_train_begin(const Logs& l) override { if (o_.on_train_begin) o_.on_train_begin(l); }
  void on_train_end(const Logs& l) override { if (o_.on_train_end) o_.on_train_end(l); }
 private:
  LambdaCallbackOptions o_;
};

}  // namespace nabla::callbacks
