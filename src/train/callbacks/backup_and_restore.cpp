#include "nabla/train/callbacks/backup_and_restore.h"

#include <filesystem>
#include <iostream>

#include "nabla/io/checkpoint.h"
#include "nabla/train/model.h"
#include "train/callbacks/save_freq.h"

namespace nabla::callbacks {

BackupAndRestore::BackupAndRestore(std::string backup_dir, const BackupAndRestoreOptions& options)
    : dir_(std::move(backup_dir)), options_(options) {
  NB_CHECK(!dir_.empty(), InvalidArgument, "BackupAndRestore: empty backup_dir");
  save_every_ = detail::parse_save_freq(options_.save_freq, "BackupAndRestore");
}

std::string BackupAndRestore::checkpoint_path() const { return (std::filesystem::path(dir_) / "checkpoint.nabla").string(); }

void BackupAndRestore::on_train_begin(const Logs&) {
  batches_seen_ = 0;
  resumed_ = false;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  NB_CHECK(!ec, InvalidArgument, "BackupAndRestore: cannot create backup_dir '", dir_, "': ", ec.message());
  const std::string path = checkpoint_path();
  if (!std::filesystem::exists(path)) return;
  const Model::TrainingState st = restore_checkpoint(model(), path);
  resumed_ = true;
  resumed_epoch_ = st.epoch;
  resumed_step_ = st.step;
  if (options_.verbose > 0)
    std::cerr << "BackupAndRestore: resuming from " << path << " at epoch " << st.epoch + 1 << ", batch " << st.step
              << "\n";
}

void BackupAndRestore::on_train_batch_end(int64_t, const Logs&) {
  if (save_every_ > 0 && ++batches_seen_ % save_every_ == 0) save();
}

void BackupAndRestore::on_epoch_end(int, const Logs&) { save(); }

void BackupAndRestore::on_train_end(const Logs&) {
  if (!options_.delete_checkpoint) return;
  std::error_code ec;
  std::filesystem::remove(checkpoint_path(), ec);
}

void BackupAndRestore::save() { save_checkpoint(model(), checkpoint_path()); }

}  // namespace nabla::callbacks
