// CSVLogger: appends each epoch's logs to a CSV file (keras.callbacks.CSVLogger):
// columns "epoch" then the log keys in log order (loss, metrics, val_loss,
// val_metrics: "epoch,loss,accuracy,val_loss,val_accuracy"), values in shortest
// round-trip form.
#pragma once
#include <fstream>
#include <memory>
#include <string>
#include <vector>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

struct CSVLoggerOptions {
  char separator = ',';
  bool append = false;
};

class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, const CSVLoggerOptions& options = {});
  // Opens the file (NotFound/InvalidArgument naming it when it cannot be opened).
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
 private:
  std::string filename_;
  CSVLoggerOptions options_;
  std::shared_ptr<std::ofstream> file_;
  std::vector<std::string> keys_;
  bool write_header_ = true;
};

}  // namespace nabla::callbacks
