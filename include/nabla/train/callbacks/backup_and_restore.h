// BackupAndRestore: survives interruptions (keras.callbacks.BackupAndRestore).
// It saves a checkpoint (nabla/io/checkpoint.h) to `backup_dir` during
// training; when fit() starts and a checkpoint is there, training continues from
// it -- same weights, optimizer state, random generators, epoch and batch -- and
// ends with the weights an uninterrupted run would have reached.
//
//   nb::callbacks::BackupAndRestore("backup", {.save_freq = "200"});
//
// Run the same program again after a crash or kill: fit() picks up where the
// last checkpoint left it. Files are written atomically (the last complete
// checkpoint always survives). The checkpoint is deleted when fit() finishes,
// unless delete_checkpoint is false.
#pragma once
#include <string>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

struct BackupAndRestoreOptions {
  // "epoch": save after every epoch; or a positive integer N as a string ("200"):
  // save every N training batches and after every epoch.
  std::string save_freq = "epoch";
  // Remove the checkpoint when training ends normally.
  bool delete_checkpoint = true;
  // 1: say when training resumes from a checkpoint (on stderr).
  int verbose = 0;
};

class BackupAndRestore : public Callback {
 public:
  // Creates backup_dir if needed; InvalidArgument for an empty dir or bad save_freq.
  explicit BackupAndRestore(std::string backup_dir, const BackupAndRestoreOptions& options = {});
  void on_train_begin(const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  // The checkpoint file ("<backup_dir>/checkpoint.nabla").
  std::string checkpoint_path() const;
  // Whether the last fit() resumed from a checkpoint, and from where.
  bool resumed() const { return resumed_; }
  int resumed_epoch() const { return resumed_epoch_; }
  int64_t resumed_step() const { return resumed_step_; }

 private:
  void save();
  std::string dir_;
  BackupAndRestoreOptions options_;
  int64_t save_every_ = 0;
  int64_t batches_seen_ = 0;
  bool resumed_ = false;
  int resumed_epoch_ = 0;
  int64_t resumed_step_ = 0;
};

}  // namespace nabla::callbacks
