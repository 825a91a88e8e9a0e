// Gradient conformance against TensorFlow: every case in tests/data/tf_gradients.json
// (written by tests/tools/gen_tf_gradients.py) runs the nabla op named by the case on
// the stored inputs under an nb::GradientTape, forms the same loss as TensorFlow did,
// sum_k reduce_sum(output_k * weights_k), and compares the gradient with respect to
// each source input with tf.GradientTape's: |got - want| <= rtol * (|want| + scale),
// scale = the largest finite |want| of that gradient (rtol 1e-10 in float64, 1e-5 in
// float32); infinities and NaN must match; a null gradient must be undefined. A case
// whose op has no entry in the table in ops() fails, so no case is left unchecked.
//
// Regenerate the data with tests/tools/gen_tf_gradients.py (needs TensorFlow; these
// tests do not).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
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

const std::string kDataPath = std::string(NABLA_TEST_DATA_DIR) + "/tf_gradients.json";

struct Data {
  json root;
  std::string error;  // non-empty when the file could not be read
};

const Data& data() {
  static const Data d = [] {
    Data r;
    std::ifstream in(kDataPath, std::ios::binary);
    if (!in) {
      r.error = "cannot open " + kDataPath;
      return r;
    }
    try {
      r.root = json::parse(in);
      (void)r.root.at("cases").size();
    } catch (const std::exception& e) {
      r.error = kDataPath + ": " + e.what();
    }
    return r;
  }();
  return d;
}

struct Case {
  std::string name;
  size_t index = 0;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> all_cases() {
  const Data& d = data();
  if (!d.error.empty() || d.root["cases"].empty()) return {Case{"DataFileMissing", size_t(-1)}};
  std::vector<Case> out;
  const json& cases = d.root["cases"];
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string name = cases[i].value("name", "case_" + std::to_string(i));
    for (char& ch : name)
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    out.push_back({name, i});
  }
  return out;
}

const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      // The MLP of the course: relu(x @ W1 + b1) @ W2 + b2, mean softmax cross entropy.
      {"mlp", [](const Tensors& in, const json&) {
         const nb::Tensor &x = in.at(0), &w1 = in.at(1), &b1 = in.at(2), &w2 = in.at(3),
                          &b2 = in.at(4), &labels = in.at(5);
         nb::Tensor h = nb::relu(nb::matmul(x, w1) + b1);
         nb::Tensor logits = nb::matmul(h, w2) + b2;
         nb::Tensor xent = -nb::reduce_sum(labels * nb::log_softmax(logits, -1), {-1});
         return Tensors{nb::reduce_mean(xent)};
       }},
      // Element-wise.
      NB_UNARY(abs), NB_UNARY(sqrt), NB_UNARY(rsqrt), NB_UNARY(exp), NB_UNARY(log),
      NB_UNARY(log1p), NB_UNARY(expm1), NB_UNARY(sin), NB_UNARY(cos), NB_UNARY(tan),
      NB_UNARY(tanh), NB_UNARY(sigmoid), NB_UNARY(relu), NB_UNARY(erf), NB_UNARY(square),
      NB_UNARY(negative),
      NB_BINARY(add), NB_BINARY(subtract), NB_BINARY(multiply), NB_BINARY(divide),
      NB_BINARY(pow), NB_BINARY(minimum), NB_BINARY(maximum), NB_BINARY(mod),
      {"clip_by_value", [](const Tensors& in, const json& a) {
         if (in.size() == 3) return Tensors{nb::clip_by_value(in[0], in[1], in[2])};
         return Tensors{nb::clip_by_value(in.at(0), json_scalar(a.at("lo")), json_scalar(a.at("hi")))};
       }},
      {"where", [](const Tensors& in, const json&) {
         return Tensors{nb::where(in.at(0), in.at(1), in.at(2))};
       }},
      // Reductions and friends.
      NB_REDUCE(reduce_sum), NB_REDUCE(reduce_mean), NB_REDUCE(reduce_max),
      NB_REDUCE(reduce_min), NB_REDUCE(reduce_prod), NB_REDUCE(reduce_logsumexp),
      {"cumsum", [](const Tensors& in, const json& a) {
         return Tensors{nb::cumsum(in.at(0), a.at("axis").get<int64_t>(),
                                   a.at("exclusive").get<bool>(), a.at("reverse").get<bool>())};
       }},
      {"softmax", [](const Tensors& in, const json& a) {
         return Tensors{nb::softmax(in.at(0), a.at("axis").get<int64_t>())};
       }},
      {"log_softmax", [](const Tensors& in, const json& a) {
         return Tensors{nb::log_softmax(in.at(0), a.at("axis").get<int64_t>())};
       }},
      {"moments", [](const Tensors& in, const json& a) {
         nb::Moments m = nb::moments(in.at(0), axes_of(a.at("axes")), a.at("keepdims").get<bool>());
         return Tensors{m.mean, m.variance};
       }},
      // Linear algebra and cast.
      {"matmul", [](const Tensors& in, const json& a) {
         nb::MatmulOptions o;
         o.transpose_a = a.at("transpose_a").get<bool>();
         o.transpose_b = a.at("transpose_b").get<bool>();
         return Tensors{nb::matmul(in.at(0), in.at(1), o)};
       }},
      {"cast", [](const Tensors& in, const json& a) {
         return Tensors{nb::cast(in.at(0), nb::dtype_from_name(a.at("dtype").get<std::string>()))};
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
      {"gather", [](const Tensors& in, const json& a) {
         return Tensors{nb::gather(in.at(0), in.at(1), a.at("axis").get<int64_t>(),
                                   a.at("batch_dims").get<int64_t>())};
       }},
      NB_BINARY(gather_nd),
      {"concat", [](const Tensors& in, const json& a) {
         return Tensors{nb::concat(in, a.at("axis").get<int64_t>())};
       }},
      {"split", [](const Tensors& in, const json& a) {
         const json& s = a.at("num_or_size_splits");
         const int64_t axis = a.at("axis").get<int64_t>();
         return s.is_number_integer() ? nb::split(in.at(0), s.get<int64_t>(), axis)
                                      : nb::split(in.at(0), ivec(s), axis);
       }},
      {"stack", [](const Tensors& in, const json& a) {
         return Tensors{nb::stack(in, a.at("axis").get<int64_t>())};
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
      {"reverse", [](const Tensors& in, const json& a) {
         return Tensors{nb::reverse(in.at(0), ivec(a.at("axis")))};
       }},
      {"broadcast_to", [](const Tensors& in, const json& a) {
         return Tensors{nb::broadcast_to(in.at(0), json_shape(a.at("shape")))};
       }},
  };
  return table;
}
#undef NB_UNARY
#undef NB_BINARY
#undef NB_REDUCE

// ----------------------------------------------------------------------------- comparison

void compare_gradient(const nb::Tensor& got, const json& want, double rtol, const std::string& label) {
  const auto want_shape = want.at("shape").get<std::vector<int64_t>>();
  const std::string want_dtype = want.at("dtype").get<std::string>();
  ASSERT_TRUE(got.defined()) << label << ": nabla gave no gradient (undefined), TensorFlow did";
  EXPECT_EQ(shape_str(got.shape().vec()), shape_str(want_shape)) << label << ": shape";
  EXPECT_EQ(std::string(nb::dtype_name(got.dtype())), want_dtype) << label << ": dtype";
  if (got.shape().vec() != want_shape) return;
  const json& vals = want.at("values");
  ASSERT_EQ(int64_t(vals.size()), got.size()) << label << ": value count in the data file";
  // float32 values are stored as the shortest decimal that reads back as the
  // same float32, so round the expected value to float32 first.
  const bool f32 = want_dtype == "float32";
  std::vector<double> w(vals.size());
  double scale = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = f32 ? double(float(json_double(vals[i]))) : json_double(vals[i]);
    if (std::isfinite(w[i])) scale = std::max(scale, std::fabs(w[i]));
  }
  const std::vector<double> g = got.to_vector<double>();
  int bad = 0;
  const int kMaxReports = 8;
  std::ostringstream report;
  for (size_t i = 0; i < g.size(); ++i) {
    bool ok;
    if (std::isnan(w[i])) ok = std::isnan(g[i]);
    else if (std::isinf(w[i])) ok = g[i] == w[i];
    else ok = std::isfinite(g[i]) && std::fabs(g[i] - w[i]) <= rtol * (std::fabs(w[i]) + scale);
    if (!ok && bad++ < kMaxReports)
      report << "\n  at " << where_str(int64_t(i), want_shape) << ": want " << fmt(w[i]) << ", got "
             << fmt(g[i]);
  }
  EXPECT_EQ(bad, 0) << label << ": " << bad << " of " << got.size() << " values differ (rtol=" << rtol
                    << ", scale=" << scale << ")" << report.str();
}


// ----------------------------------------------------------------------------- tests

class TfGradients : public ::testing::TestWithParam<Case> {};

TEST_P(TfGradients, MatchesTensorFlow) {
  const Case& c = GetParam();
  const Data& d = data();
  ASSERT_TRUE(d.error.empty()) << d.error;
  ASSERT_LT(c.index, d.root["cases"].size()) << "no cases in " << kDataPath;
  const json& tc = d.root["cases"][c.index];
  const std::string op = tc.at("op").get<std::string>();
  const auto it = ops().find(op);
  ASSERT_TRUE(it != ops().end()) << "op \"" << op << "\" of case " << c.name
                                 << " has no entry in the test's op table";
  Tensors inputs;
  for (const auto& t : tc.at("inputs")) inputs.push_back(make_tensor(t));
  Tensors weights;
  for (const auto& t : tc.at("weights")) weights.push_back(make_tensor(t));
  const std::vector<size_t> source_idx = tc.at("sources").get<std::vector<size_t>>();
  const json& attrs = tc.at("attrs");
  const json& want = tc.at("grads");
  const double rtol = tc.at("rtol").get<double>();
  const std::string context = op + " attrs=" + attrs.dump() + "\n  inputs=" + brief(tc.at("inputs"));

  std::vector<nb::GradientSource> sources;
  std::vector<nb::Tensor> grads;
  try {
    nb::GradientTape tape;
    for (size_t i : source_idx) tape.watch(inputs.at(i));
    const Tensors outs = it->second(inputs, attrs);
    ASSERT_EQ(outs.size(), weights.size()) << context << ": number of outputs";
    nb::Tensor loss;
    for (size_t k = 0; k < outs.size(); ++k) {
      nb::Tensor term = nb::reduce_sum(outs[k] * weights[k]);
      loss = k == 0 ? term : loss + term;
    }
    for (size_t i : source_idx) sources.emplace_back(inputs.at(i));
    grads = tape.gradient(loss, sources);
  } catch (const std::exception& e) {
    FAIL() << context << "\n  threw: " << e.what();
  }
  ASSERT_EQ(grads.size(), source_idx.size());
  for (size_t s = 0; s < source_idx.size(); ++s) {
    const size_t i = source_idx[s];
    const std::string label = context + "\n  gradient wrt input " + std::to_string(i);
    if (want.at(i).is_null())
      EXPECT_FALSE(grads[s].defined()) << label << ": TensorFlow gives no gradient (None)";
    else
      compare_gradient(grads[s], want.at(i), rtol, label);
  }
}

INSTANTIATE_TEST_SUITE_P(TF, TfGradients, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The file itself: generated by the script, non-trivial, every op mapped.
TEST(TfGradientsData, IsCompleteAndEveryOpIsMapped) {
  const Data& d = data();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const json& root = d.root;
  ASSERT_TRUE(root.contains("metadata"));
  EXPECT_TRUE(root["metadata"].contains("tensorflow_version"));
  EXPECT_GE(root["cases"].size(), 40u);
  EXPECT_EQ(root["metadata"].value("num_cases", 0), root["cases"].size());
  std::set<std::string> unmapped;
  for (const auto& tc : root["cases"])
    if (!ops().count(tc.at("op").get<std::string>())) unmapped.insert(tc.at("op").get<std::string>());
  std::string list;
  for (const auto& s : unmapped) list += s + " ";
  EXPECT_TRUE(unmapped.empty()) << "ops without a mapping: " << list;
}

}  // namespace
