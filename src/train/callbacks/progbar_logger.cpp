// Keras 2's Progbar, line for line in behaviour: "\r"-redrawn bar on a
// terminal (at most every 50 ms), the final line of each epoch with the
// elapsed time, time per step and every log value.
#include "nabla/train/callbacks/progbar_logger.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace nabla::callbacks {

ProgbarLogger::ProgbarLogger(const ProgbarLoggerOptions& options) : options_(options) {
  if (options.live) {
    live_ = *options.live;
  } else {
    live_ = (options.out == nullptr || options.out == &std::cout) && ::isatty(STDOUT_FILENO) != 0;
  }
}

std::ostream& ProgbarLogger::out() const { return options_.out ? *options_.out : std::cout; }

void ProgbarLogger::set_params(int epochs, int64_t steps) {
  epochs_ = epochs;
  steps_ = steps;
}

std::string ProgbarLogger::format_bar(int64_t current, int64_t target, int width) {
  if (target <= 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%7lld/Unknown", static_cast<long long>(current));
    return buf;
  }
  int digits = int(std::log10(double(target))) + 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%*lld/%lld [", digits, static_cast<long long>(current),
                static_cast<long long>(target));
  std::string bar = buf;
  int prog_width = int(double(width) * double(current) / double(target));
  if (prog_width > 0) {
    bar.append(size_t(prog_width - 1), '=');
    bar += current < target ? '>' : '=';
  }
  bar.append(size_t(std::max(0, width - prog_width)), '.');
  bar += ']';
  return bar;
}

std::string ProgbarLogger::format_value(double v) {
  char buf[64];
  if (std::fabs(v) > 1e-3) std::snprintf(buf, sizeof buf, "%.4f", v);
  else std::snprintf(buf, sizeof buf, "%.4e", v);
  return buf;
}

std::string ProgbarLogger::format_per_step(double t) {
  char buf[64];
  if (t >= 1 || t == 0) std::snprintf(buf, sizeof buf, "%.0fs/step", t);
  else if (t >= 1e-3) std::snprintf(buf, sizeof buf, "%.0fms/step", t * 1e3);
  else std::snprintf(buf, sizeof buf, "%.0fus/step", t * 1e6);
  return buf;
}

std::string ProgbarLogger::format_eta(double eta) {
  char buf[64];
  long long e = static_cast<long long>(eta);
  if (eta > 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", e / 3600, (e % 3600) / 60, e % 60);
  else if (eta > 60) std::snprintf(buf, sizeof buf, "%lld:%02lld", e / 60, e % 60);
  else std::snprintf(buf, sizeof buf, "%llds", e);
  return buf;
}

void ProgbarLogger::update(int64_t current, const Logs& logs, bool finalize) {
  if (options_.verbose <= 0) return;
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double per_step = current > 0 ? elapsed / double(current) : 0.0;
  if (options_.verbose == 2) {
    if (!finalize) return;
    std::string line;
    if (target_ > 0) {
      int digits = int(std::log10(double(target_))) + 1;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%*lld/%lld", digits, static_cast<long long>(current),
                    static_cast<long long>(target_));
      line = buf;
    } else {
      line = std::to_string(current);
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, " - %.0fs", elapsed);
    line += buf;
    for (const auto& [k, v] : logs) line += " - " + k + ": " + format_value(v);
    std::snprintf(buf, sizeof buf, " - %.0fs/epoch", elapsed);
    line += buf;
    line += " - " + format_per_step(per_step);
    out() << line << '\n' << std::flush;
    return;
  }
  if (!finalize) {
    if (!live_) return;  // not a terminal: one line per epoch
    if (std::chrono::duration<double>(now - last_draw_).count() < 0.05) return;
  }
  last_draw_ = now;
  std::string line = format_bar(current, target_);
  std::string info;
  if (finalize || target_ <= 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " - %.0fs ", elapsed);
    info = buf + format_per_step(per_step);
  } else {
    info = " - ETA: " + format_eta(per_step * double(target_ - current));
  }
  for (const auto& [k, v] : logs) info += " - " + k + ": " + format_value(v);
  line += info;
  size_t width = line.size();
  if (live_ && width < last_width_) line.append(last_width_ - width, ' ');
  last_width_ = width;
  if (live_) out() << '\r';
  out() << line;
  if (finalize) {
    out() << '\n';
    last_width_ = 0;
  }
  out() << std::flush;
}

void ProgbarLogger::on_train_begin(const Logs&) { in_fit_ = true; }

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  if (options_.verbose > 0 && epochs_ > 1) out() << "Epoch " << epoch + 1 << "/" << epochs_ << '\n' << std::flush;
  target_ = steps_;
  seen_ = 0;
  last_width_ = 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgbarLogger::on_train_batch_end(int64_t batch, const Logs& logs) {
  seen_ = batch + 1;
  update(seen_, logs, false);
}

void ProgbarLogger::on_epoch_end(int, const Logs& logs) {
  if (target_ <= 0) target_ = seen_;  // unknown length: now known
  update(seen_, logs, true);
}

void ProgbarLogger::on_test_begin(const Logs&) {
  if (in_fit_) return;  // validation inside fit is silent, as in Keras
  target_ = steps_;
  seen_ = 0;
  last_width_ = 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgbarLogger::on_test_batch_end(int64_t batch, const Logs& logs) {
  if (in_fit_) return;
  seen_ = batch + 1;
  update(seen_, logs, false);
}

void ProgbarLogger::on_test_end(const Logs& logs) {
  if (in_fit_) return;
  if (target_ <= 0) target_ = seen_;
  update(seen_, logs, true);
}

void ProgbarLogger::on_predict_begin(const Logs& logs) { on_test_begin(logs); }

void ProgbarLogger::on_predict_batch_end(int64_t batch, const Logs&) {
  if (in_fit_) return;
  seen_ = batch + 1;
  update(seen_, Logs{}, false);
}

void ProgbarLogger::on_predict_end(const Logs&) {
  if (in_fit_) return;
  if (target_ <= 0) target_ = seen_;
  update(seen_, Logs{}, true);
}

}  // namespace nabla::callbacks
