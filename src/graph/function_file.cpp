// Saving and loading nb::function graphs (format in docs/saving.md, "Function files").
//
// A safetensors file: the metadata holds "format" = "nabla.function", "version" = "1"
// and "graph", a JSON document with the traced graphs; the tensors are the graphs'
// constants ("constant/<function>/<node>") and the variables ("variable/<k>").
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "graph/dynamic_batch.h"
#include "graph/executor.h"
#include "graph/function_internal.h"
#include "nabla/io/safetensors.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/random.h"

namespace nabla {

using json = nlohmann::json;

namespace graph {
namespace {

constexpr const char* kFormat = "nabla.function";
constexpr const char* kVersion = "1";

std::string hex_double(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", d);
  return buf;
}

json attrs_to_json(const Attrs& attrs) {
  json j = json::object();
  for (const auto& [k, v] : attrs.items()) {
    if (const bool* b = std::get_if<bool>(&v)) j[k] = {{"b", *b}};
    else if (const int64_t* i = std::get_if<int64_t>(&v)) j[k] = {{"i", *i}};
    else if (const double* d = std::get_if<double>(&v)) j[k] = {{"f", hex_double(*d)}};
    else if (const std::string* s = std::get_if<std::string>(&v)) j[k] = {{"s", *s}};
    else if (const auto* l = std::get_if<std::vector<int64_t>>(&v)) j[k] = {{"l", *l}};
    else j[k] = {{"t", std::string(dtype_name(std::get<DType>(v)))}};
  }
  return j;
}

json spec_to_json(const TensorSpec& s) {
  return {{"dtype", std::string(dtype_name(s.dtype))}, {"shape", std::vector<int64_t>(s.shape.begin(), s.shape.end())}};
}

const char* kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::Input: return "input";
    case NodeKind::Constant: return "constant";
    case NodeKind::ReadVariable: return "read_variable";
    case NodeKind::Op: return "op";
    case NodeKind::Stateful: return "stateful";
  }
  return "?";
}

}  // namespace

void save_function(const std::string& path, const std::string& name,
                   const std::vector<const ConcreteFunction*>& functions, bool dynamic_batch) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  std::vector<uint64_t> var_ids;  // file index -> variable id
  json jvars = json::array();
  json jfuncs = json::array();
  for (size_t f = 0; f < functions.size(); ++f) {
    const Graph& g = *functions[f]->traced;
    std::vector<int> var_map;  // graph variable index -> file index
    for (const auto& v : g.variables) {
      auto it = std::find(var_ids.begin(), var_ids.end(), v->id());
      if (it == var_ids.end()) {
        var_ids.push_back(v->id());
        const std::string tname = "variable/" + std::to_string(var_ids.size() - 1);
        tensors.emplace_back(tname, v->value().contiguous());
        jvars.push_back({{"name", v->name()}, {"trainable", v->trainable()}, {"tensor", tname}});
        it = var_ids.end() - 1;
      }
      var_map.push_back(int(it - var_ids.begin()));
    }
    json jnodes = json::array();
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& n = g.nodes[i];
      json jn = {{"kind", kind_name(n.kind)}, {"inputs", n.inputs}};
      json outs = json::array();
      for (int o = 0; o < n.num_outputs; ++o) outs.push_back(spec_to_json(g.values[size_t(n.output(o))].spec));
      jn["outputs"] = outs;
      switch (n.kind) {
        case NodeKind::Input: jn["arg"] = n.arg; break;
        case NodeKind::Constant: {
          const std::string tname = "constant/" + std::to_string(f) + "/" + std::to_string(i);
          tensors.emplace_back(tname, n.constant.contiguous());
          jn["tensor"] = tname;
          break;
        }
        case NodeKind::ReadVariable: jn["variable"] = var_map[size_t(n.variable)]; break;
        case NodeKind::Op:
          jn["op"] = n.op->name;
          jn["attrs"] = attrs_to_json(n.attrs);
          break;
        case NodeKind::Stateful: {
          NB_CHECK(n.call->savable, Unimplemented, "nb::function '", name, "' cannot be saved: its graph holds a ",
                   n.call->kind,
                   " node, which refers to a C++ object (save a function without optimizer updates or "
                   "slice assignments, e.g. the inference or loss function)");
          jn["stateful"] = n.call->kind;
          jn["attrs"] = attrs_to_json(n.attrs);
          json vs = json::array();
          for (int vi : n.call_variables) vs.push_back(var_map[size_t(vi)]);
          jn["variables"] = vs;
          break;
        }
      }
      jnodes.push_back(std::move(jn));
    }
    json jin = json::array();
    for (const TensorSpec& s : g.input_specs) jin.push_back(spec_to_json(s));
    jfuncs.push_back({{"signature", functions[f]->signature}, {"inputs", jin}, {"outputs", g.outputs},
                      {"nodes", std::move(jnodes)}});
  }
  json doc = {{"name", name}, {"variables", jvars}, {"functions", jfuncs}, {"dynamic_batch", dynamic_batch}};
  io::save_safetensors(path, tensors, {{"format", kFormat}, {"version", kVersion}, {"graph", doc.dump()}});
}

}  // namespace graph

// ---- loading ---------------------------------------------------------------------

namespace {

struct FileError {
  std::string source;
  [[noreturn]] void fail(const std::string& what) const {
    throw DataLoss("function file " + source + ": " + what);
  }
  const json& get(const json& j, const char* key, json::value_t type, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail(where + " has no \"" + key + "\"");
    const json& v = j.at(key);
    const bool ok = v.type() == type || (type == json::value_t::number_integer && v.is_number_unsigned());
    if (!ok) fail(where + ": \"" + key + "\" has the wrong type (" + v.type_name() + ")");
    return v;
  }
  int64_t integer(const json& j, const char* key, const std::string& where) const {
    return get(j, key, json::value_t::number_integer, where).get<int64_t>();
  }
  std::string string(const json& j, const char* key, const std::string& where) const {
    return get(j, key, json::value_t::string, where).get<std::string>();
  }
};

DType dtype_named(const FileError& fe, const std::string& name, const std::string& where) {
  try {
    return dtype_from_name(name);
  } catch (const Error&) {
    fe.fail(where + ": unknown dtype '" + name + "'");
  }
}

TensorSpec spec_from_json(const FileError& fe, const json& j, const std::string& where) {
  TensorSpec s;
  s.dtype = dtype_named(fe, fe.string(j, "dtype", where), where);
  const json& sh = fe.get(j, "shape", json::value_t::array, where);
  for (const json& d : sh) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) fe.fail(where + ": bad dimension " + d.dump());
    s.shape.push_back(d.get<int64_t>());
  }
  return s;
}

Attrs attrs_from_json(const FileError& fe, const json& j, const std::string& where) {
  Attrs a;
  if (!j.is_object()) fe.fail(where + ": attrs must be an object");
  for (const auto& [k, v] : j.items()) {
    if (!v.is_object() || v.size() != 1) fe.fail(where + ": attribute '" + k + "' is malformed");
    const std::string tag = v.begin().key();
    const json& x = v.begin().value();
    if (tag == "b" && x.is_boolean()) a.set(k, x.get<bool>());
    else if (tag == "i" && x.is_number_integer()) a.set(k, x.get<int64_t>());
    else if (tag == "f" && x.is_string()) {
      const std::string s = x.get<std::string>();
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() || *end != '\0') fe.fail(where + ": attribute '" + k + "' is not a number: " + s);
      a.set(k, d);
    } else if (tag == "s" && x.is_string()) a.set(k, x.get<std::string>());
    else if (tag == "l" && x.is_array()) {
      std::vector<int64_t> l;
      for (const json& e : x) {
        if (!e.is_number_integer()) fe.fail(where + ": attribute '" + k + "' holds a non-integer");
        l.push_back(e.get<int64_t>());
      }
      a.set(k, l);
    } else if (tag == "t" && x.is_string()) a.set(k, dtype_named(fe, x.get<std::string>(), where));
    else fe.fail(where + ": attribute '" + k + "' has an unknown type tag '" + tag + "'");
  }
  return a;
}

// The run function of a saved stateful kind (random draws use the default generator).
std::function<void(Inputs, std::span<Tensor>, std::span<Variable* const>)> stateful_run(
    const FileError& fe, const std::string& kind, const Attrs& a, size_t n_in, size_t n_out, size_t n_vars,
    const std::string& where) {
  if (kind == "AssignVariableOp") {
    if (n_in != 1 || n_out != 0 || n_vars != 1) fe.fail(where + ": AssignVariableOp needs 1 input and 1 variable");
    return [](Inputs in, std::span<Tensor>, std::span<Variable* const> v) { v[0]->assign(in[0]); };
  }
  if (kind == "RandomUniform" || kind == "RandomStandardNormal" || kind == "TruncatedNormal") {
    if (n_in != 0 || n_out != 1 || n_vars != 0) fe.fail(where + ": " + kind + " needs 1 output");
    try {
      (void)a.get<std::vector<int64_t>>("shape");
      (void)a.get<DType>("dtype");
      if (kind == "RandomUniform") (void)a.get<double>("minval"), (void)a.get<double>("maxval");
      else (void)a.get<double>("mean"), (void)a.get<double>("stddev");
    } catch (const Error&) {
      fe.fail(where + ": " + kind + " lacks its attributes");
    }
    return [kind, a](Inputs, std::span<Tensor> out, std::span<Variable* const>) {
      const std::vector<int64_t>& s = a.get<std::vector<int64_t>>("shape");
      const Shape shape(s.begin(), s.end());
      const DType dt = a.get<DType>("dtype");
      Tensor r = kind == "RandomUniform"
                     ? random::uniform(shape, {.minval = a.get<double>("minval"), .maxval = a.get<double>("maxval"), .dtype = dt})
                 : kind == "RandomStandardNormal"
                     ? random::normal(shape, {.mean = a.get<double>("mean"), .stddev = a.get<double>("stddev"), .dtype = dt})
                     : random::truncated_normal(shape, {.mean = a.get<double>("mean"), .stddev = a.get<double>("stddev"), .dtype = dt});
      detail::copy_into(out[0], r);
    };
  }
  fe.fail(where + ": unknown stateful node kind '" + kind + "'");
}

}  // namespace

struct LoadedFunction::Impl {
  // A saved graph as traced, for making graphs at other batch sizes (dynamic_batch).
  struct Sample {
    std::string family;  // signature_of_specs(inputs, any_batch)
    int64_t batch = 0;
    std::shared_ptr<const graph::Graph> graph;
  };

  std::string name;
  std::vector<std::shared_ptr<Variable>> variables;
  std::vector<std::pair<std::string, std::unique_ptr<graph::Executor>>> functions;
  bool dynamic_batch = false;
  std::vector<Sample> samples;
  std::map<std::string, std::shared_ptr<const graph::BatchTemplate>> templates;  // per family
  std::mutex mu;  // functions, templates

  graph::Executor* find(const std::string& sig) {
    for (auto& [s, e] : functions)
      if (s == sig) return e.get();
    return nullptr;
  }
  // The executor for args at a batch size not saved, made from two saved ones.
  // Throws InvalidArgument (saying why) when that is not possible.
  graph::Executor* generalize(const std::vector<Tensor>& args, const std::string& sig);
};

graph::Executor* LoadedFunction::Impl::generalize(const std::vector<Tensor>& args, const std::string& sig) {
  std::string known;
  for (const auto& [s, e] : functions) known += (known.empty() ? "" : ", ") + s;
  const std::string no_graph =
      "loaded function '" + name + "' has no graph for the signature " + sig + "; saved signatures: " + known;
  NB_CHECK(dynamic_batch, InvalidArgument, no_graph, " (it was saved without dynamic_batch)");
  const std::optional<int64_t> b = graph::batch_size_of(args);
  NB_CHECK(b && *b >= 1 && sig.find("=#") == std::string::npos, InvalidArgument, no_graph,
           " (with dynamic_batch, the arguments must share a batch size >= 1 in dimension 0 and be distinct "
           "tensors)");
  const std::string family = graph::signature_of(args, /*any_batch=*/true);
  std::shared_ptr<const graph::BatchTemplate>& tmpl = templates[family];
  if (!tmpl) {
    const Sample* first = nullptr;
    const Sample* second = nullptr;
    for (const Sample& smp : samples) {
      if (smp.family != family) continue;
      if (!first) first = &smp;
      else if (smp.batch != first->batch && !second) second = &smp;
    }
    NB_CHECK(first && second, InvalidArgument, no_graph,
             " (dynamic_batch makes a graph for a new batch size from two saved ones of the family ", family,
             "; the file has ", first ? "one" : "none", ": call the function at two batch sizes before saving)");
    std::string why;
    std::optional<graph::BatchTemplate> t =
        graph::BatchTemplate::generalize(first->graph, first->batch, second->graph, second->batch, why);
    NB_CHECK(t.has_value(), InvalidArgument, no_graph, " (its saved graphs at batch sizes ", first->batch, " and ",
             second->batch, " do not generalise: ", why, ")");
    tmpl = std::make_shared<const graph::BatchTemplate>(std::move(*t));
  }
  graph::Graph g = tmpl->instantiate(*b);
  graph::optimize(g);
  g.compact();
  functions.emplace_back(sig, std::make_unique<graph::Executor>(std::make_shared<const graph::Graph>(std::move(g))));
  return functions.back().second.get();
}

LoadedFunction::LoadedFunction(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadedFunction::~LoadedFunction() = default;
LoadedFunction::LoadedFunction(LoadedFunction&&) noexcept = default;
LoadedFunction& LoadedFunction::operator=(LoadedFunction&&) noexcept = default;
const std::string& LoadedFunction::name() const { return impl_->name; }

std::vector<std::string> LoadedFunction::signatures() const {
  std::vector<std::string> out;
  for (const auto& [sig, e] : impl_->functions) out.push_back(sig);
  return out;
}

std::vector<Tensor> LoadedFunction::call(const std::vector<Tensor>& args) {
  graph::check_args(args, impl_->name);
  const std::string sig = graph::signature_of(args);
  graph::Executor* exec = nullptr;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    exec = impl_->find(sig);
    if (!exec) exec = impl_->generalize(args, sig);
  }
  return exec->run(args);  // executors are never removed; each has its own lock
}

LoadedFunction load_function(const std::string& path) {
  io::SafetensorsReader r = io::SafetensorsReader::open(path);
  const FileError fe{path};
  const std::string* format = r.metadata_value("format");
  if (!format || *format != graph::kFormat)
    fe.fail("not a nabla function file (metadata \"format\" is " + (format ? "'" + *format + "'" : "missing") +
            ", expected 'nabla.function')");
  const std::string* version = r.metadata_value("version");
  if (!version || *version != graph::kVersion)
    fe.fail("unsupported version " + (version ? *version : std::string("(missing)")) + ", expected 1");
  const std::string* text = r.metadata_value("graph");
  if (!text) fe.fail("the metadata has no \"graph\"");
  json doc;
  try {
    doc = json::parse(*text);
  } catch (const json::exception& e) {
    fe.fail(std::string("the graph is not valid JSON: ") + e.what());
  }
  auto impl = std::make_unique<LoadedFunction::Impl>();
  impl->name = fe.string(doc, "name", "the document");
  // Files written before dynamic_batch was saved have no such key: one graph per signature.
  if (doc.contains("dynamic_batch"))
    impl->dynamic_batch = fe.get(doc, "dynamic_batch", json::value_t::boolean, "the document").get<bool>();
  for (const json& jv : fe.get(doc, "variables", json::value_t::array, "the document")) {
    const std::string tname = fe.string(jv, "tensor", "a variable");
    if (!r.find(tname)) fe.fail("variable tensor '" + tname + "' is missing");
    const bool trainable = fe.get(jv, "trainable", json::value_t::boolean, "a variable").get<bool>();
    impl->variables.push_back(std::make_shared<Variable>(
        r.tensor(tname), VariableOptions{.name = fe.string(jv, "name", "a variable"), .trainable = trainable}));
  }
  const json& jfuncs = fe.get(doc, "functions", json::value_t::array, "the document");
  for (size_t f = 0; f < jfuncs.size(); ++f) {
    const json& jf = jfuncs[f];
    const std::string fwhere = "function #" + std::to_string(f);
    graph::Graph g;
    std::vector<int> var_of_file(impl->variables.size(), -1);
    auto graph_var = [&](int64_t file_index, const std::string& where) {
      if (file_index < 0 || size_t(file_index) >= impl->variables.size())
        fe.fail(where + ": variable index " + std::to_string(file_index) + " is out of range");
      int& gi = var_of_file[size_t(file_index)];
      if (gi < 0) {
        g.variables.push_back(impl->variables[size_t(file_index)]);
        gi = int(g.variables.size() - 1);
      }
      return gi;
    };
    for (const json& js : fe.get(jf, "inputs", json::value_t::array, fwhere))
      g.input_specs.push_back(spec_from_json(fe, js, fwhere + " input"));
    const json& jnodes = fe.get(jf, "nodes", json::value_t::array, fwhere);
    for (size_t i = 0; i < jnodes.size(); ++i) {
      const json& jn = jnodes[i];
      const std::string where = fwhere + " node #" + std::to_string(i);
      graph::Node n;
      const std::string kind = fe.string(jn, "kind", where);
      for (const json& v : fe.get(jn, "inputs", json::value_t::array, where)) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= int64_t(g.values.size()))
          fe.fail(where + ": input " + v.dump() + " is not an earlier value");
        n.inputs.push_back(v.get<int>());
      }
      std::vector<TensorSpec> specs;
      for (const json& js : fe.get(jn, "outputs", json::value_t::array, where))
        specs.push_back(spec_from_json(fe, js, where));
      auto need_outputs = [&](size_t k) {
        if (specs.size() != k) fe.fail(where + ": expected " + std::to_string(k) + " outputs");
      };
      if (kind == "input") {
        n.kind = graph::NodeKind::Input;
        n.arg = int(fe.integer(jn, "arg", where));
        need_outputs(1);
        if (n.arg < 0 || size_t(n.arg) >= g.input_specs.size()) fe.fail(where + ": argument index out of range");
        const TensorSpec& is = g.input_specs[size_t(n.arg)];
        if (is.shape != specs[0].shape || is.dtype != specs[0].dtype) fe.fail(where + ": spec differs from the input's");
      } else if (kind == "constant") {
        n.kind = graph::NodeKind::Constant;
        need_outputs(1);
        const std::string tname = fe.string(jn, "tensor", where);
        if (!r.find(tname)) fe.fail(where + ": constant tensor '" + tname + "' is missing");
        n.constant = r.tensor(tname);
        if (n.constant.shape() != specs[0].shape || n.constant.dtype() != specs[0].dtype)
          fe.fail(where + ": the constant's shape or dtype differs from the recorded one");
      } else if (kind == "read_variable") {
        n.kind = graph::NodeKind::ReadVariable;
        need_outputs(1);
        n.variable = graph_var(fe.integer(jn, "variable", where), where);
        const Tensor& v = g.variables[size_t(n.variable)]->value();
        if (v.shape() != specs[0].shape || v.dtype() != specs[0].dtype)
          fe.fail(where + ": the variable's shape or dtype differs from the recorded one");
      } else if (kind == "op") {
        n.kind = graph::NodeKind::Op;
        const std::string op = fe.string(jn, "op", where);
        n.op = find_op(op);
        if (!n.op) throw InvalidArgument("function file " + path + ": " + where + " uses op '" + op +
                                         "', which this build of nabla does not have");
        n.attrs = attrs_from_json(fe, fe.get(jn, "attrs", json::value_t::object, where), where);
        // Check the recorded output specs against the op's own inference.
        std::vector<TensorSpec> ins;
        for (int v : n.inputs) ins.push_back(g.values[size_t(v)].spec);
        const std::string bad = graph::check_op_outputs(*n.op, ins, n.attrs, specs);
        if (!bad.empty()) fe.fail(where + " (" + op + "): " + bad);
      } else if (kind == "stateful") {
        n.kind = graph::NodeKind::Stateful;
        auto call = std::make_shared<StatefulCall>();
        call->kind = fe.string(jn, "stateful", where);
        call->attrs = attrs_from_json(fe, fe.get(jn, "attrs", json::value_t::object, where), where);
        n.attrs = call->attrs;
        for (const json& v : fe.get(jn, "variables", json::value_t::array, where)) {
          if (!v.is_number_integer()) fe.fail(where + ": bad variable index");
          n.call_variables.push_back(graph_var(v.get<int64_t>(), where));
        }
        call->run = stateful_run(fe, call->kind, call->attrs, n.inputs.size(), specs.size(), n.call_variables.size(), where);
        if (call->kind == "AssignVariableOp") {
          const Tensor& v = g.variables[size_t(n.call_variables[0])]->value();
          const TensorSpec& in = g.values[size_t(n.inputs[0])].spec;
          if (v.shape() != in.shape || v.dtype() != in.dtype) fe.fail(where + ": assigns a value of another shape or dtype");
        } else {
          const std::vector<int64_t>& s = call->attrs.get<std::vector<int64_t>>("shape");
          if (Shape(s.begin(), s.end()) != specs[0].shape || call->attrs.get<DType>("dtype") != specs[0].dtype)
            fe.fail(where + ": the draw's attributes differ from its output");
        }
        n.call = std::move(call);
      } else {
        fe.fail(where + ": unknown node kind '" + kind + "'");
      }
      g.add_node(std::move(n), specs);
    }
    for (const json& v : fe.get(jf, "outputs", json::value_t::array, fwhere)) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= int64_t(g.values.size()))
        fe.fail(fwhere + ": output " + v.dump() + " is not a value");
      g.outputs.push_back(v.get<int>());
    }
    const std::string sig = fe.string(jf, "signature", fwhere);
    std::string plain = sig;  // without the "=#j" aliasing marks
    for (size_t p; (p = plain.find("=#")) != std::string::npos;) {
      size_t e = p + 2;
      while (e < plain.size() && std::isdigit(static_cast<unsigned char>(plain[e]))) ++e;
      plain.erase(p, e - p);
    }
    if (plain != graph::signature_of_specs(g.input_specs))
      fe.fail(fwhere + ": the signature " + sig + " does not match its inputs " + graph::signature_of_specs(g.input_specs));
    if (const std::optional<int64_t> b = graph::batch_size_of(g.input_specs);
        impl->dynamic_batch && sig.find("=#") == std::string::npos && b && *b >= 1)
      impl->samples.push_back({graph::signature_of_specs(g.input_specs, /*any_batch=*/true), *b,
                               std::make_shared<const graph::Graph>(g)});
    graph::optimize(g);
    g.compact();
    impl->functions.emplace_back(sig, std::make_unique<graph::Executor>(std::make_shared<const graph::Graph>(std::move(g))));
  }
  if (impl->functions.empty()) fe.fail("the file holds no function");
  return LoadedFunction(std::move(impl));
}

}  // namespace nabla
