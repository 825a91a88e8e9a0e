// Conformance against TensorFlow: every case in tests/data/tf_reference.json
// (written by tests/tools/gen_tf_reference.py) runs the nabla op named by the
// case on the stored inputs and compares shape, dtype and values with
// TensorFlow's result. Integers and bools must match exactly; floats within the
// case's tolerance (|got - want| <= atol + rtol * |want|; NaN matches NaN,
// infinities must be equal). Each case runs twice: with contiguous inputs and
// with the same values as strided views. A case whose op has no entry in the
// table in ops() fails, so no case is left unchecked.
//
// Regenerate the data with tests/tools/gen_tf_reference.py (needs TensorFlow;
// these tests do not).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nlohmann/json.hpp>

#include "conformance/tf_json.h"

namespace nb = nabla;
using json = nlohmann::json;

namespace {

using namespace tf_json;  // NOLINT: shared decoding helpers

// ----------------------------------------------------------------------------- data file

// The file is read once per process, but parsed lazily: every test process
// (CTest runs one per case) parses only its own case. The generator writes one
// case per line, starting with {"name":...}; any other layout falls back to a
// full parse.
struct Data {
  std::string text;
  std::string error;  // non-empty when the file could not be read
  struct Entry {
    std::string name;
    size_t begin = 0, end = 0;  // the case's JSON text in `text`
  };
  std::vector<Entry> entries;
  json full;  // filled only by the fallback
};

const std::string kDataPath = std::string(NABLA_TEST_DATA_DIR) + "/tf_reference.json";

const Data& data() {
  static const Data d = [] {
    Data r;
    std::ifstream in(kDataPath, std::ios::binary);
    if (!in) {
      r.error = "cannot open " + kDataPath;
      return r;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    r.text = ss.str();
    const std::string head = "{\"name\":\"";
    for (size_t pos = 0; pos < r.text.size();) {
      size_t eol = r.text.find('\n', pos);
      if (eol == std::string::npos) eol = r.text.size();
      if (r.text.compare(pos, head.size(), head) == 0) {
        const size_t name_end = r.text.find('"', pos + head.size());
        size_t e = eol;
        while (e > pos && (r.text[e - 1] == ',' || r.text[e - 1] == '\r')) --e;
        if (name_end < e) r.entries.push_back({r.text.substr(pos + head.size(), name_end - pos - head.size()), pos, e});
      }
      pos = eol + 1;
    }
    if (r.entries.empty()) {  // not the generator's layout: parse everything
      try {
        r.full = json::parse(r.text);
        for (size_t i = 0; i < r.full.at("cases").size(); ++i)
          r.entries.push_back({r.full["cases"][i].value("name", "case_" + std::to_string(i)), i, i});
      } catch (const std::exception& e) {
        r.error = kDataPath + ": " + e.what();
      }
    }
    return r;
  }();
  return d;
}

json case_json(size_t index) {
  const Data& d = data();
  const Data::Entry& e = d.entries.at(index);
  if (!d.full.is_null()) return d.full["cases"][e.begin];
  return json::parse(d.text.substr(e.begin, e.end - e.begin));
}

struct Case {
  std::string name;
  size_t index = 0;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> all_cases() {
  const Data& d = data();
  if (!d.error.empty() || d.entries.empty()) return {Case{"DataFileMissing", size_t(-1)}};
  std::vector<Case> out;
  for (size_t i = 0; i < d.entries.size(); ++i) {
    std::string name = d.entries[i].name;
    for (char& ch : name)
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    out.push_back({name, i});
  }
  return out;
}

const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      // Unary math.
      NB_UNARY(exp), NB_UNARY(log), NB_UNARY(log1p), NB_UNARY(expm1), NB_UNARY(sqrt),
      NB_UNARY(rsqrt), NB_UNARY(sin), NB_UNARY(cos), NB_UNARY(tan), NB_UNARY(tanh),
      NB_UNARY(sigmoid), NB_UNARY(erf), NB_UNARY(abs), NB_UNARY(sign), NB_UNARY(square),
      NB_UNARY(negative), NB_UNARY(relu), NB_UNARY(round), NB_UNARY(floor), NB_UNARY(ceil),
      NB_UNARY(logical_not),
      // Binary math, comparisons, logic.
      NB_BINARY(add), NB_BINARY(subtract), NB_BINARY(multiply), NB_BINARY(divide),
      NB_BINARY(floordiv), NB_BINARY(mod), NB_BINARY(pow), NB_BINARY(minimum),
      NB_BINARY(maximum), NB_BINARY(equal), NB_BINARY(not_equal), NB_BINARY(less),
      NB_BINARY(less_equal), NB_BINARY(greater), NB_BINARY(greater_equal),
      NB_BINARY(logical_and), NB_BINARY(logical_or), NB_BINARY(logical_xor),
      // Reductions.
      NB_REDUCE(reduce_sum), NB_REDUCE(reduce_mean), NB_REDUCE(reduce_max),
      NB_REDUCE(reduce_min), NB_REDUCE(reduce_prod), NB_REDUCE(reduce_any),
      NB_REDUCE(reduce_all), NB_REDUCE(reduce_logsumexp),
      {"argmax", [](const Tensors& in, const json& a) {
         return Tensors{nb::argmax(in.at(0), a.at("axis").get<int64_t>())};
       }},
      {"argmin", [](const Tensors& in, const json& a) {
         return Tensors{nb::argmin(in.at(0), a.at("axis").get<int64_t>())};
       }},
      {"cumsum", [](const Tensors& in, const json& a) {
         return Tensors{nb::cumsum(in.at(0), a.at("axis").get<int64_t>(),
                                   a.at("exclusive").get<bool>(), a.at("reverse").get<bool>())};
       }},
      {"moments", [](const Tensors& in, const json& a) {
         nb::Moments m = nb::moments(in.at(0), axes_of(a.at("axes")), a.at("keepdims").get<bool>());
         return Tensors{m.mean, m.variance};
       }},
      {"softmax", [](const Tensors& in, const json& a) {
         return Tensors{nb::softmax(in.at(0), a.at("axis").get<int64_t>())};
       }},
      {"log_softmax", [](const Tensors& in, const json& a) {
         return Tensors{nb::log_softmax(in.at(0), a.at("axis").get<int64_t>())};
       }},
      // Shape ops.
      {"reshape", [](const Tensors& in, const json& a) {
         return Tensors{nb::reshape(in.at(0), json_shape(a.at("shape")))};
       }},
      {"transpose", [](const Tensors& in, const json& a) {
         return Tensors{nb::transpose(in.at(0), axes_of(a.at("perm")))};
       }},
      {"expand_dims", [](const Tensors& in, const json& a) {
         return Tensors{nb::expand_dims(in.at(0), a.at("axis").get<int64_t>())};
       }},
      {"squeeze", [](const Tensors& in, const json& a) {
         return Tensors{nb::squeeze(in.at(0), axes_of(a.at("axis")))};
       }},
      {"concat", [](const Tensors& in, const json& a) {
         return Tensors{nb::concat(in, a.at("axis").get<int64_t>())};
       }},
      {"stack", [](const Tensors& in, const json& a) {
         return Tensors{nb::stack(in, a.at("axis").get<int64_t>())};
       }},
      {"split", [](const Tensors& in, const json& a) {
         const json& s = a.at("num_or_size_splits");
         const int64_t axis = a.at("axis").get<int64_t>();
         return s.is_number_integer() ? nb::split(in.at(0), s.get<int64_t>(), axis)
                                      : nb::split(in.at(0), ivec(s), axis);
       }},
      {"tile", [](const Tensors& in, const json& a) {
         return Tensors{nb::tile(in.at(0), ivec(a.at("multiples")))};
       }},
      {"pad", [](const Tensors& in, const json& a) {
         std::vector<std::pair<int64_t, int64_t>> pads;
         for (const auto& p : a.at("paddings")) pads.emplace_back(p.at(0).get<int64_t>(), p.at(1).get<int64_t>());
         const std::string mode = a.at("mode").get<std::string>();
         const nb::PadMode m = mode == "REFLECT"     ? nb::PadMode::Reflect
                               : mode == "SYMMETRIC" ? nb::PadMode::Symmetric
                                                     : nb::PadMode::Constant;
         return Tensors{nb::pad(in.at(0), pads, m, json_scalar(a.at("constant_value")))};
       }},
      {"gather", [](const Tensors& in, const json& a) {
         return Tensors{nb::gather(in.at(0), in.at(1), a.at("axis").get<int64_t>(),
                                   a.at("batch_dims").get<int64_t>())};
       }},
      NB_BINARY(gather_nd),
      {"slice", [](const Tensors& in, const json& a) {
         return Tensors{nb::slice(in.at(0), ivec(a.at("begin")), ivec(a.at("size")))};
       }},
      {"strided_slice", [](const Tensors& in, const json& a) {
         nb::StridedSliceOptions o;
         o.begin_mask = a.at("begin_mask").get<int64_t>();
         o.end_mask = a.at("end_mask").get<int64_t>();
         o.ellipsis_mask = a.at("ellipsis_mask").get<int64_t>();
         o.new_axis_mask = a.at("new_axis_mask").get<int64_t>();
         o.shrink_axis_mask = a.at("shrink_axis_mask").get<int64_t>();
         return Tensors{nb::strided_slice(in.at(0), ivec(a.at("begin")), ivec(a.at("end")),
                                          ivec(a.at("strides")), o)};
       }},
      {"reverse", [](const Tensors& in, const json& a) {
         return Tensors{nb::reverse(in.at(0), ivec(a.at("axis")))};
       }},
      {"broadcast_to", [](const Tensors& in, const json& a) {
         return Tensors{nb::broadcast_to(in.at(0), json_shape(a.at("shape")))};
       }},
      {"one_hot", [](const Tensors& in, const json& a) {
         nb::OneHotOptions o;
         o.on_value = json_double(a.at("on_value"));
         o.off_value = json_double(a.at("off_value"));
         o.axis = a.at("axis").get<int64_t>();
         o.dtype = nb::dtype_from_name(a.at("dtype").get<std::string>());
         return Tensors{nb::one_hot(in.at(0), a.at("depth").get<int64_t>(), o)};
       }},
      {"clip_by_value", [](const Tensors& in, const json& a) {
         if (in.size() == 3) return Tensors{nb::clip_by_value(in[0], in[1], in[2])};
         return Tensors{nb::clip_by_value(in.at(0), json_scalar(a.at("lo")), json_scalar(a.at("hi")))};
       }},
      {"where", [](const Tensors& in, const json&) {
         return Tensors{nb::where(in.at(0), in.at(1), in.at(2))};
       }},
      // Linear algebra.
      {"matmul", [](const Tensors& in, const json& a) {
         nb::MatmulOptions o;
         o.transpose_a = a.at("transpose_a").get<bool>();
         o.transpose_b = a.at("transpose_b").get<bool>();
         return Tensors{nb::matmul(in.at(0), in.at(1), o)};
       }},
      {"tensordot", [](const Tensors& in, const json& a) {
         const json& ax = a.at("axes");
         if (ax.is_number_integer()) return Tensors{nb::tensordot(in.at(0), in.at(1), ax.get<int64_t>())};
         return Tensors{nb::tensordot(in.at(0), in.at(1), ivec(ax.at(0)), ivec(ax.at(1)))};
       }},
      // Cast and creation.
      {"cast", [](const Tensors& in, const json& a) {
         return Tensors{nb::cast(in.at(0), nb::dtype_from_name(a.at("dtype").get<std::string>()))};
       }},
      {"range", [](const Tensors&, const json& a) {
         return Tensors{nb::arange(json_scalar(a.at("start")), json_scalar(a.at("limit")),
                                   json_scalar(a.at("delta")),
                                   nb::dtype_from_name(a.at("dtype").get<std::string>()))};
       }},
      {"linspace", [](const Tensors&, const json& a) {
         return Tensors{nb::linspace(json_double(a.at("start")), json_double(a.at("stop")),
                                     a.at("num").get<int64_t>(),
                                     nb::dtype_from_name(a.at("dtype").get<std::string>()))};
       }},
      {"eye", [](const Tensors&, const json& a) {
         std::optional<int64_t> cols;
         if (!a.at("num_columns").is_null()) cols = a.at("num_columns").get<int64_t>();
         return Tensors{nb::eye(a.at("num_rows").get<int64_t>(), cols,
                                nb::dtype_from_name(a.at("dtype").get<std::string>()))};
       }},
  };
  return table;
}
#undef NB_UNARY
#undef NB_BINARY
#undef NB_REDUCE

// ----------------------------------------------------------------------------- comparison

void compare_output(const nb::Tensor& got, const json& want, double rtol, double atol,
                    const std::string& label) {
  const auto want_shape = want.at("shape").get<std::vector<int64_t>>();
  const std::string want_dtype = want.at("dtype").get<std::string>();
  EXPECT_EQ(shape_str(got.shape().vec()), shape_str(want_shape)) << label << ": shape";
  EXPECT_EQ(std::string(nb::dtype_name(got.dtype())), want_dtype) << label << ": dtype";
  if (got.shape().vec() != want_shape) return;
  const json& vals = want.at("values");
  ASSERT_EQ(int64_t(vals.size()), got.size()) << label << ": value count in the data file";
  int bad = 0;
  const int kMaxReports = 8;
  std::ostringstream report;
  if (nb::is_floating(got.dtype())) {
    // float32 values are stored as the shortest decimal that reads back as the
    // same float32, so round the expected value to float32 first.
    const bool f32 = want_dtype == "float32";
    const std::vector<double> g = got.to_vector<double>();
    for (size_t i = 0; i < g.size(); ++i) {
      const double w = f32 ? double(float(json_double(vals[i]))) : json_double(vals[i]);
      bool ok;
      if (std::isnan(w)) ok = std::isnan(g[i]);
      else if (std::isinf(w)) ok = g[i] == w;
      else ok = std::isfinite(g[i]) && std::fabs(g[i] - w) <= atol + rtol * std::fabs(w);
      if (!ok && bad++ < kMaxReports)
        report << "\n  at " << where_str(int64_t(i), want_shape) << ": want " << fmt(w) << ", got "
               << fmt(g[i]);
    }
  } else {
    const std::vector<int64_t> g = got.to_vector<int64_t>();
    for (size_t i = 0; i < g.size(); ++i) {
      const int64_t w = json_int(vals[i]);
      if (g[i] != w && bad++ < kMaxReports)
        report << "\n  at " << where_str(int64_t(i), want_shape) << ": want " << w << ", got " << g[i];
    }
  }
  EXPECT_EQ(bad, 0) << label << ": " << bad << " of " << got.size()
                    << " values differ (rtol=" << rtol << ", atol=" << atol << ")" << report.str();
}

// The same values as `t`, as a non-contiguous view: every other element of a
// tensor whose last axis is twice as long (the others hold a filler value).
nb::Tensor strided_view(const nb::Tensor& t) {
  if (t.rank() == 0 || t.size() == 0) return t;
  nb::Shape big = t.shape();
  big.back() *= 2;
  nb::Tensor b;
  if (nb::is_floating(t.dtype())) {
    const std::vector<double> src = t.to_vector<double>();
    std::vector<double> v(2 * src.size(), 77.0);
    for (size_t i = 0; i < src.size(); ++i) v[2 * i] = src[i];
    b = nb::detail::make_from_doubles(v, big, t.dtype());
  } else {
    const std::vector<int64_t> src = t.to_vector<int64_t>();
    std::vector<int64_t> v(2 * src.size(), t.dtype() == nb::bool_ ? 1 : 77);
    for (size_t i = 0; i < src.size(); ++i) v[2 * i] = src[i];
    b = nb::detail::make_from_int64s(v, big, t.dtype());
  }
  return b["..., ::2"];
}


// ----------------------------------------------------------------------------- tests

class TfReference : public ::testing::TestWithParam<Case> {};

TEST_P(TfReference, MatchesTensorFlow) {
  const Case& c = GetParam();
  const Data& d = data();
  ASSERT_TRUE(d.error.empty()) << d.error;
  ASSERT_LT(c.index, d.entries.size()) << "no cases in " << kDataPath;
  json tc;
  try {
    tc = case_json(c.index);
  } catch (const std::exception& e) {
    FAIL() << kDataPath << ", case " << c.name << ": " << e.what();
  }
  const std::string op = tc.at("op").get<std::string>();
  const auto it = ops().find(op);
  ASSERT_TRUE(it != ops().end()) << "op \"" << op << "\" of case " << c.name
                                 << " has no entry in the test's op table";
  Tensors inputs;
  for (const auto& t : tc.at("inputs")) inputs.push_back(make_tensor(t));
  const json& attrs = tc.at("attrs");
  const std::string context = op + " (" + tc.value("tf_op", std::string()) + ") attrs=" +
                              attrs.dump() + "\n  inputs=" + brief(tc.at("inputs"));
  const json& want = tc.at("outputs");
  const double rtol = tc.at("tolerance").at("rtol").get<double>();
  const double atol = tc.at("tolerance").at("atol").get<double>();
  // Once with contiguous inputs, once with the same values in strided views.
  for (const bool strided : {false, true}) {
    SCOPED_TRACE(strided ? "inputs: strided views" : "inputs: contiguous");
    Tensors args = inputs;
    if (strided) {
      bool any = false;
      for (auto& t : args) {
        t = strided_view(t);
        any = any || !t.is_contiguous();
      }
      if (!any) break;
    }
    Tensors outs;
    try {
      outs = it->second(args, attrs);
    } catch (const std::exception& e) {
      ADD_FAILURE() << context << "\n  threw: " << e.what();
      continue;
    }
    ASSERT_EQ(outs.size(), want.size()) << context << ": number of outputs";
    for (size_t k = 0; k < outs.size(); ++k)
      compare_output(outs[k], want[k], rtol, atol, context + "\n  output " + std::to_string(k));
  }
}

INSTANTIATE_TEST_SUITE_P(TF, TfReference, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The file itself: generated by the script, non-trivial, every op mapped.
TEST(TfReferenceData, IsCompleteAndEveryOpIsMapped) {
  const Data& d = data();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const json root = json::parse(d.text);  // the whole file must be valid JSON
  ASSERT_TRUE(root.contains("metadata"));
  EXPECT_TRUE(root["metadata"].contains("tensorflow_version"));
  EXPECT_GE(root["cases"].size(), 300u);
  EXPECT_EQ(root["metadata"].value("num_cases", 0), root["cases"].size());
  EXPECT_EQ(d.entries.size(), root["cases"].size()) << "cases found line by line vs parsed";
  std::set<std::string> unmapped;
  for (const auto& tc : root["cases"])
    if (!ops().count(tc.at("op").get<std::string>())) unmapped.insert(tc.at("op").get<std::string>());
  std::string list;
  for (const auto& s : unmapped) list += s + " ";
  EXPECT_TRUE(unmapped.empty()) << "ops without a mapping: " << list;
}

}  // namespace
