// Tensor printing in TensorFlow's style, which is NumPy's array2string with
// its defaults: precision 8 with the shortest round-trip digits ("maxprec"),
// scientific notation when values span more than 1e3 or fall outside
// [1e-4, 1e8), 75-character lines, and summaries ("...") with 3 edge items per
// axis above 1000 elements.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"
#include "nabla/core/variable.h"
#include "nabla/ops/cast.h"

namespace nabla {
namespace {

constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr size_t kLineWidth = 75;
constexpr int kPrecision = 8;

// Shortest decimal digits and exponent that round-trip `v` in its own type:
// v = 0.d1d2d3... * 10^exp10 with digits = "d1d2d3...".
struct Decimal {
  std::string digits;
  int exp10 = 0;  // position of the decimal point relative to digits[0]
};

template <typename T> bool round_trips(double candidate, T original) {
  return T(float(candidate)) == original || double(T(candidate)) == double(original);
}

Decimal shortest(double v, DType dt) {
  char buf[64];
  std::to_chars_result r;
  if (dt == DType::float64) {
    r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  } else if (dt == DType::float32) {
    r = std::to_chars(buf, buf + sizeof(buf), float(v), std::chars_format::scientific);
  } else {
    // float16/bfloat16: fewest significant digits that map back to the same value.
    int prec = 0;
    for (prec = 0; prec < 9; ++prec) {
      std::snprintf(buf, sizeof(buf), "%.*e", prec, v);
      const double back = std::strtod(buf, nullptr);
      const bool same = dt == DType::float16 ? float(float16_t(float(back))) == float(v)
                                             : float(bfloat16_t(float(back))) == float(v);
      if (same) break;
    }
    std::snprintf(buf, sizeof(buf), "%.*e", prec, v);
    r.ptr = buf + std::strlen(buf);
  }
  std::string s(buf, r.ptr);
  // s = "-d.ddde+XX"
  if (!s.empty() && s[0] == '-') s.erase(0, 1);
  const size_t e = s.find('e');
  std::string mant = s.substr(0, e);
  const int exp = std::stoi(s.substr(e + 1));
  mant.erase(std::remove(mant.begin(), mant.end(), '.'), mant.end());
  while (mant.size() > 1 && mant.back() == '0') mant.pop_back();
  return {mant, exp + 1};
}

// Rounds the decimal to at most `frac` digits after the point (half-even on
// the digit string, as Dragon4 does with exact input).
Decimal round_fraction(Decimal d, int frac) {
  const int keep = d.exp10 + frac;  // number of digits to keep
  if (keep >= int(d.digits.size())) return d;
  if (keep < 0) return {"0", 1};
  std::string kept = d.digits.substr(0, size_t(keep));
  const char next = d.digits[size_t(keep)];
  const bool rest_nonzero = d.digits.find_first_not_of('0', size_t(keep) + 1) != std::string::npos;
  bool up = next > '5' || (next == '5' && (rest_nonzero || (!kept.empty() && (kept.back() - '0') % 2 == 1)));
  if (next == '5' && !rest_nonzero && kept.empty()) up = false;
  if (up) {
    int i = int(kept.size()) - 1;
    while (i >= 0 && kept[size_t(i)] == '9') { kept[size_t(i)] = '0'; --i; }
    if (i < 0) { kept.insert(kept.begin(), '1'); ++d.exp10; }
    else ++kept[size_t(i)];
  }
  while (kept.size() > 1 && kept.back() == '0') kept.pop_back();
  if (kept.empty()) kept = "0";
  if (kept == "0") d.exp10 = 1;
  d.digits = kept;
  return d;
}

struct FloatParts {
  std::string int_part;   // with sign
  std::string frac_part;  // digits after '.'
  std::string exp_part;   // "e+05" in scientific mode
  bool special = false;   // nan/inf: printed whole in int_part
};

class FloatFormatter {
 public:
  FloatFormatter(const std::vector<double>& vals, DType dt) : dt_(dt) {
    double max_abs = 0, min_abs = INFINITY;
    bool any = false;
    for (double v : vals) {
      if (!std::isfinite(v)) continue;
      const double a = std::fabs(v);
      max_abs = std::max(max_abs, a);
      if (a != 0) min_abs = std::min(min_abs, a);
      any = true;
    }
    if (any) {
      if (min_abs == INFINITY) min_abs = 0;
      exp_mode_ = max_abs >= 1e8 || (min_abs != 0 && min_abs < 1e-4) ||
                  (min_abs != 0 && max_abs / min_abs > 1e3);
    }
    size_t special_len = 0;
    for (double v : vals) {
      FloatParts p = parts(v);
      if (p.special) {
        special_len = std::max(special_len, p.int_part.size());
        continue;
      }
      pad_left_ = std::max(pad_left_, p.int_part.size());
      pad_right_ = std::max(pad_right_, p.frac_part.size());
      if (exp_mode_) exp_size_ = std::max(exp_size_, p.exp_part.size());
    }
    // nan/inf widen the integer field only as far as the fraction cannot hold them.
    const size_t offset = pad_right_ + 1 + exp_size_;
    if (special_len > offset) pad_left_ = std::max(pad_left_, special_len - offset);
  }

  std::string format(double v) const {
    FloatParts p = parts(v);
    std::string out;
    if (p.special) {
      // nan/inf are right-aligned over the whole field.
      const size_t width = pad_left_ + 1 + pad_right_ + exp_size_;
      out = std::string(width > p.int_part.size() ? width - p.int_part.size() : 0, ' ') + p.int_part;
      return out;
    }
    out = std::string(pad_left_ - p.int_part.size(), ' ') + p.int_part + ".";
    if (exp_mode_) {
      out += p.frac_part + std::string(pad_right_ - p.frac_part.size(), '0') + p.exp_part;
    } else {
      out += p.frac_part + std::string(pad_right_ - p.frac_part.size(), ' ');
    }
    return out;
  }

 private:
  FloatParts parts(double v) const {
    FloatParts p;
    if (std::isnan(v)) { p.special = true; p.int_part = "nan"; return p; }
    if (std::isinf(v)) { p.special = true; p.int_part = v < 0 ? "-inf" : "inf"; return p; }
    const bool neg = std::signbit(v);
    Decimal d = v == 0 ? Decimal{"0", 1} : shortest(v, dt_);
    if (exp_mode_) {
      // One digit before the point, at most kPrecision after.
      int e = d.exp10 - 1;
      Decimal m{d.digits, 1};
      m = round_fraction(m, kPrecision);
      if (m.exp10 == 2) { ++e; m.exp10 = 1; }  // rounding carried (9.99.. -> 10)
      if (v == 0) e = 0;
      p.int_part = (neg ? "-" : "") + m.digits.substr(0, 1);
      p.frac_part = m.digits.size() > 1 ? m.digits.substr(1) : "";
      char eb[16];
      std::snprintf(eb, sizeof(eb), "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
      p.exp_part = eb;
      return p;
    }
    d = round_fraction(d, kPrecision);
    if (d.exp10 <= 0) {
      p.int_part = "0";
      p.frac_part = std::string(size_t(-d.exp10), '0') + d.digits;
    } else if (d.exp10 >= int(d.digits.size())) {
      p.int_part = d.digits + std::string(size_t(d.exp10) - d.digits.size(), '0');
    } else {
      p.int_part = d.digits.substr(0, size_t(d.exp10));
      p.frac_part = d.digits.substr(size_t(d.exp10));
    }
    if (p.frac_part.find_first_not_of('0') == std::string::npos) p.frac_part.clear();
    if (neg) p.int_part = "-" + p.int_part;
    return p;
  }

  DType dt_;
  bool exp_mode_ = false;
  size_t pad_left_ = 0, pad_right_ = 0, exp_size_ = 0;
};

// A 0-d float prints like a NumPy scalar (Python's repr rules): shortest
// round-trip digits, ".0" for integral values, scientific below 1e-4 or from
// 10^P up, with P = 16 (float64), 7 (float32), 3 (float16/bfloat16).
std::string scalar_float_repr(double v, DType dt) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  const Decimal d = shortest(v, dt);
  const double big = dt == DType::float64 ? 1e16 : dt == DType::float32 ? 1e7 : 1e3;
  const double a = std::fabs(v);
  std::string out = std::signbit(v) ? "-" : "";
  if (a >= 1e-4 && a < big) {
    if (d.exp10 <= 0) out += "0." + std::string(size_t(-d.exp10), '0') + d.digits;
    else if (d.exp10 >= int(d.digits.size())) out += d.digits + std::string(size_t(d.exp10) - d.digits.size(), '0') + ".0";
    else out += d.digits.substr(0, size_t(d.exp10)) + "." + d.digits.substr(size_t(d.exp10));
    return out;
  }
  out += d.digits.substr(0, 1);
  if (d.digits.size() > 1) out += "." + d.digits.substr(1);
  const int e = d.exp10 - 1;
  char eb[16];
  std::snprintf(eb, sizeof(eb), "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
  return out + eb;
}

// Flat indices (row-major) of the elements shown, honouring summarisation.
void shown_indices(const Shape& shape, bool summarise, size_t dim, int64_t base,
                   std::vector<int64_t>& out) {
  if (dim == shape.size()) { out.push_back(base); return; }
  const int64_t n = shape[dim];
  int64_t inner = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  for (int64_t i = 0; i < n; ++i) {
    if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
    shown_indices(shape, summarise, dim + 1, base + i * inner, out);
  }
}

class Printer {
 public:
  Printer(const Tensor& t) : shape_(t.shape()) {
    const Tensor c = t.device().is_cpu() ? t.contiguous() : t.to(Device::cpu());
    summarise_ = t.size() > kThreshold;
    std::vector<int64_t> idx;
    shown_indices(shape_, summarise_, 0, 0, idx);
    const DType dt = t.dtype();
    std::vector<double> vals;
    if (is_floating(dt)) {
      const std::vector<double> all = cast(c, DType::float64).to_vector<double>();
      for (int64_t i : idx) vals.push_back(all[size_t(i)]);
      FloatFormatter f(vals, dt);
      if (shape_.empty()) scalar_ = scalar_float_repr(vals[0], dt);
      for (size_t k = 0; k < idx.size(); ++k) words_[idx[k]] = f.format(vals[k]);
    } else if (dt == DType::bool_) {
      const std::vector<bool> all = c.to_vector<bool>();
      for (int64_t i : idx) words_[i] = all[size_t(i)] ? "True" : "False";
    } else {
      const std::vector<int64_t> all = c.to_vector<int64_t>();
      for (int64_t i : idx) words_[i] = std::to_string(all[size_t(i)]);
    }
    for (auto& [i, w] : words_) width_ = std::max(width_, w.size());
    for (auto& [i, w] : words_) w = std::string(width_ - w.size(), ' ') + w;
  }

  std::string str() {
    if (shape_.empty()) return scalar_.empty() ? words_.begin()->second : scalar_;
    std::string out;
    std::string line;
    format(0, 0, "", out, line, 1);
    out += line;
    return out;
  }

 private:
  // NumPy's _formatArray, simplified: `hanging` is the indent of wrapped lines.
  void format(size_t dim, int64_t base, const std::string& indent, std::string& out, std::string& line,
              size_t trailing) {
    const int64_t n = shape_[dim];
    int64_t inner = 1;
    for (size_t d = dim + 1; d < shape_.size(); ++d) inner *= shape_[d];
    line += "[";
    const std::string next_indent = indent + " ";
    if (dim + 1 == shape_.size()) {
      for (int64_t i = 0; i < n; ++i) {
        std::string word;
        if (summarise_ && n > 2 * kEdgeItems && i == kEdgeItems) {
          word = "...";
          i = n - kEdgeItems - 1;
        } else {
          word = words_.at(base + i);
        }
        const bool last = i == n - 1;
        const std::string sep = line.size() > next_indent.size() && line.back() != '[' ? " " : "";
        const size_t extra = last ? trailing : 0;
        if (line.size() + sep.size() + word.size() + extra > kLineWidth && line.size() > next_indent.size() + 1) {
          out += rstrip(line) + "\n";
          line = next_indent + word;
        } else {
          line += sep + word;
        }
      }
      line += "]";
      return;
    }
    const std::string blank(shape_.size() - dim - 2, '\n');
    for (int64_t i = 0; i < n; ++i) {
      if (summarise_ && n > 2 * kEdgeItems && i == kEdgeItems) {
        out += line;
        line.clear();
        out += "\n" + blank + next_indent + "...";
        i = n - kEdgeItems - 1;
        out += "\n" + blank;
        line = next_indent;
        continue;
      }
      if (i > 0 && !(summarise_ && n > 2 * kEdgeItems && i == n - kEdgeItems)) {
        out += line + "\n" + blank;
        line = next_indent;
      }
      format(dim + 1, base + i * inner, next_indent, out, line, trailing + 1);
    }
    line += "]";
  }

  static std::string rstrip(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  }

  Shape shape_;
  std::string scalar_;  // a 0-d float, formatted as a NumPy scalar
  bool summarise_ = false;
  std::map<int64_t, std::string> words_;
  size_t width_ = 0;
};

}  // namespace

std::string Tensor::values_str() const {
  if (!defined()) return "<undefined>";
  if (size() == 0) return "[]";
  return Printer(*this).str();
}

std::string Tensor::str() const {
  if (!defined()) return "nb.Tensor(<undefined>)";
  std::string v = values_str();
  if (v.find('\n') != std::string::npos) v = "\n" + v;
  return "nb.Tensor(" + v + ", shape=" + shape().tuple_str() + ", dtype=" +
         std::string(dtype_name(dtype())) + ")";
}

}  // namespace nabla
