#include "nabla/train/callbacks/monitor_callback.h"

#include <iostream>

#include "nabla/core/error.h"

namespace nabla::callbacks {

std::optional<bool> metric_higher_is_better(const std::string& monitor) {
  std::string m = monitor.rfind("val_", 0) == 0 ? monitor.substr(4) : monitor;
  auto has = [&](const char* s) { return m.find(s) != std::string::npos; };
  if (m == "loss" || has("loss") || has("error") || has("crossentropy") || m == "mse" || m == "mae" ||
      m == "rmse" || has("divergence") || m == "kld" || has("hinge"))
    return false;
  if (has("acc") || has("auc") || has("precision") || has("recall") || has("f1") || has("r2") || has("iou"))
    return true;
  return std::nullopt;
}

MonitorCallback::MonitorCallback(std::string monitor, std::string mode, double min_delta,
                                 std::optional<double> baseline)
    : monitor_(std::move(monitor)), mode_(std::move(mode)), min_delta_(min_delta < 0 ? -min_delta : min_delta),
      baseline_(baseline), best_(baseline) {
  NB_CHECK(mode_ == "auto" || mode_ == "min" || mode_ == "max", InvalidArgument, "monitor mode must be \"auto\", "
           "\"min\" or \"max\", got \"", mode_, "\"");
}

void MonitorCallback::set_monitor_op() {
  if (mode_ == "min") {
    direction_ = -1;
  } else if (mode_ == "max") {
    direction_ = 1;
  } else {
    std::optional<bool> up = metric_higher_is_better(monitor_);
    NB_CHECK(up.has_value(), InvalidArgument, "cannot tell whether '", monitor_,
             "' should be maximized or minimized; pass mode = \"max\" or \"min\"");
    direction_ = *up ? 1 : -1;
  }
}

std::optional<double> MonitorCallback::monitor_value(const Logs& logs, const char* what) const {
  std::optional<double> v = logs.get(monitor_);
  if (!v) {
    std::string keys;
    for (const auto& [k, value] : logs) keys += (keys.empty() ? "" : ",") + k;
    std::cerr << "WARNING: " << what << " is conditioned on metric `" << monitor_
              << "` which is not available. Available metrics are: " << keys << "\n";
  }
  return v;
}

bool MonitorCallback::is_improvement(double value, std::optional<double> reference) {
  if (direction_ == 0) set_monitor_op();
  if (!reference) return true;
  // Keras: monitor_op(value - min_delta, reference), with min_delta negated when minimising.
  return direction_ < 0 ? (value + min_delta_ < *reference) : (value - min_delta_ > *reference);
}

}  // namespace nabla::callbacks
