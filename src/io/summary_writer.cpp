#include "nabla/io/summary_writer.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "io/png_encode.h"
#include "io/tfrecord.h"
#include "nabla/core/error.h"
#include "src/io/proto/event.pb.h"

namespace nabla::summary {
namespace {

namespace fs = std::filesystem;
namespace pb = nabla::tensorboard;

double wall_time_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  std::string h(buf);
  std::replace(h.begin(), h.end(), '/', '_');
  return h;
}

void create_log_dir(const fs::path& dir) {
  NB_CHECK(!dir.empty(), InvalidArgument, "SummaryWriter: empty log directory");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec && fs::is_directory(dir, ec)) return;
  std::string msg = "SummaryWriter: cannot create the log directory '";
  msg += dir.string();
  msg += "': ";
  msg += ec ? ec.message() : std::string("a file of that name is in the way");
  if (ec == std::errc::no_such_file_or_directory) throw NotFound(msg);
  if (ec == std::errc::no_space_on_device) throw ResourceExhausted(msg);
  throw FailedPrecondition(msg);
}

// A file name no writer has used: events.out.tfevents.<secs>.<host>.<pid>.<n>.v2.
fs::path new_event_file(const fs::path& dir) {
  static std::atomic<uint64_t> counter{0};
  const auto secs = int64_t(std::floor(wall_time_now()));
  const std::string host = hostname();
  for (;;) {
    std::string name = "events.out.tfevents.";
    name += std::to_string(secs);
    name += '.';
    name += host;
    name += '.';
    name += std::to_string(::getpid());
    name += '.';
    name += std::to_string(counter.fetch_add(1));
    name += ".v2";
    fs::path p = dir / name;
    std::error_code ec;
    if (!fs::exists(p, ec)) return p;
  }
}

void check_tag(std::string_view tag, const char* what) {
  NB_CHECK(!tag.empty(), InvalidArgument, "SummaryWriter::", what, ": empty tag");
}

// Histogram of the finite values (see the header's contract).
void fill_histogram(pb::HistogramProto& h, const std::vector<double>& all, int buckets) {
  std::vector<double> v;
  v.reserve(all.size());
  for (double x : all)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) {
    // TensorBoard's histogram plugin needs at least one bucket.
    h.add_bucket_limit(0.0);
    h.add_bucket(0.0);
    return;
  }
  double lo = v[0], hi = v[0], sum = 0.0, sum_sq = 0.0;
  for (double x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
    sum_sq += x * x;
  }
  h.set_min(lo);
  h.set_max(hi);
  h.set_num(double(v.size()));
  h.set_sum(sum);
  h.set_sum_squares(sum_sq);
  if (lo == hi) {
    h.add_bucket_limit(hi);
    h.add_bucket(double(v.size()));
    return;
  }
  // Bucket i is [lo + i * width, lo + (i + 1) * width), the last one closed at hi
  // (as tf.summary.histogram and numpy). hi - lo overflows near +-DBL_MAX: then
  // divide first.
  const double range = hi - lo;
  const double width = std::isfinite(range) ? range / buckets : hi / buckets - lo / buckets;
  std::vector<double> counts(size_t(buckets), 0.0);
  for (double x : v) {
    double pos = (x - lo) / width;
    int64_t i = std::isfinite(pos) ? int64_t(pos) : buckets - 1;
    counts[size_t(std::clamp<int64_t>(i, 0, buckets - 1))] += 1.0;
  }
  for (int i = 0; i < buckets; ++i) {
    h.add_bucket_limit(i + 1 == buckets ? hi : lo + width * (i + 1));
    h.add_bucket(counts[size_t(i)]);
  }
}

// The 8-bit pixels of image `n` of a contiguous NHWC tensor.
std::vector<uint8_t> image_pixels(const Tensor& nhwc, int64_t n) {
  const int64_t per = nhwc.dim(1) * nhwc.dim(2) * nhwc.dim(3);
  Tensor one = nhwc[n];
  std::vector<uint8_t> px(size_t(per), 0);
  if (nhwc.dtype() == DType::uint8) {
    std::vector<uint8_t> v = one.to_vector<uint8_t>();
    std::copy(v.begin(), v.end(), px.begin());
  } else {
    std::vector<double> v = one.to_vector<double>();
    for (size_t i = 0; i < v.size(); ++i) {
      double x = v[i];
      if (!(x > 0.0)) x = 0.0;  // NaN too
      if (x > 1.0) x = 1.0;
      px[i] = uint8_t(std::lround(x * 255.0));
    }
  }
  return px;
}

}  // namespace

struct SummaryWriter::Impl {
  fs::path log_dir;
  fs::path path;
  io::TFRecordWriter file;
  std::mutex mu;

  Impl(fs::path dir, fs::path file_path) : log_dir(std::move(dir)), path(file_path), file(file_path) {}

  void write(const pb::Event& event) {
    std::string bytes;
    NB_CHECK(event.SerializeToString(&bytes), Internal, "SummaryWriter: cannot serialise an Event");
    std::lock_guard<std::mutex> lock(mu);
    NB_CHECK(file.is_open(), FailedPrecondition, "SummaryWriter: '", path.string(), "' is closed");
    file.write(bytes);
  }
};

SummaryWriter::SummaryWriter(const fs::path& log_dir) {
  create_log_dir(log_dir);
  impl_ = std::make_unique<Impl>(log_dir, new_event_file(log_dir));
  pb::Event first;
  first.set_wall_time(wall_time_now());
  first.set_step(0);
  first.set_file_version("brain.Event:2");
  first.mutable_source_metadata()->set_writer("nabla.summary.SummaryWriter");
  impl_->write(first);
}

SummaryWriter::~SummaryWriter() {
  if (!impl_) return;
  try {
    close();
  } catch (...) {  // a destructor must not throw; close() reports errors
  }
}

SummaryWriter::SummaryWriter(SummaryWriter&&) noexcept = default;
SummaryWriter& SummaryWriter::operator=(SummaryWriter&&) noexcept = default;

void SummaryWriter::scalar(std::string_view tag, double value, int64_t step) {
  check_tag(tag, "scalar");
  NB_CHECK(impl_, FailedPrecondition, "SummaryWriter: use of a moved-from writer");
  pb::Event ev;
  ev.set_wall_time(wall_time_now());
  ev.set_step(step);
  pb::Summary::Value* v = ev.mutable_summary()->add_value();
  v->set_tag(std::string(tag));
  v->set_simple_value(float(value));
  impl_->write(ev);
}

void SummaryWriter::histogram(std::string_view tag, const Tensor& values, int64_t step, int buckets) {
  check_tag(tag, "histogram");
  NB_CHECK(impl_, FailedPrecondition, "SummaryWriter: use of a moved-from writer");
  NB_CHECK(buckets >= 1, InvalidArgument, "SummaryWriter::histogram('", tag, "'): expected buckets >= 1, got ",
           buckets);
  NB_CHECK(values.defined(), InvalidArgument, "SummaryWriter::histogram('", tag, "'): undefined tensor");
  pb::Event ev;
  ev.set_wall_time(wall_time_now());
  ev.set_step(step);
  pb::Summary::Value* v = ev.mutable_summary()->add_value();
  v->set_tag(std::string(tag));
  fill_histogram(*v->mutable_histo(), values.to_vector<double>(), buckets);
  impl_->write(ev);
}

void SummaryWriter::image(std::string_view tag, const Tensor& image, int64_t step, int max_outputs) {
  check_tag(tag, "image");
  NB_CHECK(impl_, FailedPrecondition, "SummaryWriter: use of a moved-from writer");
  NB_CHECK(image.defined(), InvalidArgument, "SummaryWriter::image('", tag, "'): undefined tensor");
  NB_CHECK(max_outputs >= 1, InvalidArgument, "SummaryWriter::image('", tag, "'): expected max_outputs >= 1, got ",
           max_outputs);
  NB_CHECK(image.rank() == 3 || image.rank() == 4, InvalidArgument, "SummaryWriter::image('", tag,
           "'): expected an HWC (rank 3) or NHWC (rank 4) image, got shape ", image.shape().str());
  const DType dt = image.dtype();
  NB_CHECK(dt == DType::uint8 || is_floating(dt), InvalidArgument, "SummaryWriter::image('", tag,
           "'): expected uint8 pixels or floating-point pixels in [0, 1], got dtype ", dtype_name(dt));
  Tensor nhwc = image.rank() == 3 ? image.reshape(Shape{1, image.dim(0), image.dim(1), image.dim(2)}) : image;
  const int64_t n = nhwc.dim(0), h = nhwc.dim(1), w = nhwc.dim(2), c = nhwc.dim(3);
  NB_CHECK(c == 1 || c == 3 || c == 4, InvalidArgument, "SummaryWriter::image('", tag,
           "'): expected 1 (gray), 3 (RGB) or 4 (RGBA) channels in the last dimension, got shape ",
           image.shape().str());
  NB_CHECK(h > 0 && w > 0, InvalidArgument, "SummaryWriter::image('", tag,
           "'): expected a positive height and width, got shape ", image.shape().str());
  NB_CHECK(h <= INT32_MAX && w <= INT32_MAX, InvalidArgument, "SummaryWriter::image('", tag,
           "'): image too large: shape ", image.shape().str());
  const int64_t count = std::min<int64_t>(n, max_outputs);
  if (count == 0) return;
  pb::Event ev;
  ev.set_wall_time(wall_time_now());
  ev.set_step(step);
  for (int64_t i = 0; i < count; ++i) {
    pb::Summary::Value* v = ev.mutable_summary()->add_value();
    std::string t(tag);
    if (count > 1) {
      t += "/image/";
      t += std::to_string(i);
    }
    v->set_tag(t);
    pb::Summary::Image* img = v->mutable_image();
    img->set_height(int32_t(h));
    img->set_width(int32_t(w));
    img->set_colorspace(int32_t(c));
    img->set_encoded_image_string(io::encode_png(image_pixels(nhwc, i), h, w, c));
  }
  impl_->write(ev);
}

void SummaryWriter::flush() {
  NB_CHECK(impl_, FailedPrecondition, "SummaryWriter: use of a moved-from writer");
  std::lock_guard<std::mutex> lock(impl_->mu);
  NB_CHECK(impl_->file.is_open(), FailedPrecondition, "SummaryWriter: '", impl_->path.string(), "' is closed");
  impl_->file.flush();
}

void SummaryWriter::close() {
  if (!impl_) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->file.close();
}

bool SummaryWriter::is_open() const {
  if (!impl_) return false;
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->file.is_open();
}

const fs::path& SummaryWriter::path() const {
  NB_CHECK(impl_, FailedPrecondition, "SummaryWriter: use of a moved-from writer");
  return impl_->path;
}

const fs::path& SummaryWriter::log_dir() const {
  NB_CHECK(impl_, FailedPrecondition, "SummaryWriter: use of a moved-from writer");
  return impl_->log_dir;
}

}  // namespace nabla::summary
