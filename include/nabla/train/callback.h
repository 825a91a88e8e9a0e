// Callback: hooks into fit/evaluate/predict (keras.callbacks.Callback).
// Override the hooks you need; model() is the model being trained.
#pragma once
#include <cstdint>
#include <memory>
#include <type_traits>
#include "nabla/train/logs.h"

namespace nabla {
class Model;

class Callback {
 public:
  virtual ~Callback() = default;
  // Called by fit/evaluate/predict before any hook.
  virtual void set_model(Model* model) { model_ = model; }
  // The model (FailedPrecondition before set_model).
  Model& model() const;
  bool has_model() const { return model_ != nullptr; }

  virtual void on_train_begin(const Logs& /*logs*/) {}
  virtual void on_train_end(const Logs& /*logs*/) {}
  virtual void on_epoch_begin(int /*epoch*/, const Logs& /*logs*/) {}
  // `logs` holds the epoch's training and validation results.
  virtual void on_epoch_end(int /*epoch*/, const Logs& /*logs*/) {}
  virtual void on_train_batch_begin(int64_t /*batch*/, const Logs& /*logs*/) {}
  // `logs` holds the running (epoch-to-date) metric values.
  virtual void on_train_batch_end(int64_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_test_begin(const Logs& /*logs*/) {}
  virtual void on_test_end(const Logs& /*logs*/) {}
  virtual void on_test_batch_begin(int64_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_test_batch_end(int64_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_predict_begin(const Logs& /*logs*/) {}
  virtual void on_predict_end(const Logs& /*logs*/) {}
  virtual void on_predict_batch_begin(int64_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_predict_batch_end(int64_t /*batch*/, const Logs& /*logs*/) {}

 protected:
  Model* model_ = nullptr;  // non-owning: set for the duration of fit/evaluate/predict
};

// A callback given by value (copied) or shared (to read its state afterwards).
class CallbackArg {
 public:
  template <typename C>
    requires std::is_base_of_v<Callback, C>
  CallbackArg(C cb) : ptr_(std::make_shared<C>(std::move(cb))) {}  // NOLINT: implicit by design
  template <typename C>
    requires std::is_base_of_v<Callback, C>
  CallbackArg(std::shared_ptr<C> cb) : ptr_(std::move(cb)) {}  // NOLINT
  const std::shared_ptr<Callback>& get() const { return ptr_; }
 private:
  std::shared_ptr<Callback> ptr_;
};

}  // namespace nabla
