// Dynamic batch dimension: anti-unification of two traces (see dynamic_batch.h).
#include "graph/dynamic_batch.h"

#include <cmath>
#include <cstring>

#include "nabla/core/error.h"
#include "nabla/ops/creation.h"

namespace nabla::graph {

namespace {
// Dimension 0 shared by every item of rank >= 1 (shape_of(item) gives its shape).
template <typename Items, typename ShapeOf>
std::optional<int64_t> shared_batch(const Items& items, ShapeOf&& shape_of) {
  std::optional<int64_t> b;
  for (const auto& item : items) {
    const Shape& s = shape_of(item);
    if (s.empty()) continue;
    if (b && *b != s[0]) return std::nullopt;
    b = s[0];
  }
  return b;
}
}  // namespace

std::optional<int64_t> batch_size_of(const std::vector<Tensor>& args) {
  return shared_batch(args, [](const Tensor& t) -> const Shape& { return t.shape(); });
}

std::optional<int64_t> batch_size_of(const std::vector<TensorSpec>& specs) {
  return shared_batch(specs, [](const TensorSpec& s) -> const Shape& { return s.shape; });
}

namespace {

// One walk over two traces (at batch sizes b1, b2) that builds the graph at
// batch size b, or stops at the first difference the batch size does not explain.
class Unifier {
 public:
  Unifier(int64_t b1, int64_t b2, int64_t b, bool check_ops) : b1_(b1), b2_(b2), b_(b), check_ops_(check_ops) {}

  std::optional<Graph> run(const Graph& g1, const Graph& g2) {
    if (g1.nodes.size() != g2.nodes.size() || g1.values.size() != g2.values.size())
      return fail("the traces have " + std::to_string(g1.nodes.size()) + " and " + std::to_string(g2.nodes.size()) +
                  " nodes");
    if (g1.outputs != g2.outputs) return fail("the traces return different values");
    if (g1.variables.size() != g2.variables.size()) return fail("the traces capture different variables");
    for (size_t i = 0; i < g1.variables.size(); ++i)
      if (g1.variables[i]->id() != g2.variables[i]->id()) return fail("the traces capture different variables");
    if (g1.input_specs.size() != g2.input_specs.size()) return fail("the traces have different arguments");
    Graph out;
    out.outputs = g1.outputs;
    out.variables = g1.variables;
    for (size_t i = 0; i < g1.input_specs.size(); ++i) {
      where_ = "argument #" + std::to_string(i);
      std::optional<TensorSpec> s = spec(g1.input_specs[i], g2.input_specs[i]);
      if (!s) return std::nullopt;
      out.input_specs.push_back(*s);
    }
    for (size_t i = 0; i < g1.nodes.size(); ++i) {
      const Node& n1 = g1.nodes[i];
      const Node& n2 = g2.nodes[i];
      where_ = "node #" + std::to_string(i);
      if (n1.kind == NodeKind::Op) where_ += " (" + n1.op->name + ")";
      if (n1.kind == NodeKind::Stateful) where_ += " (" + n1.call->kind + ")";
      if (n1.kind != n2.kind || n1.op != n2.op || n1.inputs != n2.inputs || n1.first_output != n2.first_output ||
          n1.num_outputs != n2.num_outputs || n1.arg != n2.arg || n1.variable != n2.variable ||
          n1.call_variables != n2.call_variables || n1.dead || n2.dead)
        return fail("the traces record different nodes");
      Node n;
      n.kind = n1.kind;
      n.op = n1.op;
      n.inputs = n1.inputs;
      n.arg = n1.arg;
      n.variable = n1.variable;
      n.call_variables = n1.call_variables;
      std::optional<Attrs> a = attrs(n1.attrs, n2.attrs);
      if (!a) return std::nullopt;
      n.attrs = std::move(*a);
      std::vector<TensorSpec> specs;
      for (int o = 0; o < n1.num_outputs; ++o) {
        std::optional<TensorSpec> s = spec(g1.values[size_t(n1.output(o))].spec, g2.values[size_t(n2.output(o))].spec);
        if (!s) return std::nullopt;
        specs.push_back(*s);
      }
      if (n.kind == NodeKind::Constant) {
        std::optional<Tensor> c = constant(n1.constant, n2.constant, specs[0].shape);
        if (!c) return std::nullopt;
        n.constant = std::move(*c);
      } else if (n.kind == NodeKind::Stateful) {
        if (n1.call->kind != n2.call->kind) return fail("the traces record different stateful calls");
        // A slice assignment holds its C++ index, which may depend on the batch size.
        if (n1.call->kind == "AssignSliceOp") return fail("a slice assignment cannot follow the batch size");
        auto call = std::make_shared<StatefulCall>(*n1.call);  // its `run` reads shapes from its tensors
        call->attrs = n.attrs;
        n.call = std::move(call);
      } else if (n.kind == NodeKind::Op && check_ops_) {
        std::vector<TensorSpec> ins;
        for (int v : n.inputs) ins.push_back(out.values[size_t(v)].spec);
        const std::string bad = check_op_outputs(*n.op, ins, n.attrs, specs);
        if (!bad.empty()) {
          why_ = where_ + ": " + bad;
          throw InvalidArgument("nb::function: the graph generalised over the batch size does not hold at batch size " +
                                std::to_string(b_) + ": " + why_);
        }
      }
      out.add_node(std::move(n), specs);
    }
    return out;
  }

  const std::string& why() const { return why_; }

 private:
  std::nullopt_t fail(const std::string& what) {
    if (why_.empty()) why_ = (where_.empty() ? "" : where_ + ": ") + what;
    return std::nullopt;
  }

  // x(B) = x when equal, else a * B with a positive integer a that fits both.
  std::optional<int64_t> integer(int64_t x1, int64_t x2) const {
    if (x1 == x2) return x1;
    if (x1 % b1_ == 0 && x2 % b2_ == 0 && x1 / b1_ == x2 / b2_ && x1 / b1_ > 0) return x1 / b1_ * b_;
    return std::nullopt;
  }

  // x(B) = x, c / B or c * B, each formula checked exactly on both samples.
  std::optional<double> real(double x1, double x2) const {
    if (x1 == x2 || (std::isnan(x1) && std::isnan(x2))) return x1;
    for (double c : {std::nearbyint(x1 * double(b1_)), x1 * double(b1_)})
      if (c / double(b1_) == x1 && c / double(b2_) == x2) return c / double(b_);
    const double c = x1 / double(b1_);
    if (c * double(b1_) == x1 && c * double(b2_) == x2) return c * double(b_);
    return std::nullopt;
  }

  std::optional<TensorSpec> spec(const TensorSpec& s1, const TensorSpec& s2) {
    if (s1.dtype != s2.dtype || s1.shape.size() != s2.shape.size())
      return fail("a value has dtype or rank " + std::string(dtype_name(s1.dtype)) + s1.shape.str() + " in one trace and " + std::string(
                  dtype_name(s2.dtype)) + s2.shape.str() + " in the other");
    Shape s;
    for (size_t d = 0; d < s1.shape.size(); ++d) {
      std::optional<int64_t> x = integer(s1.shape[d], s2.shape[d]);
      if (!x) return fail("a value's shape " + s1.shape.str() + " / " + s2.shape.str() + " does not follow the batch size");
      s.push_back(*x);
    }
    return TensorSpec{s, s1.dtype};
  }

  std::optional<Attrs> attrs(const Attrs& a1, const Attrs& a2) {
    if (a1.items().size() != a2.items().size()) return fail("the attributes differ");
    Attrs out;
    for (size_t i = 0; i < a1.items().size(); ++i) {
      const auto& [k1, v1] = a1.items()[i];
      const auto& [k2, v2] = a2.items()[i];
      if (k1 != k2 || v1.index() != v2.index()) return fail("the attributes differ");
      std::optional<AttrValue> v;
      if (const auto* x1 = std::get_if<int64_t>(&v1)) {
        if (auto x = integer(*x1, std::get<int64_t>(v2))) v = *x;
      } else if (const auto* d1 = std::get_if<double>(&v1)) {
        if (auto x = real(*d1, std::get<double>(v2))) v = *x;
      } else if (const auto* l1 = std::get_if<std::vector<int64_t>>(&v1)) {
        const auto& l2 = std::get<std::vector<int64_t>>(v2);
        if (l1->size() == l2.size()) {
          std::vector<int64_t> l;
          for (size_t j = 0; j < l1->size(); ++j)
            if (auto x = integer((*l1)[j], l2[j])) l.push_back(*x);
          if (l.size() == l1->size()) v = std::move(l);
        }
      } else if (v1 == v2) {
        v = v1;
      }
      if (!v) return fail("attribute '" + k1 + "' does not follow the batch size");
      out.set(k1, std::move(*v));
    }
    return out;
  }

  // A constant: the same tensor in both traces, or a fill of one value each
  // (e.g. the 1/B of a mean's gradient) whose value follows the batch size.
  std::optional<Tensor> constant(const Tensor& c1, const Tensor& c2, const Shape& shape) {
    const int64_t bytes = c1.size() * int64_t(dtype_size(c1.dtype()));
    if (c1.shape() == c2.shape() && c1.dtype() == c2.dtype() && c1.shape() == shape &&
        std::memcmp(c1.contiguous().raw_data(), c2.contiguous().raw_data(), size_t(bytes)) == 0)
      return c1;
    std::optional<double> v1 = uniform_value(c1), v2 = uniform_value(c2);
    if (!v1 || !v2) return fail("a constant differs between the traces and is not one value repeated");
    std::optional<Tensor> t;
    visit_dtype(c1.dtype(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T>) {
        t = fill_following<T>(T(*v1), T(*v2), shape);
      } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (auto x = integer(int64_t(*v1), int64_t(*v2))) t = fill(shape, Scalar(*x), c1.dtype());
      } else if (*v1 == *v2) {
        t = fill(shape, Scalar(*v1), c1.dtype());
      }
    });
    if (!t) return fail("a constant's value does not follow the batch size");
    return t;
  }

  // A fill of shape `shape` whose value x(B) reproduces x1 and x2: equal, c / B
  // or c * B, computed in T or in double then rounded to T (as traced code does).
  template <typename T> std::optional<Tensor> fill_following(T x1, T x2, const Shape& shape) const {
    auto make = [&](T v) { return fill(shape, Scalar(double(v)), dtype_of<T>()); };
    auto same = [](T a, T b) { return std::memcmp(&a, &b, sizeof(T)) == 0; };
    if (same(x1, x2)) return make(x1);
    const T fb1 = T(b1_), fb2 = T(b2_), fb = T(b_);
    for (T c : {T(std::nearbyint(double(x1) * double(b1_))), T(x1 * fb1)}) {
      if (same(T(c / fb1), x1) && same(T(c / fb2), x2)) return make(T(c / fb));
      if (same(T(double(c) / double(b1_)), x1) && same(T(double(c) / double(b2_)), x2))
        return make(T(double(c) / double(b_)));
    }
    const T c = T(x1 / fb1);
    if (same(T(c * fb1), x1) && same(T(c * fb2), x2)) return make(T(c * fb));
    return std::nullopt;
  }

  // The one value every element holds, as double; nullopt when they differ.
  static std::optional<double> uniform_value(const Tensor& c) {
    if (c.size() == 0) return std::nullopt;
    const Tensor t = c.contiguous();
    const size_t sz = dtype_size(t.dtype());
    const auto* p = static_cast<const unsigned char*>(t.raw_data());
    for (int64_t i = 1; i < t.size(); ++i)
      if (std::memcmp(p, p + size_t(i) * sz, sz) != 0) return std::nullopt;
    std::optional<double> v;
    visit_dtype(t.dtype(), [&]<typename T>() { v = double(*reinterpret_cast<const T*>(p)); });
    return v;
  }

  int64_t b1_, b2_, b_;
  bool check_ops_;
  std::string where_, why_;
};

}  // namespace

std::optional<BatchTemplate> BatchTemplate::generalize(std::shared_ptr<const Graph> g1, int64_t b1,
                                                       std::shared_ptr<const Graph> g2, int64_t b2, std::string& why) {
  NB_CHECK(b1 >= 1 && b2 >= 1 && b1 != b2, Internal, "BatchTemplate: needs two different batch sizes");
  Unifier u(b1, b2, b1, /*check_ops=*/false);
  if (!u.run(*g1, *g2)) {
    why = u.why();
    return std::nullopt;
  }
  return BatchTemplate(std::move(g1), b1, std::move(g2), b2);
}

Graph BatchTemplate::instantiate(int64_t b) const {
  NB_CHECK(b >= 1, InvalidArgument, "nb::function: batch size ", b, " is not positive");
  Unifier u(b1_, b2_, b, /*check_ops=*/true);
  std::optional<Graph> g = u.run(*g1_, *g2_);
  NB_CHECK(g.has_value(), Internal, "nb::function: a generalised graph no longer unifies: ", u.why());
  return std::move(*g);
}

}  // namespace nabla::graph
