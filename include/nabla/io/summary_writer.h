// nabla::summary: TensorBoard event files, as tf.summary writes them.
//
//   nb::summary::SummaryWriter writer("logs/run1");
//   for (int64_t step = 0; step < 100; ++step) {
//     writer.scalar("loss", loss, step);
//     writer.histogram("dense/kernel", w, step);
//   }
//   writer.image("samples", images, 0);    // NHWC uint8, or float in [0, 1]
//
// Then `tensorboard --logdir logs`. See docs/tensorboard.md.
//
// Contract:
// - The constructor creates log_dir (with parents) and a new file
//   events.out.tfevents.<unix seconds>.<hostname>.<pid>.<n>.v2 in it (n counts the
//   writers of this process), and writes the first record: an Event with the
//   wall time, step 0 and file_version "brain.Event:2".
// - Each scalar/histogram/image call appends one Event record (TFRecord framing,
//   masked CRC32C, protobuf Event/Summary with TensorFlow's field numbers) with a
//   single write(2) call: a crash of the process loses at most the record being
//   written. flush() additionally fsyncs, so the records survive a crash of the
//   machine; close() flushes and closes (the destructor closes too, ignoring errors).
// - Errors are nb::Error subclasses naming the path or argument: NotFound or
//   FailedPrecondition when the directory or file cannot be created (missing
//   parent, no permission, a file in the way), InvalidArgument for an empty tag
//   or a bad image shape/dtype, FailedPrecondition for use after close(), DataLoss
//   or ResourceExhausted when a write fails.
// - One writer may be used from several threads (calls are serialised).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "nabla/core/tensor.h"

namespace nabla::summary {

class SummaryWriter {
 public:
  explicit SummaryWriter(const std::filesystem::path& log_dir);
  ~SummaryWriter();
  SummaryWriter(SummaryWriter&&) noexcept;
  SummaryWriter& operator=(SummaryWriter&&) noexcept;
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  // A scalar (stored as a float32 simple_value, as tf.summary.scalar shows it).
  void scalar(std::string_view tag, double value, int64_t step);

  // A histogram of `values` (any shape; float, integer or bool dtype) in
  // `buckets` equal-width buckets between the minimum and the maximum
  // (HistogramProto: min, max, num, sum, sum_squares, bucket_limit, bucket).
  // NaN and +-Inf values are left out of every statistic, so num counts the
  // finite values; with none, an empty histogram (num 0) is written. All values
  // equal: one bucket. InvalidArgument if buckets < 1.
  void histogram(std::string_view tag, const Tensor& values, int64_t step, int buckets = 30);

  // An image, PNG-encoded: HWC (one image, tag `tag`) or NHWC (the first
  // `max_outputs` images, tags "<tag>/image/0", "<tag>/image/1", ...; a single
  // one is tagged `tag`), with 1 (gray), 3 (RGB) or 4 (RGBA) channels, dtype
  // uint8 or floating point in [0, 1] (clipped; NaN gives 0). InvalidArgument
  // for any other rank, channel count or dtype, or an empty height or width.
  void image(std::string_view tag, const Tensor& image, int64_t step, int max_outputs = 3);

  // Makes every record written so far durable (fsync).
  void flush();
  // Flushes and closes the file; idempotent. Other calls then throw FailedPrecondition.
  void close();
  bool is_open() const;

  // The event file and the directory it is in.
  const std::filesystem::path& path() const;
  const std::filesystem::path& log_dir() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla::summary
