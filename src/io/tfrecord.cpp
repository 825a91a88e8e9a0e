#include "io/tfrecord.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "io/crc32c.h"
#include "nabla/core/error.h"

namespace nabla::io {
namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(char((v >> (8 * i)) & 0xFF));
}

uint64_t get_le(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string errno_message(int err, const char* what, const std::filesystem::path& path) {
  std::string msg = "TFRecord: cannot ";
  msg += what;
  msg += " '";
  msg += path.string();
  msg += "': ";
  msg += std::strerror(err);
  return msg;
}

[[noreturn]] void throw_open_error(int err, const std::filesystem::path& path) {
  std::string msg = errno_message(err, "create", path);
  switch (err) {
    case ENOENT: case ENOTDIR: throw NotFound(msg);
    case EACCES: case EPERM: case EROFS: case EISDIR: case EEXIST: throw FailedPrecondition(msg);
    case ENOSPC: case EDQUOT: throw ResourceExhausted(msg);
    default: throw InvalidArgument(msg);
  }
}

}  // namespace

std::string tfrecord_frame(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + kTFRecordHeaderBytes + kTFRecordFooterBytes);
  put_le(out, payload.size(), 8);
  put_le(out, masked_crc32c(std::string_view(out.data(), 8)), 4);
  out.append(payload);
  put_le(out, masked_crc32c(payload), 4);
  return out;
}

// ---- writer ------------------------------------------------------------------

TFRecordWriter::TFRecordWriter(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_open_error(errno, path_);
}

TFRecordWriter::~TFRecordWriter() {
  if (fd_ >= 0) ::close(fd_);
}

TFRecordWriter::TFRecordWriter(TFRecordWriter&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

TFRecordWriter& TFRecordWriter::operator=(TFRecordWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void TFRecordWriter::write(std::string_view payload) {
  NB_CHECK(fd_ >= 0, FailedPrecondition, "TFRecord: '", path_.string(), "' is closed");
  const std::string record = tfrecord_frame(payload);
  const char* p = record.data();
  size_t left = record.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      std::string msg = errno_message(err, "write a record to", path_);
      if (err == ENOSPC || err == EDQUOT) throw ResourceExhausted(msg);
      throw DataLoss(msg);
    }
    p += n;
    left -= size_t(n);
  }
}

void TFRecordWriter::flush() {
  NB_CHECK(fd_ >= 0, FailedPrecondition, "TFRecord: '", path_.string(), "' is closed");
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS)  // EINVAL: a file that cannot be synced (pipe)
    throw DataLoss(errno_message(errno, "flush", path_));
}

void TFRecordWriter::close() {
  if (fd_ < 0) return;
  int fd = fd_;
  fd_ = -1;
  int sync_err = ::fsync(fd) != 0 ? errno : 0;
  int close_err = ::close(fd) != 0 ? errno : 0;
  if (sync_err != 0 && sync_err != EINVAL && sync_err != EROFS) throw DataLoss(errno_message(sync_err, "flush", path_));
  if (close_err != 0 && close_err != EINTR) throw DataLoss(errno_message(close_err, "close", path_));
}

// ---- reader ------------------------------------------------------------------

TFRecordReader::TFRecordReader(std::unique_ptr<std::istream> in, uint64_t size, std::string name)
    : in_(std::move(in)), size_(size), name_(std::move(name)) {}

TFRecordReader::TFRecordReader(const std::filesystem::path& path) : name_(path.string()) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  NB_CHECK(!ec, NotFound, "TFRecord: cannot open '", name_, "': ", ec.message());
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  NB_CHECK(in->good(), NotFound, "TFRecord: cannot open '", name_, "' for reading");
  in_ = std::move(in);
  size_ = size;
}

TFRecordReader TFRecordReader::from_bytes(std::string bytes, std::string name) {
  uint64_t size = bytes.size();
  return TFRecordReader(std::make_unique<std::istringstream>(std::move(bytes)), size, std::move(name));
}

void TFRecordReader::read_exact(char* dst, uint64_t n) {
  in_->read(dst, std::streamsize(n));
  NB_CHECK(uint64_t(in_->gcount()) == n, DataLoss, "TFRecord '", name_, "': expected ", n,
           " more bytes at offset ", offset_, ", the read returned ", in_->gcount(),
           " (the file changed while it was read?)");
}

std::optional<std::string> TFRecordReader::next() {
  const uint64_t start = offset_;
  const uint64_t left = size_ - offset_;
  if (left == 0) return std::nullopt;
  NB_CHECK(left >= kTFRecordHeaderBytes, DataLoss, "TFRecord '", name_, "': truncated record header at offset ",
           start, ": expected ", kTFRecordHeaderBytes, " bytes (8-byte length + 4-byte masked CRC32C), found ", left);
  char header[kTFRecordHeaderBytes];
  read_exact(header, kTFRecordHeaderBytes);
  const uint32_t want_len_crc = masked_crc32c(std::string_view(header, 8));
  const uint32_t got_len_crc = uint32_t(get_le(header + 8, 4));
  NB_CHECK(want_len_crc == got_len_crc, DataLoss, "TFRecord '", name_, "': corrupt length at offset ", start,
           ": expected masked CRC32C ", hex32(want_len_crc), " of the length bytes, found ", hex32(got_len_crc));
  const uint64_t length = get_le(header, 8);
  const uint64_t after_header = left - kTFRecordHeaderBytes;
  // Checked against the bytes actually left before anything is allocated.
  NB_CHECK(length <= after_header && after_header - length >= kTFRecordFooterBytes, DataLoss, "TFRecord '", name_,
           "': truncated record at offset ", start, ": the length field says ", length,
           " payload bytes + 4 CRC bytes, but only ", after_header, " bytes are left in the file");
  std::string payload(size_t(length), '\0');
  offset_ += kTFRecordHeaderBytes;
  read_exact(payload.data(), length);
  char footer[kTFRecordFooterBytes];
  offset_ += length;
  read_exact(footer, kTFRecordFooterBytes);
  offset_ += kTFRecordFooterBytes;
  const uint32_t want_crc = masked_crc32c(payload);
  const uint32_t got_crc = uint32_t(get_le(footer, 4));
  NB_CHECK(want_crc == got_crc, DataLoss, "TFRecord '", name_, "': corrupt payload in the record at offset ", start,
           " (", length, " bytes): expected masked CRC32C ", hex32(want_crc), ", found ", hex32(got_crc));
  return payload;
}

std::vector<std::string> read_tfrecord_file(const std::filesystem::path& path) {
  TFRecordReader reader(path);
  std::vector<std::string> records;
  while (auto r = reader.next()) records.push_back(std::move(*r));
  return records;
}

}  // namespace nabla::io
