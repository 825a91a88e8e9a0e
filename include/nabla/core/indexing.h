// NumPy-style index elements: integers, Slice(start, stop, step) with None for
// omitted bounds, Ellipsis and NewAxis.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

namespace nabla {

struct NoneType { constexpr bool operator==(const NoneType&) const = default; };
inline constexpr NoneType None{};
struct EllipsisType {};
inline constexpr EllipsisType Ellipsis{};
struct NewAxisType {};
inline constexpr NewAxisType NewAxis{};

// A slice bound: an integer or None.
class SliceBound {
 public:
  SliceBound(NoneType) {}  // NOLINT
  template <typename T> requires std::is_integral_v<T>
  SliceBound(T v) : v_(int64_t(v)) {}  // NOLINT
  const std::optional<int64_t>& get() const { return v_; }
 private:
  std::optional<int64_t> v_;
};

// start:stop:step with NumPy semantics (negative values count from the end,
// negative steps walk backwards, out-of-range bounds are clamped).
struct Slice {
  std::optional<int64_t> start, stop, step;
  Slice(SliceBound start = None, SliceBound stop = None, SliceBound step = None)  // NOLINT
      : start(start.get()), stop(stop.get()), step(step.get()) {}
};

// One element of an index expression.
class TensorIndex {
 public:
  enum class Kind : uint8_t { Integer, Slice, Ellipsis, NewAxis };
  template <typename T> requires std::is_integral_v<T>
  TensorIndex(T i) : kind_(Kind::Integer), i_(int64_t(i)) {}  // NOLINT
  TensorIndex(Slice s) : kind_(Kind::Slice), s_(s) {}         // NOLINT
  TensorIndex(EllipsisType) : kind_(Kind::Ellipsis) {}        // NOLINT
  TensorIndex(NewAxisType) : kind_(Kind::NewAxis) {}          // NOLINT
  Kind kind() const { return kind_; }
  int64_t integer() const { return i_; }
  const Slice& slice() const { return s_; }

 private:
  Kind kind_;
  int64_t i_ = 0;
  Slice s_;
};

// Parses "1:, ::-1", "..., 0", "None, 2" into index elements; throws
// InvalidArgument with the offending text on malformed input.
std::vector<TensorIndex> parse_index(std::string_view spec);

}  // namespace nabla
