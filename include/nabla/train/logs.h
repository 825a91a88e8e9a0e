// Logs: the named scalar results a training step, epoch or evaluation reports
// ("loss", "accuracy", "val_loss", ...), in the order they were first set
// (Keras's `logs` dict).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nabla {

class Logs {
 public:
  using Item = std::pair<std::string, double>;
  Logs() = default;
  Logs(std::initializer_list<Item> items) {
    for (const auto& [k, v] : items) set(k, v);
  }
  // Sets `key` (appended if new, replaced in place otherwise).
  void set(const std::string& key, double value);
  // The value of `key`; NotFound listing the keys when absent.
  double at(const std::string& key) const;
  double operator[](const std::string& key) const { return at(key); }
  std::optional<double> get(const std::string& key) const;
  bool contains(const std::string& key) const { return get(key).has_value(); }
  const std::vector<Item>& items() const { return items_; }
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // "loss: 0.2934 - accuracy: 0.9151".
  std::string str() const;
 private:
  std::vector<Item> items_;
};

}  // namespace nabla
