#include "nabla/train/callbacks/csv_logger.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "nabla/core/error.h"

namespace nabla::callbacks {

CSVLogger::CSVLogger(std::string filename, const CSVLoggerOptions& options)
    : filename_(std::move(filename)), options_(options) {
  NB_CHECK(!filename_.empty(), InvalidArgument, "CSVLogger: empty file name");
}

void CSVLogger::on_train_begin(const Logs&) {
  write_header_ = true;
  if (options_.append) {
    std::ifstream in(filename_);
    std::string first;
    if (in && std::getline(in, first) && !first.empty()) write_header_ = false;
  }
  file_ = std::make_shared<std::ofstream>(filename_, options_.append ? std::ios::app : std::ios::trunc);
  NB_CHECK(file_->good(), NotFound, "CSVLogger: cannot open '", filename_, "' for writing");
  keys_.clear();
}

namespace {
std::string shortest(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  // Python's repr keeps a ".0" on integral floats.
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}
}  // namespace

void CSVLogger::on_epoch_end(int epoch, const Logs& logs) {
  NB_CHECK(file_ != nullptr, FailedPrecondition, "CSVLogger used outside fit()");
  if (keys_.empty()) {
    for (const auto& [k, v] : logs) keys_.push_back(k);
    // Log order: loss, metrics, then val_loss, val_metrics (the column order;
    // Keras sorts them alphabetically instead).
    bool has_val = std::any_of(keys_.begin(), keys_.end(), [](const std::string& k) { return k.rfind("val_", 0) == 0; });
    if (!has_val && !keys_.empty()) {
      size_t n = keys_.size();
      for (size_t i = 0; i < n; ++i) keys_.push_back("val_" + keys_[i]);
    }
    if (write_header_) {
      *file_ << "epoch";
      for (const auto& k : keys_) *file_ << options_.separator << k;
      *file_ << "\r\n";  // Python's csv module ends rows with \r\n
    }
  }
  *file_ << epoch;
  for (const auto& k : keys_) {
    std::optional<double> v = logs.get(k);
    *file_ << options_.separator << (v ? shortest(*v) : std::string("NA"));
  }
  *file_ << "\r\n";
  file_->flush();
  NB_CHECK(file_->good(), DataLoss, "CSVLogger: writing '", filename_, "' failed");
}

void CSVLogger::on_train_end(const Logs&) {
  if (file_) file_->close();
  file_.reset();
}

}  // namespace nabla::callbacks
