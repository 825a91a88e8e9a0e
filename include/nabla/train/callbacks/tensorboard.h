// TensorBoard: writes fit's logs and the model's weights as TensorBoard event
// files (keras.callbacks.TensorBoard, Keras 3 behaviour):
//
//   model.fit(x, y, {.epochs = 10, .validation_data = {{x_val, y_val}},
//                    .callbacks = {nb::callbacks::TensorBoard("logs", {.histogram_freq = 1})}});
//   // then: tensorboard --logdir logs
//
// What is written (one SummaryWriter file per run directory, created on first use):
// - log_dir/train: per epoch (step = epoch index), "epoch_<name>" for every
//   training log ("epoch_loss", "epoch_accuracy" ...), "epoch_learning_rate" (the
//   optimizer's current rate, when the model is compiled) and, with
//   write_steps_per_second, "epoch_steps_per_second".
// - log_dir/validation: per epoch, the "val_" logs without the prefix
//   ("val_loss" -> "epoch_loss"), so TensorBoard overlays them on the training curves.
// - update_freq "batch" or "N": "batch_<name>" on the train writer every N
//   training batches, at the global batch step (1, 2, ... across epochs), plus
//   "batch_steps_per_second" with write_steps_per_second.
// - histogram_freq N > 0: every N epochs, a histogram of every model weight,
//   tagged "<variable name>/histogram" ("dense/kernel/histogram"); with
//   write_images, each 1-D, 2-D or 3-D weight (after squeezing) as a grayscale
//   image "<variable name>/image", min-max normalised (2-D: transposed when it has
//   more rows than columns; 1-D: one row; 3-D: one image per last-axis slice, at most 3).
// - evaluate(..., {.callbacks = {tb}}): "evaluation_<name>_vs_iterations" on the
//   validation writer at step optimizer.iterations().
// The files are closed at the end of fit.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include "nabla/core/tensor.h"
#include "nabla/train/callback.h"

namespace nabla::summary { class SummaryWriter; }

namespace nabla::callbacks {

struct TensorBoardOptions {
  // Write weight histograms every this many epochs (0: never).
  int histogram_freq = 0;
  // "epoch", "batch", or an integer N as a string: write batch-level scalars every N batches.
  std::string update_freq = "epoch";
  // With histogram_freq: also write the weights as images.
  bool write_images = false;
  // Also write training steps per second (per epoch, and per batch with update_freq).
  bool write_steps_per_second = false;
};

class TensorBoard : public Callback {
 public:
  // InvalidArgument for an empty log_dir, histogram_freq < 0 or an update_freq
  // that is not "epoch", "batch" or a positive integer.
  explicit TensorBoard(std::string log_dir = "logs", TensorBoardOptions options = {});

  void set_model(Model* model) override;
  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_begin(int64_t batch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;

  const std::string& log_dir() const { return log_dir_; }

 private:
  summary::SummaryWriter& train_writer();
  summary::SummaryWriter& val_writer();
  void close_writers();
  void log_weights(int epoch);
  void log_weight_as_image(const Tensor& weight, const std::string& tag, int epoch);

  std::string log_dir_;
  TensorBoardOptions options_;
  int64_t batch_freq_ = 0;  // 0: epoch-level only
  // Shared so that the callback stays copyable (CallbackArg copies); reset in set_model.
  std::shared_ptr<summary::SummaryWriter> train_;
  std::shared_ptr<summary::SummaryWriter> val_;
  int64_t global_train_batch_ = 0;
  int64_t epoch_start_iterations_ = 0;
  std::chrono::steady_clock::time_point epoch_start_{};
  std::chrono::steady_clock::time_point batch_start_{};
};

}  // namespace nabla::callbacks
