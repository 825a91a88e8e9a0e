#include "nabla/train/callbacks/history.h"

#include "nabla/core/error.h"

namespace nabla::callbacks {

void History::on_train_begin(const Logs&) {
  // Keras keeps history across fit calls only on the same object; fit makes a fresh one.
}

void History::on_epoch_end(int e, const Logs& logs) {
  epoch.push_back(e);
  for (const auto& [k, v] : logs) history[k].push_back(v);
}

const std::vector<double>& History::at(const std::string& key) const {
  auto it = history.find(key);
  if (it != history.end()) return it->second;
  std::string keys;
  for (const auto& [k, v] : history) keys += (keys.empty() ? "" : ", ") + k;
  throw NotFound("no history for '" + key + "'; recorded: " + (keys.empty() ? "(none)" : keys));
}

}  // namespace nabla::callbacks
