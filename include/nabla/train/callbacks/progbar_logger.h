// ProgbarLogger: prints fit's progress as Keras does (added by fit when verbose > 0):
//
//   Epoch 1/5
//   1875/1875 [==============================] - 2s 1ms/step - loss: 0.4934 - accuracy: 0.8251
//
// verbose 1: a live bar on a terminal (redrawn at most every 50 ms), one line
// per epoch otherwise; verbose 2: one line per epoch in Keras's compact form.
#pragma once
#include <chrono>
#include <iosfwd>
#include <optional>
#include "nabla/train/callback.h"

namespace nabla::callbacks {

struct ProgbarLoggerOptions {
  int verbose = 1;
  std::ostream* out = nullptr;  // non-owning; default std::cout
  std::optional<bool> live = std::nullopt;  // default: whether `out` is std::cout on a terminal
};

class ProgbarLogger : public Callback {
 public:
  explicit ProgbarLogger(const ProgbarLoggerOptions& options = {});
  // Number of steps per epoch (0 = unknown); set by fit.
  void set_params(int epochs, int64_t steps);
  void on_train_begin(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_batch_end(int64_t batch, const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;
  // Keras's formatting pieces (public for tests).
  static std::string format_bar(int64_t current, int64_t target, int width = 30);
  static std::string format_value(double v);   // "0.2934", or "1.2340e-04" below 1e-3
  static std::string format_per_step(double seconds_per_step);  // "1ms/step"
  static std::string format_eta(double seconds);  // "5s", "1:05", "1:01:05"
 private:
  void update(int64_t current, const Logs& logs, bool finalize);
  std::ostream& out() const;
  ProgbarLoggerOptions options_;
  bool live_ = false;
  int epochs_ = 0;
  int64_t steps_ = 0;
  int64_t target_ = 0;
  int64_t seen_ = 0;
  bool in_fit_ = false;
  size_t last_width_ = 0;
  std::chrono::steady_clock::time_point start_{}, last_draw_{};
};

}  // namespace nabla::callbacks
