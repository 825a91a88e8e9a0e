// Helpers shared by the data-module tests (test_idx, test_csv, test_dataset,
// test_fashion_mnist): per-test temporary folders, byte-level file writing,
// a hand-written gzip encoder (stored deflate blocks + CRC-32, RFC 1952/1951)
// so gzip fixtures do not depend on the zlib code under test, and an
// environment-variable guard.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace data_test {

using Bytes = std::vector<uint8_t>;

// A fresh folder for the running test, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("nabla_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  ASSERT_TRUE(f.good()) << "cannot write " << path;
}

inline void write_text(const std::string& path, const std::string& s) {
  std::ofstream f(path, std::ios::binary);
  f << s;
  ASSERT_TRUE(f.good()) << "cannot write " << path;
}

inline Bytes read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// CRC-32 (IEEE 802.3, reflected, as gzip uses), bit by bit.
inline uint32_t crc32(const Bytes& d) {
  uint32_t crc = 0xffffffffu;
  for (uint8_t b : d) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A gzip member holding `data` in stored (uncompressed) deflate blocks.
inline Bytes gzip_stored(const Bytes& data) {
  Bytes g = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(data.size() - pos, 65535);
    const bool final = pos + n == data.size();
    g.push_back(final ? 1 : 0);
    g.push_back(uint8_t(n));
    g.push_back(uint8_t(n >> 8));
    g.push_back(uint8_t(~n));
    g.push_back(uint8_t(~n >> 8));
    g.insert(g.end(), data.begin() + std::ptrdiff_t(pos), data.begin() + std::ptrdiff_t(pos + n));
    pos += n;
  } while (pos < data.size());
  const uint32_t crc = crc32(data);
  const uint32_t isize = uint32_t(data.size());
  for (int k = 0; k < 4; ++k) g.push_back(uint8_t(crc >> (8 * k)));
  for (int k = 0; k < 4; ++k) g.push_back(uint8_t(isize >> (8 * k)));
  return g;
}

inline Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Sets (or unsets, with nullopt) an environment variable for one scope.
class EnvGuard {
 public:
  EnvGuard(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~EnvGuard() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace data_test
