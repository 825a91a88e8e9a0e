// SmallVector: a vector of trivially copyable values with inline storage for
// the first N elements (shapes and strides rarely exceed rank 6).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <type_traits>

namespace nabla {

template <typename T, size_t N> class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;
  explicit SmallVector(size_t n, T v = T()) { assign(n, v); }
  SmallVector(std::initializer_list<T> il) { assign(il.begin(), il.end()); }
  template <typename It, typename = decltype(*std::declval<It>())>
  SmallVector(It first, It last) { assign(first, last); }
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept { move_from(o); }
  SmallVector& operator=(const SmallVector& o) { if (this != &o) assign(o.begin(), o.end()); return *this; }
  SmallVector& operator=(SmallVector&& o) noexcept { if (this != &o) move_from(o); return *this; }

  template <typename It> void assign(It first, It last) {
    const size_t n = size_t(std::distance(first, last));
    size_ = 0;
    reserve(n);
    std::copy(first, last, data());
    size_ = n;
  }
  void assign(size_t n, T v) { size_ = 0; reserve(n); std::fill_n(data(), n, v); size_ = n; }

  T* data() { return heap_ ? heap_.get() : inline_; }
  const T* data() const { return heap_ ? heap_.get() : inline_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }

  void reserve(size_t n) {
    if (n <= capacity()) return;
    size_t cap = std::max(n, capacity() * 2);
    auto fresh = std::make_unique<T[]>(cap);
    std::copy(begin(), end(), fresh.get());
    heap_ = std::move(fresh);
    heap_cap_ = cap;
  }
  void resize(size_t n, T v = T()) {
    reserve(n);
    if (n > size_) std::fill(data() + size_, data() + n, v);
    size_ = n;
  }
  void push_back(T v) { reserve(size_ + 1); data()[size_++] = v; }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  T* insert(T* pos, T v) {
    const size_t idx = size_t(pos - data());
    reserve(size_ + 1);
    T* d = data();
    std::copy_backward(d + idx, d + size_, d + size_ + 1);
    d[idx] = v;
    ++size_;
    return d + idx;
  }
  T* erase(T* pos) {
    std::copy(pos + 1, end(), pos);
    --size_;
    return pos;
  }
  size_t capacity() const { return heap_ ? heap_cap_ : N; }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  void move_from(SmallVector& o) {
    if (o.heap_) {
      heap_ = std::move(o.heap_);
      heap_cap_ = o.heap_cap_;
      size_ = o.size_;
    } else {
      heap_.reset();
      size_ = o.size_;
      std::copy(o.inline_, o.inline_ + o.size_, inline_);
    }
    o.size_ = 0;
  }
  T inline_[N] = {};
  std::unique_ptr<T[]> heap_;
  size_t heap_cap_ = 0;
  size_t size_ = 0;
};

}  // namespace nabla
