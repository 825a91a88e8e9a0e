// MonitorCallback: the shared logic of callbacks that watch one logged value
// for improvement (EarlyStopping, ReduceLROnPlateau), as Keras 3's.
#pragma once
#include <optional>
#include <string>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

class MonitorCallback : public Callback {
 public:
  // mode: "auto", "min" or "max" (InvalidArgument otherwise). In "auto", values
  // named like a loss or error are minimised and accuracy-like ones maximised;
  // an unknown name gives InvalidArgument asking for an explicit mode.
  MonitorCallback(std::string monitor, std::string mode, double min_delta, std::optional<double> baseline);
  const std::string& monitor() const { return monitor_; }
  // Best value seen so far (none before the first).
  std::optional<double> best() const { return best_; }

 protected:
  // True when `value` beats `reference` by more than min_delta (always for none).
  bool is_improvement(double value, std::optional<double> reference);
  void reset_best() { best_ = baseline_; }
  // The monitored value in `logs`, or none after a warning naming the available keys
  // (`what` starts the warning, e.g. "Early stopping").
  std::optional<double> monitor_value(const Logs& logs, const char* what) const;
  std::string monitor_;
  std::string mode_;
  double min_delta_;
  std::optional<double> baseline_;
  std::optional<double> best_;
 private:
  void set_monitor_op();
  int direction_ = 0;  // -1 minimise, +1 maximise, 0 not set yet
};

// True when `metric` (without "val_") is known to be better when larger.
std::optional<bool> metric_higher_is_better(const std::string& metric);

}  // namespace nabla::callbacks
