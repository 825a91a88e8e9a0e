#include "nabla/train/callbacks/tensorboard.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <vector>

#include "nabla/core/error.h"
#include "nabla/io/summary_writer.h"
#include "nabla/ops/creation.h"
#include "nabla/train/model.h"
#include "nabla/train/optimizer.h"

namespace nabla::callbacks {
namespace {

int64_t parse_update_freq(const std::string& s) {
  if (s == "epoch") return 0;
  if (s == "batch") return 1;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  NB_CHECK(ec == std::errc() && end == s.data() + s.size() && n > 0, InvalidArgument,
           "TensorBoard: update_freq must be \"epoch\", \"batch\" or a positive integer, got \"", s, "\"");
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TensorBoard::TensorBoard(std::string log_dir, TensorBoardOptions options)
    : log_dir_(std::move(log_dir)), options_(std::move(options)) {
  NB_CHECK(!log_dir_.empty(), InvalidArgument, "TensorBoard: empty log_dir");
  NB_CHECK(options_.histogram_freq >= 0, InvalidArgument, "TensorBoard: histogram_freq must be >= 0, got ",
           options_.histogram_freq);
  batch_freq_ = parse_update_freq(options_.update_freq);
}

summary::SummaryWriter& TensorBoard::train_writer() {
  if (!train_) train_ = std::make_shared<summary::SummaryWriter>(std::filesystem::path(log_dir_) / "train");
  return *train_;
}

summary::SummaryWriter& TensorBoard::val_writer() {
  if (!val_) val_ = std::make_shared<summary::SummaryWriter>(std::filesystem::path(log_dir_) / "validation");
  return *val_;
}

void TensorBoard::close_writers() {
  // Both are released even if closing one throws.
  auto train = std::move(train_), val = std::move(val_);
  train_.reset();
  val_.reset();
  if (train) train->close();
  if (val) val->close();
}

void TensorBoard::set_model(Model* model) {
  Callback::set_model(model);
  train_.reset();  // new files for each fit (the old ones close when released)
  val_.reset();
}

void TensorBoard::on_train_begin(const Logs&) {
  global_train_batch_ = 0;
  epoch_start_iterations_ = 0;
}

void TensorBoard::on_train_end(const Logs&) { close_writers(); }

void TensorBoard::on_epoch_begin(int, const Logs&) {
  if (!options_.write_steps_per_second) return;
  epoch_start_iterations_ = model().compiled() ? model().optimizer().iterations() : 0;
  epoch_start_ = std::chrono::steady_clock::now();
}

void TensorBoard::on_train_batch_begin(int64_t, const Logs&) {
  ++global_train_batch_;
  if (options_.write_steps_per_second) batch_start_ = std::chrono::steady_clock::now();
}

void TensorBoard::on_train_batch_end(int64_t, const Logs& logs) {
  if (batch_freq_ == 0 || global_train_batch_ % batch_freq_ != 0) return;
  summary::SummaryWriter& w = train_writer();
  if (options_.write_steps_per_second) {
    double dt = seconds_since(batch_start_);
    w.scalar("batch_steps_per_second", dt > 0 ? 1.0 / dt : 0.0, global_train_batch_);
  }
  for (const auto& [name, value] : logs) {
    std::string tag = "batch_";
    tag += name;
    w.scalar(tag, value, global_train_batch_);
  }
}

void TensorBoard::on_epoch_end(int epoch, const Logs& logs) {
  Logs train_logs, val_logs;
  for (const auto& [name, value] : logs) {
    if (name.rfind("val_", 0) == 0)
      val_logs.set(name.substr(4), value);
    else
      train_logs.set(name, value);
  }
  if (model().compiled()) train_logs.set("learning_rate", model().optimizer().learning_rate());
  if (options_.write_steps_per_second && model().compiled()) {
    double dt = seconds_since(epoch_start_);
    double steps = double(model().optimizer().iterations() - epoch_start_iterations_);
    train_logs.set("steps_per_second", dt > 0 ? steps / dt : 0.0);
  }
  if (!train_logs.empty()) {
    summary::SummaryWriter& w = train_writer();
    for (const auto& [name, value] : train_logs) {
      std::string tag = "epoch_";
      tag += name;
      w.scalar(tag, value, epoch);
    }
  }
  if (!val_logs.empty()) {
    summary::SummaryWriter& w = val_writer();
    for (const auto& [name, value] : val_logs) {
      std::string tag = "epoch_";
      tag += name;
      w.scalar(tag, value, epoch);
    }
  }
  if (options_.histogram_freq > 0 && epoch % options_.histogram_freq == 0) log_weights(epoch);
}

void TensorBoard::on_test_end(const Logs& logs) {
  if (!has_model() || !model().compiled() || logs.empty()) return;
  summary::SummaryWriter& w = val_writer();
  const int64_t step = model().optimizer().iterations();
  for (const auto& [name, value] : logs) {
    std::string tag = "evaluation_";
    tag += name;
    tag += "_vs_iterations";
    w.scalar(tag, value, step);
  }
}

void TensorBoard::log_weights(int epoch) {
  summary::SummaryWriter& w = train_writer();
  for (Variable* var : model().variables()) {
    std::string name = var->name();
    std::replace(name.begin(), name.end(), ':', '_');
    std::string histogram_tag = name;
    histogram_tag += "/histogram";  // Keras's suffix: a tag belongs to one TensorBoard plugin
    w.histogram(histogram_tag, var->value(), epoch);
    if (options_.write_images) {
      std::string image_tag = name;
      image_tag += "/image";
      log_weight_as_image(var->value(), image_tag, epoch);
    }
  }
  w.flush();
}

void TensorBoard::log_weight_as_image(const Tensor& weight, const std::string& tag, int epoch) {
  // Squeeze size-1 axes, as Keras does.
  std::vector<int64_t> dims;
  for (int64_t d : weight.shape())
    if (d != 1) dims.push_back(d);
  if (dims.empty() || dims.size() > 3) return;  // scalars and 4-D+ kernels: no image (as Keras)
  std::vector<double> v = weight.to_vector<double>();
  double lo = 0.0, hi = 0.0;
  bool any = false;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    lo = any ? std::min(lo, x) : x;
    hi = any ? std::max(hi, x) : x;
    any = true;
  }
  auto norm = [&](double x) -> float {
    if (!std::isfinite(x) || hi <= lo) return 0.0f;
    return float((x - lo) / (hi - lo));
  };
  // Images as N x H x W x 1, row-major.
  int64_t n = 1, h = 1, w = 1;
  std::vector<float> px(v.size());
  if (dims.size() == 1) {
    w = dims[0];
    for (size_t i = 0; i < v.size(); ++i) px[i] = norm(v[i]);
  } else if (dims.size() == 2) {
    const int64_t rows = dims[0], cols = dims[1];
    const bool transpose = rows > cols;
    h = transpose ? cols : rows;
    w = transpose ? rows : cols;
    for (int64_t r = 0; r < h; ++r)
      for (int64_t c = 0; c < w; ++c)
        px[size_t(r * w + c)] = norm(transpose ? v[size_t(c * cols + r)] : v[size_t(r * cols + c)]);
  } else {  // channels last: one image per last-axis slice
    h = dims[0];
    w = dims[1];
    n = dims[2];
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < h * w; ++i) px[size_t(k * h * w + i)] = norm(v[size_t(i * n + k)]);
  }
  train_writer().image(tag, constant(px, Shape{n, h, w, 1}, DType::float32), epoch);
}

}  // namespace nabla::callbacks
