// The registry-driven gradient checker (DESIGN.md §4, §9): every op of the
// registry marked differentiable must have a gradient function and pass a
// float64 central-finite-difference check on every case of the table below
// (several shapes, broadcasting, rank 0, attributes), with the same results
// when its floating-point inputs and upstream gradients are non-contiguous
// views and when each input is differentiated alone. Every case is also
// checked to second order with nested tapes (element-wise ops and matmul
// included). TensorFlow's tie rules (Maximum/Minimum, ReduceMax/Min, Relu/Abs at
// 0, ClipByValue at the bounds, Pow at non-positive bases) are checked
// against hand-computed values, and moments, tensordot, custom_gradient and
// stop_gradient as compositions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nabla/nabla.h>

#include "unit/gradient_check.h"

namespace nb = nabla;
namespace gc = nabla::gradcheck;

namespace {

using nb::Attrs;
using nb::DType;
using nb::Shape;
using nb::Tensor;
using nb::TensorList;
using Rng = std::mt19937_64;
using Ints = std::vector<int64_t>;

// ---- input generators -------------------------------------------------------------

// A float64 tensor from values.
Tensor f64(const std::vector<double>& v, const Shape& s) { return nb::detail::make_from_doubles(v, s, DType::float64); }
Tensor i64(const Ints& v, const Shape& s) { return nb::detail::make_from_int64s(v, s, DType::int64); }
Tensor i32(const Ints& v, const Shape& s) { return nb::detail::make_from_int64s(v, s, DType::int32); }
Tensor bools(const std::vector<int>& v, const Shape& s) {
  return nb::detail::make_from_int64s(Ints(v.begin(), v.end()), s, DType::bool_);
}

using Gen = std::function<Tensor(Rng&, const Shape&)>;

// Uniform in [lo, hi).
// The integer-list attribute `name` of a test case (empty when absent).
Ints attr_ints(const Attrs& a, const char* name) { return a.has(name) ? a.get<Ints>(name) : Ints{}; }

Gen U(double lo, double hi) {
  return [lo, hi](Rng& r, const Shape& s) {
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> v(size_t(s.num_elements()));
    for (double& x : v) x = u(r);
    return f64(v, s);
  };
}
// |x| uniform in [lo, hi), random sign: keeps away from 0.
Gen NZ(double lo, double hi) {
  return [lo, hi](Rng& r, const Shape& s) {
    std::uniform_real_distribution<double> u(lo, hi);
    std::bernoulli_distribution sign(0.5);
    std::vector<double> v(size_t(s.num_elements()));
    for (double& x : v) x = sign(r) ? u(r) : -u(r);
    return f64(v, s);
  };
}
// Pairwise distinct values at least 0.2 apart (no ties for max/min).
Gen Distinct() {
  return [](Rng& r, const Shape& s) {
    const size_t n = size_t(s.num_elements());
    std::vector<double> v(n);
    std::uniform_real_distribution<double> noise(-0.05, 0.05);
    for (size_t i = 0; i < n; ++i) v[i] = 0.3 * double(i) - 0.15 * double(n) + noise(r);
    std::shuffle(v.begin(), v.end(), r);
    return f64(v, s);
  };
}
// Multiples of 2^-10 in [-2, 2): exact in float32, so +-0.25 steps are exact.
Gen Quantized(DType dtype) {
  return [dtype](Rng& r, const Shape& s) {
    std::uniform_int_distribution<int> u(-2048, 2047);
    std::vector<double> v(size_t(s.num_elements()));
    for (double& x : v) x = u(r) / 1024.0;
    return nb::detail::make_from_doubles(v, s, dtype);
  };
}

double min_abs(const Tensor& t) {
  double m = INFINITY;
  for (double x : t.to_vector<double>()) m = std::min(m, std::abs(x));
  return m;
}

// ---- the case table ---------------------------------------------------------------

struct Case {
  std::string name;
  TensorList inputs;
  Attrs attrs;
  gc::CheckOptions opt;
  bool views = true;  // also run with non-contiguous float inputs
  // Also checked to second order; false only for a known, reported defect.
  bool second_order = true;
};
using CaseList = std::vector<Case>;
struct Entry {
  std::function<CaseList(Rng&)> make;
  // Non-contiguous inputs: 0 = bit-identical results required; else the
  // relative tolerance for kernels whose summation order follows the strides
  // (reductions, matmul, softmax: float64 sums in another order differ in
  // the last bits).
  double view_rtol = 0;
};
constexpr double kSumOrder = 1e-13;

Case mk(std::string name, TensorList inputs, Attrs attrs = {}, gc::CheckOptions opt = {}) {
  return Case{std::move(name), std::move(inputs), std::move(attrs), std::move(opt)};
}

CaseList unary_cases(Rng& r, const Gen& g) {
  return {mk("[2,3]", {g(r, {2, 3})}), mk("[4]", {g(r, {4})}), mk("scalar", {g(r, {})}),
          mk("[2,3,2]", {g(r, {2, 3, 2})}), mk("[0,3] (empty)", {g(r, {0, 3})})};
}

// Broadcasting shape pairs; `accept` rejects inputs near a non-differentiable point.
CaseList binary_cases(Rng& r, const Gen& ga, const Gen& gb,
                      const std::function<bool(const Tensor&, const Tensor&)>& accept = {}) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{}, {2, 3}},
      {{2, 3}, {}},     {{}, {}},      {{4, 1, 3}, {2, 1}}, {{0, 3}, {3}}};
  CaseList out;
  for (const auto& [sa, sb] : shapes) {
    Tensor a, b;
    for (int attempt = 0; attempt < 10000; ++attempt) {
      a = ga(r, sa);
      b = gb(r, sb);
      if (!accept || accept(a, b)) break;
    }
    out.push_back(mk(sa.str() + "x" + sb.str(), {a, b}));
  }
  return out;
}

struct ReduceSpec {
  Shape shape;
  Ints axes;
  bool keepdims;
};
CaseList reduce_cases(Rng& r, const Gen& g) {
  const std::vector<ReduceSpec> specs = {
      {{2, 3, 4}, {}, false}, {{2, 3, 4}, {1}, true}, {{2, 3, 4}, {0, 2}, false}, {{2, 3, 4}, {-1}, false},
      {{3, 4}, {1, 0}, true}, {{5}, {0}, false},      {{}, {}, false},           {{3, 1}, {1}, false},
      {{0, 3}, {1}, false}};  // empty, but no empty reduction (those give inf/nan for max/min/mean/lse)
  CaseList out;
  for (const auto& s : specs) {
    std::string name = s.shape.str() + " axes=" + Shape(s.axes).str() + (s.keepdims ? " keepdims" : "");
    out.push_back(mk(name, {g(r, s.shape)}, Attrs{{"axes", s.axes}, {"keepdims", s.keepdims}}));
  }
  return out;
}

CaseList matmul_cases(Rng& r) {
  const Gen g = U(-1, 1);
  auto mm = [&](const char* name, Shape sa, Shape sb, bool ta, bool tb) {
    return mk(name, {g(r, sa), g(r, sb)}, Attrs{{"transpose_a", ta}, {"transpose_b", tb}});
  };
  return {mm("[3,4]@[4,5]", {3, 4}, {4, 5}, false, false),
          mm("[4,3]^T@[4,5]", {4, 3}, {4, 5}, true, false),
          mm("[3,4]@[5,4]^T", {3, 4}, {5, 4}, false, true),
          mm("[4,3]^T@[5,4]^T", {4, 3}, {5, 4}, true, true),
          mm("[2,3,4]@[2,4,5]", {2, 3, 4}, {2, 4, 5}, false, false),
          mm("[2,1,3,4]@[3,4,5]", {2, 1, 3, 4}, {3, 4, 5}, false, false),
          mm("[3,4]@[2,4,5]", {3, 4}, {2, 4, 5}, false, false),
          mm("[2,4,3]^T@[1,5,4]^T", {2, 4, 3}, {1, 5, 4}, true, true),
          mm("[1,4]@[4,1]", {1, 4}, {4, 1}, false, false),
          mm("[2,0]@[0,3] (empty k)", {2, 0}, {0, 3}, false, false),
          mm("[0,4]@[4,3] (empty m)", {0, 4}, {4, 3}, false, false)};
}

CaseList softmax_cases(Rng& r) {
  const Gen g = U(-2, 2);
  return {mk("[5] axis=0", {g(r, {5})}, {{"axis", int64_t(0)}}),
          mk("[2,3] axis=-1", {g(r, {2, 3})}, {{"axis", int64_t(-1)}}),
          mk("[2,3,4] axis=1", {g(r, {2, 3, 4})}, {{"axis", int64_t(1)}}),
          mk("[3,4] axis=0", {g(r, {3, 4})}, {{"axis", int64_t(0)}}),
          mk("[3,1] axis=1 (size-1 axis)", {g(r, {3, 1})}, {{"axis", int64_t(1)}}),
          mk("[0,3] axis=-1 (empty)", {g(r, {0, 3})}, {{"axis", int64_t(-1)}})};
}

Attrs slice_attrs(Ints b, Ints e, Ints s, int64_t bm = 0, int64_t em = 0, int64_t elm = 0, int64_t nm = 0,
                  int64_t sm = 0) {
  return Attrs{{"begin", b},         {"end", e},           {"strides", s},
               {"begin_mask", bm},   {"end_mask", em},     {"ellipsis_mask", elm},
               {"new_axis_mask", nm}, {"shrink_axis_mask", sm}};
}

std::map<std::string, Entry> build_table() {
  std::map<std::string, Entry> t;
  const Gen any = U(-2, 2);
  const Gen pos = U(0.3, 2.5);
  const Gen away0 = NZ(0.2, 2);

  // -- element-wise unary
  auto unary = [&](const char* name, Gen g) { t[name] = {[g](Rng& r) { return unary_cases(r, g); }}; };
  unary("Neg", any);
  unary("Abs", away0);
  unary("Square", any);
  unary("Sqrt", pos);
  unary("Rsqrt", pos);
  unary("Exp", any);
  unary("Log", pos);
  unary("Log1p", U(-0.6, 2));
  unary("Expm1", any);
  unary("Sin", U(-3, 3));
  unary("Cos", U(-3, 3));
  unary("Tan", U(-1.2, 1.2));
  unary("Tanh", any);
  unary("Sigmoid", U(-4, 4));
  unary("Relu", away0);
  unary("Erf", any);

  // -- element-wise binary
  auto binary = [&](const char* name, Gen ga, Gen gb,
                    std::function<bool(const Tensor&, const Tensor&)> accept = {}) {
    t[name] = {[ga, gb, accept](Rng& r) { return binary_cases(r, ga, gb, accept); }};
  };
  binary("Add", any, any);
  binary("Sub", any, any);
  binary("Mul", any, any);
  binary("Div", any, NZ(0.5, 2));
  auto apart = [](const Tensor& a, const Tensor& b) { return min_abs(nb::subtract(a, b)) > 0.05; };
  binary("Maximum", any, any, apart);
  binary("Minimum", any, any, apart);
  // FloorMod: x/y at least 0.1 away from an integer (the discontinuities).
  binary("FloorMod", U(-4, 4), NZ(0.5, 2), [](const Tensor& a, const Tensor& b) {
    for (double q : nb::divide(a, b).to_vector<double>()) {
      const double f = q - std::floor(q);
      if (f < 0.1 || f > 0.9) return false;
    }
    return true;
  });
  t["Pow"] = {[](Rng& r) {
                CaseList c = binary_cases(r, U(0.5, 2), U(-2, 2));
                // Negative base, integer exponent: only the base is differentiable.
                std::uniform_int_distribution<int> e(-3, 3);
                std::vector<double> ev(6);
                for (double& x : ev) x = e(r);
                gc::CheckOptions o;
                o.diff = {true, false};
                c.push_back(mk("negative base, integer exponent", {NZ(0.5, 2)(r, {2, 3}), f64(ev, {2, 3})}, {}, o));
                return c;
              }};

  // -- ternary element-wise
  t["ClipByValue"] = {[](Rng& r) {
                        CaseList c;
                        auto clear = [](const Tensor& x, const Tensor& lo, const Tensor& hi) {
                          return min_abs(nb::subtract(x, lo)) > 0.05 && min_abs(nb::subtract(x, hi)) > 0.05;
                        };
                        auto add = [&](const char* name, Shape sx, Shape slo, Shape shi, Gen gx, Gen glo, Gen ghi) {
                          Tensor x, lo, hi;
                          do {
                            x = gx(r, sx);
                            lo = glo(r, slo);
                            hi = ghi(r, shi);
                          } while (!clear(x, lo, hi));
                          c.push_back(mk(name, {x, lo, hi}));
                        };
                        add("[2,3] scalar bounds", {2, 3}, {}, {}, U(-2, 2), U(-0.7, -0.3), U(0.3, 0.7));
                        add("[2,3] lo[3] hi[2,1]", {2, 3}, {3}, {2, 1}, U(-2, 2), U(-1, -0.2), U(0.2, 1));
                        add("[4] all inside", {4}, {}, {}, U(-2, 2), U(-5, -4), U(4, 5));
                        add("scalar", {}, {}, {}, U(-2, 2), U(-0.7, -0.3), U(0.3, 0.7));
                        add("[3,2] same-shape bounds", {3, 2}, {3, 2}, {3, 2}, U(-2, 2), U(-1, 0), U(0, 1));
                        return c;
                      }};
  t["Select"] = {[](Rng& r) {
                   const Gen g = U(-2, 2);
                   return CaseList{
                       mk("all [2,3]", {bools({1, 0, 0, 1, 1, 0}, {2, 3}), g(r, {2, 3}), g(r, {2, 3})}),
                       mk("cond[3] x[2,3] y[]", {bools({0, 1, 1}, {3}), g(r, {2, 3}), g(r, {})}),
                       mk("cond[2,1] x[1,3] y[2,3]", {bools({1, 0}, {2, 1}), g(r, {1, 3}), g(r, {2, 3})}),
                       mk("cond[] x[2,2] y[2,2]", {bools({1}, {}), g(r, {2, 2}), g(r, {2, 2})}),
                       mk("scalars", {bools({0}, {}), g(r, {}), g(r, {})})};
                 }};
  t["Cast"] = {[](Rng& r) {
                 gc::CheckOptions exact;
                 exact.eps = 0.25;  // Cast is linear; +-0.25 is exact on 2^-10 multiples in float32
                 return CaseList{
                     mk("float64->float64", {U(-2, 2)(r, {2, 3})}, {{"dtype", DType::float64}}),
                     mk("float64->float32", {Quantized(DType::float64)(r, {2, 3})}, {{"dtype", DType::float32}},
                        exact),
                     mk("float32->float64", {Quantized(DType::float32)(r, {4})}, {{"dtype", DType::float64}}, exact),
                     mk("scalar float64->float32", {Quantized(DType::float64)(r, {})}, {{"dtype", DType::float32}},
                        exact)};
               }};

  // -- matmul, softmax
  t["BatchMatMulV2"] = {matmul_cases, kSumOrder};
  t["Softmax"] = {softmax_cases, kSumOrder};
  t["LogSoftmax"] = {softmax_cases, kSumOrder};
  t["SparseSoftmaxCrossEntropyWithLogits"] = {[](Rng& r) {
                                                const Gen g = U(-2, 2);
                                                gc::CheckOptions logits_only;  // float labels are indices
                                                logits_only.diff = {true, false};
                                                const Tensor u8 = nb::detail::make_from_int64s({2, 0}, {2}, DType::uint8);
                                                return CaseList{
                                                    mk("[4,5] int64 labels", {g(r, {4, 5}), i64({0, 4, 2, 2}, {4})}),
                                                    mk("[3,2,4] int32 labels",
                                                       {g(r, {3, 2, 4}), i32({3, 0, 1, 1, 2, 3}, {3, 2})}),
                                                    mk("[5] scalar label", {g(r, {5}), i64({3}, {})}),
                                                    mk("[2,3] uint8 labels", {g(r, {2, 3}), u8}),
                                                    mk("[2,1] one class", {g(r, {2, 1}), i64({0, 0}, {2})}),
                                                    mk("[2,3] float64 labels", {g(r, {2, 3}), f64({2, 0}, {2})}, {},
                                                       logits_only),
                                                    mk("[0,3] (empty)", {g(r, {0, 3}), i64({}, {0})})};
                                              },
                                              kSumOrder};

  // -- reductions
  t["ReduceSum"] = {[any](Rng& r) {
                      CaseList c = reduce_cases(r, any);
                      c.push_back(mk("[0,3] axes=[0] (empty reduction)", {any(r, {0, 3})},
                                     Attrs{{"axes", Ints{0}}, {"keepdims", false}}));
                      return c;
                    },
                    kSumOrder};
  t["ReduceMean"] = {[any](Rng& r) { return reduce_cases(r, any); }, kSumOrder};
  t["ReduceMax"] = {[](Rng& r) { return reduce_cases(r, Distinct()); }};
  t["ReduceMin"] = {[](Rng& r) { return reduce_cases(r, Distinct()); }};
  t["ReduceLogSumExp"] = {[any](Rng& r) { return reduce_cases(r, any); }, kSumOrder};
  t["ReduceProd"] = {[](Rng& r) {
                       CaseList c = reduce_cases(r, NZ(0.5, 1.5));
                       std::vector<double> v = NZ(0.5, 1.5)(r, {2, 3, 4}).to_vector<double>();
                       v[5] = 0;
                       const Attrs all{{"axes", Ints{}}, {"keepdims", false}};
                       const Attrs ax1{{"axes", Ints{1}}, {"keepdims", false}};
                       c.push_back(mk("[2,0] axes=[1] keepdims (empty product = 1)", {f64({}, {2, 0})},
                                      Attrs{{"axes", Ints{1}}, {"keepdims", true}}));
                       c.push_back(mk("one zero, all axes", {f64(v, {2, 3, 4})}, all));
                       c.push_back(mk("one zero, axes=[1]", {f64(v, {2, 3, 4})}, ax1));
                       v[17] = 0;
                       c.push_back(mk("two zeros, all axes", {f64(v, {2, 3, 4})}, all));
                       v[9] = 0;  // same row (axis 1) as v[5]: [0,1,1] and [0,2,1]
                       c.push_back(mk("two zeros in one row, axes=[1]", {f64(v, {2, 3, 4})}, ax1));
                       // KNOWN LIMIT (documented in docs/autodiff.md): d(grad_j)/d(x_k)
                       // at a zero x_k comes out 0 instead of prod_{i != j,k} x_i: the
                       // gradient is built with where(x == 0, ...) and prod / x, so the
                       // other elements' gradients are constants with respect to x_k.
                       // TensorFlow 2.21 gives the same 0 (for x = [2, 0, 3] its
                       // Hessian-vector product with ones is [3, 0, 2]).
                       for (size_t k = c.size() - 4; k < c.size(); ++k) c[k].second_order = false;
                       return c;
                     },
                     kSumOrder};
  t["Cumsum"] = {[any](Rng& r) {
    auto cs = [&](const char* name, Shape s, int64_t axis, bool excl, bool rev) {
      return mk(name, {any(r, s)}, Attrs{{"axis", axis}, {"exclusive", excl}, {"reverse", rev}});
    };
    return CaseList{cs("[5] axis=0", {5}, 0, false, false),
                    cs("[2,3,4] axis=1", {2, 3, 4}, 1, false, false),
                    cs("[2,3,4] axis=1 exclusive", {2, 3, 4}, 1, true, false),
                    cs("[2,3,4] axis=2 reverse", {2, 3, 4}, 2, false, true),
                    cs("[2,3,4] axis=-1 exclusive reverse", {2, 3, 4}, -1, true, true),
                    cs("[3,4] axis=0 exclusive", {3, 4}, 0, true, false)};
  }, kSumOrder};

  // -- shape ops
  t["ConcatV2"] = {[any](Rng& r) {
    return CaseList{mk("[2,3]+[2,4] axis=1", {any(r, {2, 3}), any(r, {2, 4})}, {{"axis", int64_t(1)}}),
                    mk("[1,3]+[2,3]+[3,3] axis=0", {any(r, {1, 3}), any(r, {2, 3}), any(r, {3, 3})},
                       {{"axis", int64_t(0)}}),
                    mk("[2]+[3]", {any(r, {2}), any(r, {3})}, {{"axis", int64_t(0)}}),
                    mk("[2,2,1]+[2,2,3] axis=-1", {any(r, {2, 2, 1}), any(r, {2, 2, 3})}, {{"axis", int64_t(-1)}}),
                    mk("one input", {any(r, {2, 3})}, {{"axis", int64_t(0)}}),
                    mk("[2,0]+[2,3] axis=1 (empty input)", {any(r, {2, 0}), any(r, {2, 3})}, {{"axis", int64_t(1)}})};
  }};
  t["Pack"] = {[any](Rng& r) {
    return CaseList{
        mk("3x[2,3] axis=0", {any(r, {2, 3}), any(r, {2, 3}), any(r, {2, 3})}, {{"axis", int64_t(0)}}),
        mk("3x[2,3] axis=2", {any(r, {2, 3}), any(r, {2, 3}), any(r, {2, 3})}, {{"axis", int64_t(2)}}),
        mk("2x[4] axis=-1", {any(r, {4}), any(r, {4})}, {{"axis", int64_t(-1)}}),
        mk("4 scalars", {any(r, {}), any(r, {}), any(r, {}), any(r, {})}, {{"axis", int64_t(0)}})};
  }};
  t["SplitV"] = {[any](Rng& r) {
    gc::CheckOptions some;
    some.targets = {0, 2};
    return CaseList{
        mk("[2,6] num_split=3 axis=1", {any(r, {2, 6})}, {{"num_split", int64_t(3)}, {"axis", int64_t(1)}}),
        mk("[5,2] sizes=[1,-1,2]", {any(r, {5, 2})}, {{"size_splits", Ints{1, -1, 2}}, {"axis", int64_t(0)}}),
        mk("[6] num_split=2", {any(r, {6})}, {{"num_split", int64_t(2)}, {"axis", int64_t(0)}}),
        mk("[2,6] num_split=3, outputs 0 and 2 only", {any(r, {2, 6})},
           {{"num_split", int64_t(3)}, {"axis", int64_t(-1)}}, some),
        mk("[4,3] sizes=[3,0,1]", {any(r, {4, 3})}, {{"size_splits", Ints{3, 0, 1}}, {"axis", int64_t(0)}})};
  }};
  t["Tile"] = {[any](Rng& r) {
    return CaseList{mk("[2,3] x[2,1]", {any(r, {2, 3})}, {{"multiples", Ints{2, 1}}}),
                    mk("[2,3] x[1,3]", {any(r, {2, 3})}, {{"multiples", Ints{1, 3}}}),
                    mk("[2,3] x[2,2]", {any(r, {2, 3})}, {{"multiples", Ints{2, 2}}}),
                    mk("[3] x[3]", {any(r, {3})}, {{"multiples", Ints{3}}}),
                    mk("[1,2,1] x[2,1,3]", {any(r, {1, 2, 1})}, {{"multiples", Ints{2, 1, 3}}}),
                    mk("scalar", {any(r, {})}, {{"multiples", Ints{}}})};
  }, kSumOrder};  // the gradient sums over the copies
  t["PadV2"] = {[any](Rng& r) {
    return CaseList{mk("[2,3] [1,0,2,1]", {any(r, {2, 3})}, {{"paddings", Ints{1, 0, 2, 1}}, {"constant_value", 0.0}}),
                    mk("[4] [2,3] value 0.5", {any(r, {4})}, {{"paddings", Ints{2, 3}}, {"constant_value", 0.5}}),
                    mk("[2,3,2] [0,1,1,0,2,2]", {any(r, {2, 3, 2})},
                       {{"paddings", Ints{0, 1, 1, 0, 2, 2}}, {"constant_value", -1.0}}),
                    mk("scalar", {any(r, {})}, {{"paddings", Ints{}}, {"constant_value", 0.0}})};
  }};
  t["MirrorPad"] = {[any](Rng& r) {
    auto mp = [](Ints p, const char* mode) { return Attrs{{"paddings", p}, {"mode", std::string(mode)}}; };
    return CaseList{mk("[3,4] [1,2,2,1] REFLECT", {any(r, {3, 4})}, mp({1, 2, 2, 1}, "REFLECT")),
                    mk("[3,4] [3,0,1,4] SYMMETRIC", {any(r, {3, 4})}, mp({3, 0, 1, 4}, "SYMMETRIC")),
                    mk("[5] [2,3] REFLECT", {any(r, {5})}, mp({2, 3}, "REFLECT")),
                    mk("[4] [4,2] SYMMETRIC", {any(r, {4})}, mp({4, 2}, "SYMMETRIC")),
                    mk("[2,3,3] [0,1,2,0,1,1] REFLECT", {any(r, {2, 3, 3})}, mp({0, 1, 2, 0, 1, 1}, "REFLECT"))};
  }};
  t["GatherV2"] = {[any](Rng& r) {
    auto ga = [](int64_t axis, int64_t bd) { return Attrs{{"axis", axis}, {"batch_dims", bd}}; };
    return CaseList{
        mk("[5,3] idx[4] with repeats axis=0", {any(r, {5, 3}), i64({4, 0, 2, 0}, {4})}, ga(0, 0)),
        mk("[5,3] idx int32 [2,2] axis=1", {any(r, {5, 3}), i32({2, 1, 2, 0}, {2, 2})}, ga(1, 0)),
        mk("[2,5,3] idx[2,4] axis=1 batch_dims=1", {any(r, {2, 5, 3}), i64({0, 4, 4, 1, 3, 3, 2, 0}, {2, 4})},
           ga(1, 1)),
        mk("[4] scalar idx", {any(r, {4}), i64({2}, {})}, ga(0, 0)),
        mk("[3,4,2] idx[3] axis=-1", {any(r, {3, 4, 2}), i64({1, 1, 0}, {3})}, ga(-1, 0)),
        mk("[2,3,4] idx[2,2] axis=2 batch_dims=-1", {any(r, {2, 3, 4}), i64({3, 3, 0, 1}, {2, 2})}, ga(2, -1))};
  }};
  t["GatherNd"] = {[any](Rng& r) {
    return CaseList{mk("[4,3] idx[3,2] repeats", {any(r, {4, 3}), i64({0, 1, 3, 2, 0, 1}, {3, 2})}),
                    mk("[4,3] idx[3,1] rows", {any(r, {4, 3}), i64({2, 0, 2}, {3, 1})}),
                    mk("[2,3,4] idx[2,2,2]", {any(r, {2, 3, 4}), i32({0, 1, 1, 2, 1, 0, 0, 1}, {2, 2, 2})}),
                    mk("[5] idx[1] -> scalar", {any(r, {5}), i64({3}, {1})})};
  }};
  t["TensorScatterUpdate"] = {[any](Rng& r) {
    return CaseList{mk("[5,3] idx[2,1] upd[2,3]", {any(r, {5, 3}), i64({1, 3}, {2, 1}), any(r, {2, 3})}),
                    mk("[4,3] idx[3,2] upd[3]", {any(r, {4, 3}), i64({0, 1, 2, 2, 3, 0}, {3, 2}), any(r, {3})}),
                    mk("[6] idx int32 [2,1] upd[2]", {any(r, {6}), i32({5, 0}, {2, 1}), any(r, {2})})};
  }};
  t["Slice"] = {[any](Rng& r) {
    auto sl = [](Ints b, Ints s) { return Attrs{{"begin", b}, {"size", s}}; };
    return CaseList{mk("[3,4] begin[1,0] size[2,-1]", {any(r, {3, 4})}, sl({1, 0}, {2, -1})),
                    mk("[5] begin[1] size[3]", {any(r, {5})}, sl({1}, {3})),
                    mk("[2,3,4] begin[0,1,1] size[2,2,2]", {any(r, {2, 3, 4})}, sl({0, 1, 1}, {2, 2, 2})),
                    mk("scalar", {any(r, {})}, sl({}, {}))};
  }};
  t["ReverseV2"] = {[any](Rng& r) {
    return CaseList{mk("[2,3] axis[0]", {any(r, {2, 3})}, {{"axis", Ints{0}}}),
                    mk("[2,3] axis[1]", {any(r, {2, 3})}, {{"axis", Ints{1}}}),
                    mk("[2,3,4] axis[0,2]", {any(r, {2, 3, 4})}, {{"axis", Ints{0, 2}}}),
                    mk("[4] axis[-1]", {any(r, {4})}, {{"axis", Ints{-1}}}),
                    mk("[2,3] no axes", {any(r, {2, 3})}, {{"axis", Ints{}}})};
  }};
  t["Reshape"] = {[any](Rng& r) {
    return CaseList{mk("[2,3]->[3,2]", {any(r, {2, 3})}, {{"shape", Ints{3, 2}}}),
                    mk("[2,3]->[-1]", {any(r, {2, 3})}, {{"shape", Ints{-1}}}),
                    mk("[6]->[2,1,3]", {any(r, {6})}, {{"shape", Ints{2, 1, 3}}}),
                    mk("[]->[1,1]", {any(r, {})}, {{"shape", Ints{1, 1}}}),
                    mk("[1]->[]", {any(r, {1})}, {{"shape", Ints{}}}),
                    mk("[2,3,4]->[4,-1]", {any(r, {2, 3, 4})}, {{"shape", Ints{4, -1}}})};
  }};
  t["Transpose"] = {[any](Rng& r) {
    return CaseList{mk("[2,3] [1,0]", {any(r, {2, 3})}, {{"perm", Ints{1, 0}}}),
                    mk("[2,3,4] [2,0,1]", {any(r, {2, 3, 4})}, {{"perm", Ints{2, 0, 1}}}),
                    mk("[2,3,4] [0,2,1]", {any(r, {2, 3, 4})}, {{"perm", Ints{0, 2, 1}}}),
                    mk("[4] [0]", {any(r, {4})}, {{"perm", Ints{0}}}),
                    mk("scalar", {any(r, {})}, {{"perm", Ints{}}})};
  }};
  t["ExpandDims"] = {[any](Rng& r) {
    return CaseList{mk("[2,3] axis=0", {any(r, {2, 3})}, {{"axis", int64_t(0)}}),
                    mk("[2,3] axis=1", {any(r, {2, 3})}, {{"axis", int64_t(1)}}),
                    mk("[2,3] axis=-1", {any(r, {2, 3})}, {{"axis", int64_t(-1)}}),
                    mk("scalar", {any(r, {})}, {{"axis", int64_t(0)}})};
  }};
  t["Squeeze"] = {[any](Rng& r) {
    return CaseList{mk("[1,3,1] all", {any(r, {1, 3, 1})}, {{"axes", Ints{}}}),
                    mk("[1,3,1] axes[0]", {any(r, {1, 3, 1})}, {{"axes", Ints{0}}}),
                    mk("[2,1] axes[-1]", {any(r, {2, 1})}, {{"axes", Ints{-1}}}),
                    mk("[1] -> scalar", {any(r, {1})}, {{"axes", Ints{}}})};
  }};
  t["BroadcastTo"] = {[any](Rng& r) {
    return CaseList{mk("[3]->[2,3]", {any(r, {3})}, {{"shape", Ints{2, 3}}}),
                    mk("[2,1]->[2,3]", {any(r, {2, 1})}, {{"shape", Ints{2, 3}}}),
                    mk("[]->[2,2]", {any(r, {})}, {{"shape", Ints{2, 2}}}),
                    mk("[1,3]->[4,2,3]", {any(r, {1, 3})}, {{"shape", Ints{4, 2, 3}}}),
                    mk("[2,3]->[2,3]", {any(r, {2, 3})}, {{"shape", Ints{2, 3}}})};
  }, kSumOrder};  // the gradient sums over the copies
  t["StridedSlice"] = {[any](Rng& r) {
    return CaseList{
        mk("[6,4] x[1:5:2, :]", {any(r, {6, 4})}, slice_attrs({1, 0}, {5, 0}, {2, 1}, 0, 2)),
        mk("[5,4] x[::-1, 1:3]", {any(r, {5, 4})}, slice_attrs({0, 1}, {0, 3}, {-1, 1}, 1, 1)),
        mk("[4,3] x[2, 1:] (shrink)", {any(r, {4, 3})}, slice_attrs({2, 1}, {3, 0}, {1, 1}, 0, 2, 0, 0, 1)),
        mk("[3,4] x[:, None, 1:3] (new axis)", {any(r, {3, 4})},
           slice_attrs({0, 0, 1}, {0, 0, 3}, {1, 1, 1}, 1, 1, 0, 2)),
        mk("[2,3,5] x[..., ::2] (ellipsis)", {any(r, {2, 3, 5})}, slice_attrs({0, 0}, {0, 0}, {1, 2}, 2, 2, 1)),
        mk("[8] x[7:1:-2]", {any(r, {8})}, slice_attrs({7}, {1}, {-2})),
        mk("[3,4] x[-1, ::-1] (shrink, step -1)", {any(r, {3, 4})},
           slice_attrs({-1, 0}, {0, 0}, {1, -1}, 2, 2, 0, 0, 1))};
  }};
  t["Identity"] = {[any](Rng& r) {
    return CaseList{mk("[2,3]", {any(r, {2, 3})}), mk("scalar", {any(r, {})}), mk("[5]", {any(r, {5})})};
  }};

  // -- ops being added (cases written against TensorFlow's signatures; the
  //    attribute names are checked when the ops land)
  t["UnsortedSegmentSum"] = {[any](Rng& r) {
    auto ns = [](int64_t n) { return Attrs{{"num_segments", n}}; };
    return CaseList{mk("[5,3] ids[5] n=4", {any(r, {5, 3}), i64({0, 3, 0, 1, 3}, {5})}, ns(4)),
                    mk("[6] ids int32 [6] n=3 (segment 2 empty)", {any(r, {6}), i32({1, 1, 0, 0, 1, 0}, {6})}, ns(3)),
                    mk("[2,3,2] ids[2,3] n=5", {any(r, {2, 3, 2}), i64({4, 0, 4, 2, 2, 0}, {2, 3})}, ns(5)),
                    mk("[4] ids with -1 (dropped)", {any(r, {4}), i64({0, -1, 1, 0}, {4})}, ns(2))};
  }};
  t["ScatterNd"] = {[any](Rng& r) {
    auto sh = [](Ints s) { return Attrs{{"shape", s}}; };
    return CaseList{mk("idx[3,1] upd[3,2] -> [5,2] (repeats add)", {i64({4, 0, 4}, {3, 1}), any(r, {3, 2})}, sh({5, 2})),
                    mk("idx[2,2] upd[2] -> [3,3]", {i64({0, 2, 1, 1}, {2, 2}), any(r, {2})}, sh({3, 3})),
                    mk("idx int32 [2,1] upd[2] -> [4]", {i32({3, 1}, {2, 1}), any(r, {2})}, sh({4}))};
  }};
  t["TensorScatterAdd"] = {[any](Rng& r) {
    return CaseList{mk("[5,3] idx[3,1] repeats upd[3,3]", {any(r, {5, 3}), i64({1, 3, 1}, {3, 1}), any(r, {3, 3})}),
                    mk("[4,3] idx[2,2] upd[2]", {any(r, {4, 3}), i64({0, 1, 3, 2}, {2, 2}), any(r, {2})})};
  }};
  t["StridedSliceGrad"] = {[any](Rng& r) {
    auto sg = [](Ints shape, Attrs a) {
      a.set("shape", shape);
      return a;
    };
    return CaseList{mk("[6,4] x[1:5:2, :]", {any(r, {2, 4})}, sg({6, 4}, slice_attrs({1, 0}, {5, 0}, {2, 1}, 0, 2))),
                    mk("[5,4] x[::-1, 1:3]", {any(r, {5, 2})}, sg({5, 4}, slice_attrs({0, 1}, {0, 3}, {-1, 1}, 1, 1))),
                    mk("[4,3] x[2, 1:]", {any(r, {2})}, sg({4, 3}, slice_attrs({2, 1}, {3, 0}, {1, 1}, 0, 2, 0, 0, 1))),
                    mk("[8] x[7:1:-2]", {any(r, {3})}, sg({8}, slice_attrs({7}, {1}, {-2})))};
  }};

  // -- convolution, pooling, batch norm (small shapes: float64 reference loops)
  auto conv_a = [](Ints strides, const char* padding, Ints dil = {}, const char* fmt = "channels_last", Ints ex = {}) {
    Attrs a{{"strides", strides}, {"padding", std::string(padding)}, {"data_format", std::string(fmt)}};
    if (!dil.empty()) a.set("dilations", dil);
    if (!ex.empty()) a.set("explicit_paddings", ex);
    return a;
  };
  auto with = [](Attrs a, const char* k, Ints v) {
    a.set(k, v);
    return a;
  };
  struct ConvCase {
    std::string name;
    Shape x, w;
    Attrs a;
  };
  const std::vector<ConvCase> conv_cases = {
      {"2d [2,5,4,3] w[3,2,3,2] valid", {2, 5, 4, 3}, {3, 2, 3, 2}, conv_a({1}, "VALID")},
      {"2d same stride 2", {1, 5, 6, 2}, {3, 3, 2, 3}, conv_a({2, 2}, "SAME")},
      {"2d dilation 2 + stride 2 valid", {1, 7, 6, 2}, {2, 2, 2, 2}, conv_a({2}, "VALID", {2})},
      {"2d groups 2 same", {2, 4, 4, 4}, {3, 3, 2, 4}, conv_a({1}, "SAME")},
      {"2d channels_first explicit pads", {1, 2, 4, 5}, {2, 3, 2, 3}, conv_a({1, 2}, "EXPLICIT", {}, "channels_first", {1, 0, 2, 1})},
      {"1d stride 3 same", {2, 7, 2}, {3, 2, 2}, conv_a({3}, "SAME")},
      {"3d valid", {1, 3, 3, 3, 2}, {2, 2, 2, 2, 2}, conv_a({1}, "VALID")},
  };
  t["Conv"] = {[any, conv_cases](Rng& r) {
    CaseList c;
    for (const ConvCase& k : conv_cases) c.push_back(mk(k.name, {any(r, k.x), any(r, k.w)}, k.a));
    return c;
  }, kSumOrder};
  t["ConvBackpropInput"] = {[any, conv_cases, with](Rng& r) {
    CaseList c;
    for (const ConvCase& k : conv_cases) {
      const Shape y = nb::conv(nb::zeros(k.x, DType::float64), nb::zeros(k.w, DType::float64),
                               {.strides = attr_ints(k.a, "strides"),
                                .padding = k.a.get<std::string>("padding"),
                                .explicit_paddings = attr_ints(k.a, "explicit_paddings"),
                                .dilations = attr_ints(k.a, "dilations"),
                                .data_format = k.a.get<std::string>("data_format")}).shape();
      c.push_back(mk(k.name, {any(r, y), any(r, k.w)}, with(k.a, "input_sizes", k.x.vec())));
    }
    return c;
  }, kSumOrder};
  t["ConvBackpropFilter"] = {[any, conv_cases, with](Rng& r) {
    CaseList c;
    for (const ConvCase& k : conv_cases) {
      const Shape y = nb::conv(nb::zeros(k.x, DType::float64), nb::zeros(k.w, DType::float64),
                               {.strides = attr_ints(k.a, "strides"),
                                .padding = k.a.get<std::string>("padding"),
                                .explicit_paddings = attr_ints(k.a, "explicit_paddings"),
                                .dilations = attr_ints(k.a, "dilations"),
                                .data_format = k.a.get<std::string>("data_format")}).shape();
      c.push_back(mk(k.name, {any(r, k.x), any(r, y)}, with(k.a, "filter_sizes", k.w.vec())));
    }
    return c;
  }, kSumOrder};
  auto pool_a = [](Ints ksize, Ints strides, const char* padding, const char* fmt = "channels_last") {
    return Attrs{{"ksize", ksize}, {"strides", strides}, {"padding", std::string(padding)},
                 {"data_format", std::string(fmt)}};
  };
  struct PoolCase {
    std::string name;
    Shape x;
    Attrs a;
  };
  const std::vector<PoolCase> pool_cases = {
      {"2d [2,4,4,3] k2 s2 valid", {2, 4, 4, 3}, pool_a({2}, {2}, "VALID")},
      {"2d [1,5,5,2] k3 s2 same", {1, 5, 5, 2}, pool_a({3, 3}, {2, 2}, "SAME")},
      {"2d channels_first k2 s1 valid", {1, 2, 3, 4}, pool_a({2}, {1}, "VALID", "channels_first")},
      {"1d [2,7,2] k3 s2 same", {2, 7, 2}, pool_a({3}, {2}, "SAME")},
  };
  auto pool_out = [](const PoolCase& k) {
    return nb::call_op1(*nb::find_op("MaxPool"), {nb::zeros(k.x, DType::float64)}, k.a).shape();
  };
  const Gen distinct = Distinct();
  t["MaxPool"] = {[distinct, pool_cases](Rng& r) {
    CaseList c;
    for (const PoolCase& k : pool_cases) c.push_back(mk(k.name, {distinct(r, k.x)}, k.a));
    return c;
  }};
  t["MaxPoolGrad"] = {[distinct, any, pool_cases, pool_out](Rng& r) {
    CaseList c;
    for (const PoolCase& k : pool_cases) c.push_back(mk(k.name, {distinct(r, k.x), any(r, pool_out(k))}, k.a));
    return c;
  }};
  t["MaxPoolGradGrad"] = {[distinct, any, pool_cases](Rng& r) {
    CaseList c;
    for (const PoolCase& k : pool_cases) c.push_back(mk(k.name, {distinct(r, k.x), any(r, k.x)}, k.a));
    return c;
  }};
  t["AvgPool"] = {[any, pool_cases](Rng& r) {
    CaseList c;
    for (const PoolCase& k : pool_cases) c.push_back(mk(k.name, {any(r, k.x)}, k.a));
    return c;
  }, kSumOrder};
  t["AvgPoolGrad"] = {[any, pool_cases, pool_out, with](Rng& r) {
    CaseList c;
    for (const PoolCase& k : pool_cases) c.push_back(mk(k.name, {any(r, pool_out(k))}, with(k.a, "input_sizes", k.x.vec())));
    return c;
  }, kSumOrder};
  t["FusedBatchNorm"] = {[any](Rng& r) {
    const Gen pos = U(0.5, 2);
    auto bn = [](bool training, const char* fmt, double eps) {
      return Attrs{{"epsilon", eps}, {"is_training", training}, {"data_format", std::string(fmt)}};
    };
    auto five = [&](const Shape& x, int64_t c) {
      return TensorList{any(r, x), any(r, {c}), any(r, {c}), any(r, {c}), pos(r, {c})};
    };
    return CaseList{mk("training [4,3]", five({4, 3}, 3), bn(true, "channels_last", 1e-3)),
                    mk("training [2,3,2,2] channels_last", five({2, 3, 2, 2}, 2), bn(true, "channels_last", 1e-3)),
                    mk("training [2,3,2,2] channels_first", five({2, 3, 2, 2}, 3), bn(true, "channels_first", 1e-5)),
                    mk("inference [3,2,2]", five({3, 2, 2}, 2), bn(false, "channels_last", 1e-3)),
                    mk("inference [2,2,3] channels_first", five({2, 2, 3}, 2), bn(false, "channels_first", 0.1))};
  }, kSumOrder};
  return t;
}

const std::map<std::string, Entry>& table() {
  static const std::map<std::string, Entry> t = build_table();
  return t;
}

// FNV-1a: a per-op seed that does not depend on test order.
uint64_t seed_of(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<std::string> differentiable_ops() {
  std::vector<std::string> v;
  for (const nb::OpDef* op : nb::all_ops())
    if (op->differentiable) v.push_back(op->name);
  return v;
}
std::vector<std::string> ops_with_cases() {
  std::vector<std::string> v;
  for (const auto& [name, e] : table()) {
    const nb::OpDef* op = nb::find_op(name);
    if (op && op->differentiable) v.push_back(name);
  }
  return v;
}

bool has_float_view_candidate(const TensorList& in) {
  for (const Tensor& x : in)
    if (nb::is_floating(x.dtype()) && x.rank() >= 1) return true;
  return false;
}

// ---- no op left unchecked -------------------------------------------------------------

TEST(GradientCheckCoverage, EveryDifferentiableOpHasAGradientAndCases) {
  std::string missing_grad, missing_case;
  int n = 0;
  for (const nb::OpDef* op : nb::all_ops()) {
    if (!op->differentiable) continue;
    ++n;
    if (!op->gradient) missing_grad += " " + op->name;
    auto it = table().find(op->name);
    if (it == table().end()) {
      missing_case += " " + op->name;
    } else {
      Rng rng(1);
      if (it->second.make(rng).empty()) missing_case += " " + op->name;
    }
  }
  std::string unknown;
  for (const auto& [name, e] : table()) {
    const nb::OpDef* op = nb::find_op(name);
    if (!op || !op->differentiable) unknown += " " + name;
  }
  EXPECT_GT(n, 0);
  EXPECT_TRUE(unknown.empty()) << "cases for ops that are not registered as differentiable (renamed?):" << unknown;
  EXPECT_TRUE(missing_grad.empty()) << "differentiable ops without a gradient function:" << missing_grad;
  EXPECT_TRUE(missing_case.empty()) << "differentiable ops without gradient-check cases:" << missing_case;
}

// ---- every registry op: first order + non-contiguous inputs ------------------------------

class OpGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(OpGradient, MatchesFiniteDifferences) {
  const std::string& name = GetParam();
  const nb::OpDef* op = nb::find_op(name);
  ASSERT_NE(op, nullptr);
  ASSERT_NE(op->gradient, nullptr) << name << " has no gradient function";
  const auto it = table().find(name);
  ASSERT_NE(it, table().end()) << name << " has no gradient-check cases";
  Rng rng(seed_of(name));
  const double view_rtol = it->second.view_rtol;
  for (const Case& c : it->second.make(rng)) {
    const std::string label = name + " [" + c.name + "]";
    const gc::Fn f = gc::op_fn(*op, c.attrs);
    gc::TapeResult ref;
    EXPECT_TRUE(gc::check_gradient(label, f, c.inputs, c.opt, &ref));
    if (ref.outputs.empty()) continue;  // the taped run failed (reported above)
    if (c.views && has_float_view_candidate(c.inputs)) {
      EXPECT_TRUE(gc::check_same_as(label + " non-contiguous", f, gc::with_noncontiguous_inputs(c.inputs), c.opt,
                                    ref, view_rtol));
    }
    EXPECT_TRUE(gc::check_each_source_alone(label, f, c.inputs, c.opt, ref, view_rtol));
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, OpGradient, ::testing::ValuesIn(differentiable_ops()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// ---- second order -----------------------------------------------------------------------

class OpSecondOrder : public ::testing::TestWithParam<std::string> {};

TEST_P(OpSecondOrder, MatchesFiniteDifferencesOfTheGradient) {
  const std::string& name = GetParam();
  const nb::OpDef* op = nb::find_op(name);
  ASSERT_NE(op, nullptr);
  ASSERT_NE(op->gradient, nullptr) << name << " has no gradient function";
  Rng rng(seed_of(name));
  for (const Case& c : table().at(name).make(rng)) {
    if (!c.second_order) continue;
    EXPECT_TRUE(gc::check_second_order(name + " [" + c.name + "]", gc::op_fn(*op, c.attrs), c.inputs, c.opt));
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, OpSecondOrder, ::testing::ValuesIn(ops_with_cases()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// ---- TensorFlow's rules at ties and kinks (hand-computed) -----------------------------------

// Gradients of op(inputs) with upstream gradient `g` for every watched float input.
TensorList grads_of(const std::string& op_name, const TensorList& inputs, const Tensor& g, const Attrs& attrs = {}) {
  const nb::OpDef* op = nb::find_op(op_name);
  if (!op) throw nb::NotFound("no op " + op_name);
  nb::GradientTape tape;
  std::vector<nb::GradientSource> srcs;
  std::vector<size_t> idx;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (nb::is_floating(inputs[i].dtype())) {
      tape.watch(inputs[i]);
      srcs.emplace_back(inputs[i]);
      idx.push_back(i);
    }
  const Tensor y = nb::call_op1(*op, nb::Inputs(inputs.data(), inputs.size()), attrs);
  const std::vector<Tensor> gs = tape.gradient(std::vector<Tensor>{y}, srcs,
                                               nb::GradientOptions{.output_gradients = {g}});
  TensorList out(inputs.size());
  for (size_t j = 0; j < idx.size(); ++j) out[idx[j]] = gs[j];
  return out;
}

void expect_values(const Tensor& t, const std::vector<double>& expected, const std::string& what) {
  ASSERT_TRUE(t.defined()) << what << ": no gradient";
  const std::vector<double> v = t.to_vector<double>();
  ASSERT_EQ(v.size(), expected.size()) << what;
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], expected[i], 1e-12) << what << " element " << i;
}

TEST(GradientTieRules, MaximumGivesTiesToX) {
  const Tensor x = f64({1, 2, 3, 4}, {4}), y = f64({1, 5, 3, 0}, {4}), g = f64({0.5, 2, 3, -1}, {4});
  const TensorList gr = grads_of("Maximum", {x, y}, g);
  expect_values(gr[0], {0.5, 0, 3, -1}, "Maximum dx (greater_equal mask)");
  expect_values(gr[1], {0, 2, 0, 0}, "Maximum dy");
}

TEST(GradientTieRules, MinimumGivesTiesToX) {
  const Tensor x = f64({1, 2, 3, 4}, {4}), y = f64({1, 5, 3, 0}, {4}), g = f64({0.5, 2, 3, -1}, {4});
  const TensorList gr = grads_of("Minimum", {x, y}, g);
  expect_values(gr[0], {0.5, 2, 3, 0}, "Minimum dx (less_equal mask)");
  expect_values(gr[1], {0, 0, 0, -1}, "Minimum dy");
}

TEST(GradientTieRules, MaximumBroadcastTie) {
  // x[2,1] vs y[3]: ties at (0,1) and (1,2); dx sums over the broadcast axis.
  const Tensor x = f64({2, 3}, {2, 1}), y = f64({1, 2, 3}, {3}), g = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const TensorList gr = grads_of("Maximum", {x, y}, g);
  expect_values(gr[0], {1 + 2, 4 + 5 + 6}, "Maximum dx");
  expect_values(gr[1], {0, 0, 3}, "Maximum dy");
}

TEST(GradientTieRules, ReduceMaxSplitsEvenlyAmongTies) {
  const Tensor x = f64({1, 3, 3, 2, 2, 2}, {2, 3}), g = f64({6, 9}, {2});
  const TensorList gr = grads_of("ReduceMax", {x}, g, Attrs{{"axes", Ints{1}}, {"keepdims", false}});
  expect_values(gr[0], {0, 3, 3, 3, 3, 3}, "ReduceMax dx");
  const TensorList all = grads_of("ReduceMax", {x}, f64({12}, {}), Attrs{{"axes", Ints{}}, {"keepdims", false}});
  expect_values(all[0], {0, 6, 6, 0, 0, 0}, "ReduceMax (all axes) dx");
}

TEST(GradientTieRules, ReduceMinSplitsEvenlyAmongTies) {
  const Tensor x = f64({1, 3, 1, 2, 2, 2}, {2, 3}), g = f64({6, 9}, {2, 1});
  const TensorList gr = grads_of("ReduceMin", {x}, g, Attrs{{"axes", Ints{1}}, {"keepdims", true}});
  expect_values(gr[0], {3, 0, 3, 3, 3, 3}, "ReduceMin dx");
}

TEST(GradientTieRules, ReluAndAbsAtZero) {
  const Tensor x = f64({-1, 0, 2}, {3}), g = f64({5, 7, 11}, {3});
  expect_values(grads_of("Relu", {x}, g)[0], {0, 0, 11}, "Relu dx");
  expect_values(grads_of("Abs", {x}, g)[0], {-5, 0, 11}, "Abs dx");
}

TEST(GradientTieRules, ClipByValueAtTheBounds) {
  // x == lo and x == hi count as inside (TF: masks x < lo and x > hi).
  const Tensor x = f64({-1, -0.5, 0, 0.5, 1}, {5}), lo = f64({-0.5}, {}), hi = f64({0.5}, {});
  const Tensor g = f64({1, 2, 3, 4, 5}, {5});
  const TensorList gr = grads_of("ClipByValue", {x, lo, hi}, g);
  expect_values(gr[0], {0, 2, 3, 4, 0}, "ClipByValue dx");
  expect_values(gr[1], {1}, "ClipByValue dlo");
  expect_values(gr[2], {5}, "ClipByValue dhi");
}

TEST(GradientTieRules, PowAtNonPositiveBase) {
  // d/dy x^y = x^y log(x) where x > 0, else 0 (TF); d/dx = y x^(y-1).
  const Tensor x = f64({-2, 0, 2}, {3}), y = f64({2, 2, 3}, {3}), g = f64({1, 1, 1}, {3});
  const TensorList gr = grads_of("Pow", {x, y}, g);
  expect_values(gr[0], {-4, 0, 12}, "Pow dx");
  expect_values(gr[1], {0, 0, 8 * std::log(2.0)}, "Pow dy");
}

TEST(GradientTieRules, CastToIntegerHasNoGradient) {
  const Tensor x = f64({1.5, -2}, {2});
  nb::GradientTape tape;
  tape.watch(x);
  const Tensor y = nb::cast(x, DType::int32);
  EXPECT_FALSE(tape.gradient(y, x).defined());
}

// ---- compositions -----------------------------------------------------------------------

TEST(GradientComposite, Moments) {
  Rng rng(11);
  const Tensor x = U(-2, 2)(rng, {2, 3, 4});
  for (bool keep : {false, true}) {
    const gc::Fn f = [keep](const TensorList& in) {
      const nb::Moments m = nb::moments(in[0], {0, 2}, keep);
      return TensorList{m.mean, m.variance};
    };
    EXPECT_TRUE(gc::check_gradient(std::string("moments axes=[0,2]") + (keep ? " keepdims" : ""), f, {x}));
  }
  const gc::Fn all = [](const TensorList& in) {
    const nb::Moments m = nb::moments(in[0], {});
    return TensorList{m.mean, m.variance};
  };
  EXPECT_TRUE(gc::check_gradient("moments all axes", all, {x}));
  EXPECT_TRUE(gc::check_second_order("moments all axes", all, {x}));
}

TEST(GradientComposite, Tensordot) {
  Rng rng(12);
  const Tensor a = U(-1, 1)(rng, {2, 3, 4}), b = U(-1, 1)(rng, {4, 3, 5});
  EXPECT_TRUE(gc::check_gradient(
      "tensordot axes=1", [](const TensorList& in) { return TensorList{nb::tensordot(in[0], in[1], 1)}; },
      {a, b}));
  EXPECT_TRUE(gc::check_gradient("tensordot axes=([1,2],[1,0])",
                                 [](const TensorList& in) {
                                   return TensorList{nb::tensordot(in[0], in[1], {1, 2}, {1, 0})};
                                 },
                                 {a, b}));
  const Tensor c = U(-1, 1)(rng, {3}), d = U(-1, 1)(rng, {2});
  EXPECT_TRUE(gc::check_gradient(
      "tensordot axes=0 (outer)", [](const TensorList& in) { return TensorList{nb::tensordot(in[0], in[1], 0)}; },
      {c, d}));
}

TEST(GradientComposite, CustomGradientCorrectBackward) {
  // log(1 + e^x) with the stable backward dy * (1 - 1 / (1 + e^x)).
  auto log1pexp = nb::custom_gradient([](const Tensor& x) {
    const Tensor e = nb::exp(x);
    return nb::CustomGradientResult1{nb::log(1.0 + e), [e](const Tensor& dy) { return dy * (1.0 - 1.0 / (1.0 + e)); }};
  });
  Rng rng(13);
  EXPECT_TRUE(gc::check_gradient("custom log1pexp", [&](const TensorList& in) { return TensorList{log1pexp(in[0])}; },
                                 {U(-3, 3)(rng, {2, 3})}));
}

TEST(GradientComposite, CustomGradientUsesTheUsersBackward) {
  // Forward x^2, backward deliberately 7 * dy: the tape must use the latter.
  int calls = 0;
  auto f = nb::custom_gradient([&calls](const Tensor& x) {
    return nb::CustomGradientResult1{x * x, [&calls](const Tensor& dy) {
                                       ++calls;
                                       return dy * 7.0;
                                     }};
  });
  const Tensor x = f64({1, -2, 3}, {3}), g = f64({1, 2, -1}, {3});
  nb::GradientTape tape;
  tape.watch(x);
  const Tensor y = f(x);
  expect_values(y, {1, 4, 9}, "forward");
  const std::vector<Tensor> dx = tape.gradient(std::vector<Tensor>{y}, {nb::GradientSource(x)},
                                               nb::GradientOptions{.output_gradients = {g}});
  expect_values(dx[0], {7, 14, -7}, "custom gradient dx");
  EXPECT_EQ(calls, 1);
}

TEST(GradientComposite, StopGradient) {
  const Tensor x = f64({1, -2, 3}, {3});
  {
    nb::GradientTape tape;
    tape.watch(x);
    const Tensor y = nb::stop_gradient(x);
    EXPECT_FALSE(tape.gradient(y, x).defined()) << "stop_gradient: expected an undefined gradient";
  }
  {
    nb::GradientTape tape;
    tape.watch(x);
    const Tensor y = nb::stop_gradient(x);
    nb::GradientOptions zero;
    zero.unconnected_gradients = nb::UnconnectedGradients::Zero;
    const Tensor z = tape.gradient(y, x, zero);
    ASSERT_TRUE(z.defined());
    EXPECT_EQ(z.shape(), x.shape());
    expect_values(z, {0, 0, 0}, "stop_gradient with UnconnectedGradients::Zero");
  }
  {
    // x * stop_gradient(x): d/dx = stop_gradient(x) = x, not 2x.
    nb::GradientTape tape;
    tape.watch(x);
    const Tensor y = x * nb::stop_gradient(x);
    expect_values(tape.gradient(y, x), {1, -2, 3}, "d(x * stop_gradient(x))/dx");
  }
}

// The checker itself: a wrong gradient is caught, and views keep their values.
TEST(GradientCheckHarness, DetectsAWrongGradient) {
  auto wrong = nb::custom_gradient([](const Tensor& x) {
    return nb::CustomGradientResult1{nb::sin(x), [x](const Tensor& dy) { return dy * nb::cos(x) * 1.001; }};
  });
  const Tensor x = f64({0.1, 0.7}, {2});
  EXPECT_FALSE(gc::check_gradient("wrong", [&](const TensorList& in) { return TensorList{wrong(in[0])}; }, {x}));
}

TEST(GradientCheckHarness, DetectsAWrongSecondOrderGradient) {
  // Correct first derivative, but its dependence on x is hidden from the tape.
  auto opaque = nb::custom_gradient([](const Tensor& x) {
    return nb::CustomGradientResult1{nb::sin(x),
                                     [x](const Tensor& dy) { return dy * nb::stop_gradient(nb::cos(x)); }};
  });
  const Tensor x = f64({0.1, 0.7}, {2});
  const gc::Fn f = [&](const TensorList& in) { return TensorList{opaque(in[0])}; };
  EXPECT_TRUE(gc::check_gradient("opaque", f, {x}));
  EXPECT_FALSE(gc::check_second_order("opaque", f, {x}));
}

TEST(GradientCheckHarness, NoncontiguousCopiesKeepValues) {
  Rng rng(14);
  for (const Shape& s : {Shape{5}, Shape{2, 3}, Shape{2, 3, 4}, Shape{}}) {
    const Tensor x = U(-1, 1)(rng, s);
    const Tensor v = gc::noncontiguous_copy(x);
    EXPECT_EQ(v.shape(), x.shape());
    if (s.rank() >= 1) {
      EXPECT_FALSE(v.is_contiguous()) << s.str();
    }
    EXPECT_EQ(v.to_vector<double>(), x.to_vector<double>()) << s.str();
  }
}

}  // namespace

// ---- CUDA kernels against the CPU kernels ---------------------------------------------
// Every op of the table that has a CUDA kernel runs each case on GPU:0 and on
// the CPU, in every floating dtype the CUDA kernel takes. Skipped, with the
// reason, on machines without a GPU (CI) and in builds without the CUDA back end.

std::vector<std::string> ops_with_cuda_kernels() {
  std::vector<std::string> v;
  if (!nb::cuda::is_built()) return v;  // (also loads the back end, which registers the kernels)
  for (const auto& [name, e] : table()) {
    const nb::OpDef* op = nb::find_op(name);
    if (op && !op->kernel_dtypes(nb::DeviceType::CUDA).empty()) v.push_back(name);
  }
  return v;
}

class OpCudaParity : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpCudaParity);

TEST_P(OpCudaParity, MatchesTheCpuKernel) {
  if (nb::cuda::device_count() == 0) GTEST_SKIP() << "no CUDA GPU: " << nb::cuda::unavailable_reason();
  const std::string& name = GetParam();
  const nb::OpDef* op = nb::find_op(name);
  Rng rng(seed_of(name));
  for (const Case& c : table().at(name).make(rng)) {
    for (DType dt : op->kernel_dtypes(nb::DeviceType::CUDA)) {
      if (!nb::is_floating(dt)) continue;
      TensorList cpu_in, gpu_in;
      for (const Tensor& x : c.inputs) {
        const Tensor xi = nb::is_floating(x.dtype()) ? x.cast(dt) : x;
        cpu_in.push_back(xi);
        gpu_in.push_back(xi.to(nb::Device::cuda(0)));
      }
      const std::string label = name + " [" + c.name + "] " + std::string(nb::dtype_name(dt));
      TensorList want, got;
      try {
        want = nb::call_op(*op, cpu_in, c.attrs);
      } catch (const nb::Error&) {
        continue;  // the CPU has no kernel for this dtype: nothing to compare with
      }
      ASSERT_NO_THROW(got = nb::call_op(*op, gpu_in, c.attrs)) << label;
      ASSERT_EQ(got.size(), want.size()) << label;
      const double tol = dt == DType::float64 ? 1e-12 : dt == DType::float32 ? 2e-6 : 1e-2;
      for (size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(got[k].device(), nb::Device::cuda(0)) << label;
        ASSERT_EQ(got[k].shape(), want[k].shape()) << label;
        const std::vector<double> g = got[k].to_vector<double>(), w = want[k].to_vector<double>();
        for (size_t i = 0; i < g.size(); ++i) {
          const bool ok = (std::isnan(g[i]) && std::isnan(w[i])) || std::abs(g[i] - w[i]) <= tol * (1 + std::abs(w[i]));
          if (!ok) {
            ADD_FAILURE() << label << " output " << k << " element " << i << ": GPU " << g[i] << ", CPU " << w[i];
            break;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, OpCudaParity, ::testing::ValuesIn(ops_with_cuda_kernels()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
