// History: records the epoch logs of fit (keras.callbacks.History); fit returns it.
#pragma once
#include <map>
#include <string>
#include <vector>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

class History : public Callback {
 public:
  // Metric name -> one value per epoch ("loss", "val_accuracy", ...).
  std::map<std::string, std::vector<double>> history;
  // Epoch indices recorded, in order.
  std::vector<int> epoch;
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  // The values of `key` (NotFound listing the keys when absent).
  const std::vector<double>& at(const std::string& key) const;
};

}  // namespace nabla::callbacks
