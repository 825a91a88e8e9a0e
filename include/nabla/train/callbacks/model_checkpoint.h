// ModelCheckpoint: saves the model (or its weights) during training
// (keras.callbacks.ModelCheckpoint).
//
//   nb::callbacks::ModelCheckpoint("ckpt/model-{epoch:02d}-{val_loss:.3f}.nabla",
//                                  {.monitor = "val_loss", .save_best_only = true});
//
// `filepath` may name logged values in braces, Python-format style: {epoch}
// (1-based, as Keras), {batch} (with an integer save_freq), and any key of the
// epoch's logs, with an optional spec: {epoch:02d}, {val_loss:.2f}, {loss:8.4f}.
// Files are written atomically, so an interrupted save keeps the previous file.
#pragma once
#include <optional>
#include <string>
#include "nabla/train/callbacks/monitor_callback.h"

namespace nabla::callbacks {

struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  int verbose = 0;                 // 1: print a line for each save
  bool save_best_only = false;     // save only when `monitor` improves
  bool save_weights_only = false;  // save_weights() instead of save()
  std::string mode = "auto";       // "auto", "min" or "max"
  // "epoch": at the end of every epoch; or a positive integer N as a string
  // ("500"): every N training batches.
  std::string save_freq = "epoch";
  // With save_best_only: save only values better than this.
  std::optional<double> initial_value_threshold = std::nullopt;
};

class ModelCheckpoint : public MonitorCallback {
 public:
  // InvalidArgument for an empty filepath, a bad save_freq or mode.
  explicit ModelCheckpoint(std::string filepath, const ModelCheckpointOptions& options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  // The path of the last file written ("" before any).
  const std::string& last_saved() const { return last_saved_; }

 private:
  void save(int epoch, std::optional<int64_t> batch, const Logs& logs);
  std::string filepath_;
  ModelCheckpointOptions options_;
  int64_t save_every_ = 0;  // 0: per epoch
  int64_t batches_seen_ = 0;
  int epoch_ = 0;
  std::string last_saved_;
};

// Formats a ModelCheckpoint file path: {epoch:02d}, {val_loss:.2f}, ... from
// `values` (InvalidArgument naming an unknown key or a malformed spec).
std::string format_checkpoint_path(const std::string& pattern, const Logs& values);

}  // namespace nabla::callbacks
