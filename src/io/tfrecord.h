// TFRecord framing: the container of TensorFlow record files and TensorBoard
// event files. Each record is
//
//   uint64 length           (little-endian)
//   uint32 masked_crc32c(length bytes)
//   byte   payload[length]
//   uint32 masked_crc32c(payload)
//
// with CRC32C and its mask as in io/crc32c.h. The writer appends each record
// with a single write(2), so a crash of the process loses at most a record
// being written; the reader checks every length and CRC and reports the first
// problem as nb::DataLoss saying what was expected and what was found. It never
// allocates a length the file does not back.
#pragma once
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nabla::io {

// Size of the framing around a payload: 8 + 4 before it, 4 after it.
inline constexpr uint64_t kTFRecordHeaderBytes = 12;
inline constexpr uint64_t kTFRecordFooterBytes = 4;

// The framed bytes of one record holding `payload`.
std::string tfrecord_frame(std::string_view payload);

// Appends records to a new file.
class TFRecordWriter {
 public:
  // Creates `path`, which must not exist yet. Throws NotFound (missing
  // directory), FailedPrecondition (no permission, read-only file system, the
  // file exists) or InvalidArgument, naming the path and the system's reason.
  explicit TFRecordWriter(const std::filesystem::path& path);
  ~TFRecordWriter();  // closes; errors are ignored here (call close() to see them)
  TFRecordWriter(TFRecordWriter&& other) noexcept;
  TFRecordWriter& operator=(TFRecordWriter&& other) noexcept;
  TFRecordWriter(const TFRecordWriter&) = delete;
  TFRecordWriter& operator=(const TFRecordWriter&) = delete;

  // Appends one record in one write(2) call: when it returns, the record is in
  // the operating system's hands and survives a crash of this process.
  // DataLoss (or ResourceExhausted for a full disk) if the write fails;
  // FailedPrecondition after close().
  void write(std::string_view payload);
  // fsync(2): the records written so far survive a crash of the machine.
  void flush();
  // Flushes and closes; idempotent.
  void close();
  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Reads the records of a TFRecord file (or buffer) one by one.
class TFRecordReader {
 public:
  // Opens `path` (NotFound if it cannot be opened).
  explicit TFRecordReader(const std::filesystem::path& path);
  // Reads records from `bytes`; `name` is used in error messages.
  static TFRecordReader from_bytes(std::string bytes, std::string name = "<memory>");

  // The next record's payload; nullopt at the end of the data (which must fall
  // exactly between two records). DataLoss for a truncated header or payload,
  // a length CRC or a payload CRC that does not match.
  std::optional<std::string> next();
  // Byte offset of the next record.
  uint64_t offset() const { return offset_; }

 private:
  TFRecordReader(std::unique_ptr<std::istream> in, uint64_t size, std::string name);
  void read_exact(char* dst, uint64_t n);
  std::unique_ptr<std::istream> in_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
  std::string name_;
};

// Every record of the file at `path`, checked as TFRecordReader::next does.
std::vector<std::string> read_tfrecord_file(const std::filesystem::path& path);

}  // namespace nabla::io
