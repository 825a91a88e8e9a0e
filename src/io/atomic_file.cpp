// Atomic file writes (see include/nabla/io/atomic_file.h).
#include "nabla/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "nabla/core/error.h"

namespace nabla::io {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_errno(int err, const char* what, const fs::path& path) {
  std::string msg = "cannot ";
  msg += what;
  msg += " '";
  msg += path.string();
  msg += "': ";
  msg += std::strerror(err);
  switch (err) {
    case ENOENT: case ENOTDIR: throw NotFound(msg);
    case ENOSPC: case EDQUOT: case EFBIG: throw ResourceExhausted(msg);
    case EACCES: case EPERM: case EROFS: case EISDIR: throw FailedPrecondition(msg);
    default: throw InvalidArgument(msg);
  }
}

// An open temporary file that is closed and removed unless committed.
class TempFile {
 public:
  explicit TempFile(const fs::path& target) {
    static std::atomic<uint64_t> counter{0};
    path_ = target;
    std::string name = target.filename().string();
    name += ".tmp.";
    name += std::to_string(::getpid());
    name += '.';
    name += std::to_string(counter.fetch_add(1));
    path_.replace_filename(name);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_errno(errno, "create a temporary file for", target);
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(std::string_view bytes) {
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno(errno, "write", path_);
      }
      p += n;
      left -= size_t(n);
    }
  }

  // fsync, close, rename over `target`, fsync the directory.
  void commit(const fs::path& target) {
    if (::fsync(fd_) != 0) throw_errno(errno, "fsync", path_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw_errno(errno, "close", path_);
    if (::rename(path_.c_str(), target.c_str()) != 0) throw_errno(errno, "rename a temporary file onto", target);
    committed_ = true;
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {  // the data is in place; a directory that cannot be opened is not fatal
      ::fsync(dfd);
      ::close(dfd);
    }
  }

 private:
  fs::path path_;
  int fd_ = -1;
  bool committed_ = false;
};

void check_parent(const fs::path& path) {
  NB_CHECK(!path.empty() && path.has_filename(), InvalidArgument,
           "expected a file path to write, got '", path.string(), "'");
  fs::path dir = path.parent_path();
  if (dir.empty()) return;
  std::error_code ec;
  NB_CHECK(fs::is_directory(dir, ec), NotFound, "cannot write '", path.string(), "': directory '",
           dir.string(), "' does not exist");
}

}  // namespace

void write_file_atomically(const fs::path& path,
                           const std::function<void(const std::function<void(std::string_view)>&)>& produce) {
  check_parent(path);
  TempFile tmp(path);
  produce([&](std::string_view bytes) { tmp.write(bytes); });
  tmp.commit(path);
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  write_file_atomically(path, [&](const std::function<void(std::string_view)>& sink) { sink(bytes); });
}

std::string read_file(const fs::path& path, uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string msg = "cannot open '";
    msg += path.string();
    msg += "': ";
    msg += std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) throw NotFound(msg);
    throw FailedPrecondition(msg);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno(errno, "stat", path);
  NB_CHECK(!S_ISDIR(st.st_mode), InvalidArgument, "expected a file, '", path.string(), "' is a directory");
  NB_CHECK(uint64_t(st.st_size) <= max_bytes, ResourceExhausted, "'", path.string(), "' has ",
           uint64_t(st.st_size), " bytes, more than the limit of ", max_bytes);
  std::string out;
  out.resize(size_t(st.st_size));
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw DataLoss(detail::str_cat("read error on '", path.string(), "': ", std::strerror(errno)));
    }
    if (n == 0) break;  // the file shrank while we read it
    got += size_t(n);
  }
  NB_CHECK(got == out.size(), DataLoss, "'", path.string(), "' shrank while being read: expected ",
           out.size(), " bytes, got ", got);
  return out;
}

}  // namespace nabla::io
