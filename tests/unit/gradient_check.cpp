// The finite-difference gradient checker (see gradient_check.h).
#include "unit/gradient_check.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

namespace nabla::gradcheck {
namespace {

bool is_source(const CheckOptions& o, const TensorList& inputs, size_t i) {
  if (!o.diff.empty()) return i < o.diff.size() && o.diff[i];
  return is_floating(inputs[i].dtype());
}

std::vector<size_t> source_indices(const CheckOptions& o, const TensorList& inputs) {
  std::vector<size_t> s;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (is_source(o, inputs, i)) s.push_back(i);
  return s;
}

std::vector<size_t> target_indices(const CheckOptions& o, const TensorList& outputs) {
  std::vector<size_t> t;
  if (!o.targets.empty()) {
    for (int k : o.targets) t.push_back(size_t(k));
  } else {
    for (size_t k = 0; k < outputs.size(); ++k)
      if (is_floating(outputs[k].dtype())) t.push_back(k);
  }
  return t;
}

// Random upstream gradients in [-1, 1], one per target, shaped and typed
// like it; deterministic in (seed, target shapes).
struct Seeds {
  std::vector<size_t> targets;
  TensorList tensors;
  std::vector<std::vector<double>> values;  // as stored (after dtype rounding)
};
Seeds make_seeds(const TensorList& outputs, const std::vector<size_t>& targets, uint64_t seed,
                 bool noncontiguous = false) {
  Seeds s;
  s.targets = targets;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (size_t k : targets) {
    const Tensor& o = outputs.at(k);
    std::vector<double> v(size_t(o.size()));
    for (double& x : v) x = u(rng);
    Tensor t = detail::make_from_doubles(v, o.shape(), o.dtype());
    s.values.push_back(t.to_vector<double>());
    s.tensors.push_back(noncontiguous ? noncontiguous_copy(t) : t);
  }
  return s;
}

std::string index_str(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::ostringstream os;
  os << "[";
  for (size_t d = 0; d < idx.size(); ++d) os << (d ? "," : "") << idx[d];
  os << "]";
  return os.str();
}

// One taped run: outputs, one gradient per input (undefined for non-sources).
TapeResult taped(const Fn& f, const TensorList& inputs, const std::vector<size_t>& sources,
                 const CheckOptions& o, Seeds* seeds_out) {
  TapeResult r;
  GradientTape tape;
  for (size_t i : sources) tape.watch(inputs[i]);
  r.outputs = f(inputs);
  Seeds seeds = make_seeds(r.outputs, target_indices(o, r.outputs), o.seed, o.noncontiguous_seeds);
  std::vector<Tensor> targets;
  for (size_t k : seeds.targets) targets.push_back(r.outputs.at(k));
  std::vector<GradientSource> srcs;
  for (size_t i : sources) srcs.emplace_back(inputs[i]);
  std::vector<Tensor> g = tape.gradient(targets, srcs, GradientOptions{.output_gradients = seeds.tensors});
  r.grads.assign(inputs.size(), Tensor());
  for (size_t j = 0; j < sources.size() && j < g.size(); ++j) r.grads[sources[j]] = g[j];
  if (seeds_out) *seeds_out = std::move(seeds);
  return r;
}

// L = sum_k sum(out_k * seed_k), no tape.
double loss(const Fn& f, const TensorList& inputs, const Seeds& seeds) {
  const TensorList outs = f(inputs);
  double l = 0;
  for (size_t t = 0; t < seeds.targets.size(); ++t) {
    const std::vector<double> v = outs.at(seeds.targets[t]).to_vector<double>();
    for (size_t e = 0; e < v.size(); ++e) l += v[e] * seeds.values[t][e];
  }
  return l;
}

// The value `x` takes when stored in `dtype`.
double stored(double x, DType dtype) {
  if (dtype == DType::float64) return x;
  if (dtype == DType::float32) return double(float(x));
  return detail::make_from_doubles({x}, {}, dtype).item<double>();
}

// Central differences of `scalar_fn` with respect to every element of every
// source input; compares with `analytic` (one per input).
::testing::AssertionResult compare_fd(const std::string& label, const TensorList& inputs,
                                      const std::vector<size_t>& sources, const TensorList& analytic,
                                      const CheckOptions& o,
                                      const std::function<double(const TensorList&)>& scalar_fn) {
  std::ostringstream err;
  err.precision(12);
  int failures = 0;
  for (size_t i : sources) {
    const Tensor& x = inputs[i];
    const Tensor& a = analytic.at(i);
    if (!a.defined()) {
      err << "\n  " << label << ": input " << i << ": the tape returned no gradient (undefined)";
      ++failures;
      continue;
    }
    if (a.shape() != x.shape() || a.dtype() != x.dtype()) {
      err << "\n  " << label << ": input " << i << ": gradient has shape " << a.shape().str() << " dtype "
          << dtype_name(a.dtype()) << ", expected shape " << x.shape().str() << " dtype "
          << dtype_name(x.dtype());
      ++failures;
      continue;
    }
    const std::vector<double> av = a.to_vector<double>();
    std::vector<double> v = x.to_vector<double>();
    int bad_here = 0;
    for (size_t j = 0; j < v.size(); ++j) {
      const double x0 = v[j];
      const double xp = stored(x0 + o.eps, x.dtype()), xm = stored(x0 - o.eps, x.dtype());
      TensorList in = inputs;
      v[j] = xp;
      in[i] = detail::make_from_doubles(v, x.shape(), x.dtype());
      const double lp = scalar_fn(in);
      v[j] = xm;
      in[i] = detail::make_from_doubles(v, x.shape(), x.dtype());
      const double lm = scalar_fn(in);
      v[j] = x0;
      const double num = (lp - lm) / (xp - xm);
      const double an = av[j];
      const bool ok = std::abs(an - num) <= o.atol + o.rtol * std::abs(num);  // false for NaN
      if (!ok) {
        ++failures;
        if (++bad_here <= 6)
          err << "\n  " << label << ": input " << i << " element " << j << " "
              << index_str(x.shape(), int64_t(j)) << " (x = " << x0 << "): analytic " << an
              << ", numeric " << num << ", |diff| " << std::abs(an - num);
      }
    }
    if (bad_here > 6) err << "\n  " << label << ": input " << i << ": ... " << bad_here - 6 << " more";
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failures << " mismatch(es):" << err.str();
}

bool close(double x, double y, double rtol) {
  if (x == y || (std::isnan(x) && std::isnan(y))) return true;
  return std::abs(x - y) <= rtol * std::max({1.0, std::abs(x), std::abs(y)});
}

bool same_values(const Tensor& a, const Tensor& b, double rtol) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i)
    if (!close(x[i], y[i], rtol)) return false;
  return true;
}

std::string first_difference(const Tensor& a, const Tensor& b, double rtol) {
  std::ostringstream os;
  os.precision(17);
  if (a.defined() != b.defined()) return a.defined() ? "defined vs undefined" : "undefined vs defined";
  if (a.shape() != b.shape() || a.dtype() != b.dtype())
    return "shape/dtype " + a.shape().str() + " " + std::string(dtype_name(a.dtype())) + " vs " +
           b.shape().str() + " " + std::string(dtype_name(b.dtype()));
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i)
    if (!close(x[i], y[i], rtol)) {
      os << "element " << i << " " << index_str(a.shape(), int64_t(i)) << ": " << x[i] << " vs "
         << y[i];
      return os.str();
    }
  return "?";
}

}  // namespace

Fn op_fn(const OpDef& op, Attrs attrs) {
  const OpDef* p = &op;
  return [p, attrs = std::move(attrs)](const TensorList& in) {
    return call_op(*p, Inputs(in.data(), in.size()), attrs);
  };
}

TapeResult tape_gradients(const Fn& f, const TensorList& inputs, const CheckOptions& options) {
  return taped(f, inputs, source_indices(options, inputs), options, nullptr);
}

::testing::AssertionResult check_gradient(const std::string& label, const Fn& f, const TensorList& inputs,
                                          const CheckOptions& options, TapeResult* result) {
  const std::vector<size_t> sources = source_indices(options, inputs);
  if (sources.empty()) return ::testing::AssertionFailure() << label << ": no differentiated input";
  Seeds seeds;
  TapeResult r;
  try {
    r = taped(f, inputs, sources, options, &seeds);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << label << ": taped run threw: " << e.what();
  }
  if (seeds.targets.empty()) return ::testing::AssertionFailure() << label << ": no floating-point output";
  if (result) *result = r;
  try {
    return compare_fd(label, inputs, sources, r.grads, options,
                      [&](const TensorList& in) { return loss(f, in, seeds); });
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << label << ": finite differences threw: " << e.what();
  }
}

::testing::AssertionResult check_same_as(const std::string& label, const Fn& f, const TensorList& inputs,
                                         const CheckOptions& options, const TapeResult& reference,
                                         double rtol) {
  TapeResult r;
  CheckOptions o = options;
  o.noncontiguous_seeds = true;
  try {
    r = taped(f, inputs, source_indices(o, inputs), o, nullptr);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << label << ": taped run threw: " << e.what();
  }
  std::ostringstream err;
  bool ok = r.outputs.size() == reference.outputs.size();
  if (!ok) err << "\n  " << label << ": " << r.outputs.size() << " outputs vs " << reference.outputs.size();
  for (size_t k = 0; ok && k < r.outputs.size(); ++k)
    if (!same_values(r.outputs[k], reference.outputs[k], rtol)) {
      ok = false;
      err << "\n  " << label << ": output " << k << " differs: "
          << first_difference(r.outputs[k], reference.outputs[k], rtol);
    }
  for (size_t i = 0; i < r.grads.size(); ++i)
    if (!same_values(r.grads[i], reference.grads.at(i), rtol)) {
      ok = false;
      err << "\n  " << label << ": gradient of input " << i << " differs: "
          << first_difference(r.grads[i], reference.grads[i], rtol);
    }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "non-contiguous inputs give other results (first value: "
                                       << "non-contiguous, second: contiguous):" << err.str();
}

::testing::AssertionResult check_each_source_alone(const std::string& label, const Fn& f,
                                                   const TensorList& inputs, const CheckOptions& options,
                                                   const TapeResult& reference, double rtol) {
  const std::vector<size_t> sources = source_indices(options, inputs);
  if (sources.size() < 2) return ::testing::AssertionSuccess();
  std::ostringstream err;
  bool ok = true;
  for (size_t i : sources) {
    CheckOptions one = options;
    one.diff.assign(inputs.size(), false);
    one.diff[i] = true;
    try {
      const TapeResult r = taped(f, inputs, {i}, one, nullptr);
      if (!same_values(r.grads[i], reference.grads.at(i), rtol)) {
        ok = false;
        err << "\n  " << label << ": gradient of input " << i << " taken alone differs: "
            << first_difference(r.grads[i], reference.grads[i], rtol) << " (all sources)";
      }
    } catch (const std::exception& e) {
      ok = false;
      err << "\n  " << label << ": gradient of input " << i << " taken alone threw: " << e.what();
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "single-source gradients differ:" << err.str();
}

::testing::AssertionResult check_second_order(const std::string& label, const Fn& f, const TensorList& inputs,
                                              const CheckOptions& options) {
  const std::vector<size_t> sources = source_indices(options, inputs);
  if (sources.empty()) return ::testing::AssertionFailure() << label << ": no differentiated input";
  std::vector<GradientSource> srcs;
  for (size_t i : sources) srcs.emplace_back(inputs[i]);
  // Second-order seeds h_i, one per source, shaped like it.
  TensorList src_tensors;
  for (size_t i : sources) src_tensors.push_back(inputs[i]);
  std::vector<size_t> all(sources.size());
  for (size_t j = 0; j < all.size(); ++j) all[j] = j;
  const Seeds h = make_seeds(src_tensors, all, options.seed + 1);

  TensorList hess(inputs.size());
  try {
    GradientTape outer;
    for (size_t i : sources) outer.watch(inputs[i]);
    std::vector<Tensor> g;
    {
      GradientTape inner;
      for (size_t i : sources) inner.watch(inputs[i]);
      const TensorList outs = f(inputs);
      const Seeds seeds = make_seeds(outs, target_indices(options, outs), options.seed);
      std::vector<Tensor> targets;
      for (size_t k : seeds.targets) targets.push_back(outs.at(k));
      g = inner.gradient(targets, srcs, GradientOptions{.output_gradients = seeds.tensors});
    }
    std::vector<Tensor> targets2, seeds2;
    for (size_t j = 0; j < g.size(); ++j)
      if (g[j].defined()) {
        targets2.push_back(g[j]);
        seeds2.push_back(h.tensors[j]);
      }
    if (targets2.empty())
      return ::testing::AssertionFailure() << label << ": no first-order gradient is defined";
    const std::vector<Tensor> hh =
        outer.gradient(targets2, srcs,
                       GradientOptions{.output_gradients = seeds2,
                                       .unconnected_gradients = UnconnectedGradients::Zero});
    for (size_t j = 0; j < sources.size() && j < hh.size(); ++j) hess[sources[j]] = hh[j];
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << label << ": second-order taped run threw: " << e.what();
  }
  // L2(x) = sum_j sum(grad_j(x) * h_j), the first-order gradient taken by one tape.
  auto l2 = [&](const TensorList& in) {
    const TapeResult r = taped(f, in, sources, options, nullptr);
    double l = 0;
    for (size_t j = 0; j < sources.size(); ++j) {
      const Tensor& g = r.grads[sources[j]];
      if (!g.defined()) continue;
      const std::vector<double> v = g.to_vector<double>();
      for (size_t e = 0; e < v.size(); ++e) l += v[e] * h.values[j][e];
    }
    return l;
  };
  try {
    return compare_fd(label + " (second order)", inputs, sources, hess, options, l2);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << label << ": second-order finite differences threw: " << e.what();
  }
}

Tensor noncontiguous_copy(const Tensor& t) {
  if (t.rank() == 0) return t;
  const std::vector<double> v = t.to_vector<double>();
  const double nan = std::nan("");
  const Shape& s = t.shape();
  if (t.rank() == 1) {
    const int64_t n = s[0];
    std::vector<double> base(size_t(2 * n + 1), nan);
    for (int64_t k = 0; k < n; ++k) base[size_t(1 + 2 * k)] = v[size_t(k)];
    const Tensor b = detail::make_from_doubles(base, Shape{2 * n + 1}, t.dtype());
    return Tensor::view_of(b, s, Strides{2}, 1);
  }
  // Transposed storage of the last two axes, after one leading NaN.
  const size_t r = s.size();
  const int64_t m = s[r - 2], n = s[r - 1], lead = s.num_elements() / std::max<int64_t>(1, m * n);
  std::vector<double> base(size_t(s.num_elements() + 1), nan);
  for (int64_t l = 0; l < lead; ++l)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        base[size_t(1 + l * m * n + j * m + i)] = v[size_t(l * m * n + i * n + j)];
  const Tensor b = detail::make_from_doubles(base, Shape{s.num_elements() + 1}, t.dtype());
  Strides st = contiguous_strides(s);
  st[r - 2] = 1;
  st[r - 1] = m;
  return Tensor::view_of(b, s, st, 1);
}

TensorList with_noncontiguous_inputs(const TensorList& inputs) {
  TensorList out = inputs;
  for (Tensor& t : out)
    if (is_floating(t.dtype()) && t.rank() >= 1) t = noncontiguous_copy(t);
  return out;
}

}  // namespace nabla::gradcheck
