// Model files: Model::save / load_model / save_weights / load_weights
// (include/nabla/io/model_file.h; the format is documented in docs/saving.md).
#include "nabla/io/model_file.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "io/json_depth.h"
#include "io/model_state.h"
#include "nabla/core/allocator.h"
#include "nabla/io/atomic_file.h"
#include "nabla/ops/creation.h"
#include "nabla/train/losses.h"
#include "nabla/train/metrics.h"
#include "nabla/train/optimizer.h"
#include "nabla/train/optimizers.h"
#include "train/model_internal.h"

namespace nabla {
namespace {

using json = nlohmann::json;
using nabla::detail::str_cat;

// Layer paths: a layer's own weights are "<prefix><variable name>" (the variable
// name is "<layer>/<weight>"); its sub-layers get the prefix "<prefix><layer>/".
void collect_paths(Layer& layer, const std::string& prefix, std::unordered_map<const Variable*, std::string>& paths) {
  for (const auto& [v, trainable] : layer.own_variables()) paths.try_emplace(v, prefix + v->name());
  const std::string sub_prefix = prefix + layer.name() + "/";
  for (const auto& sub : layer.sublayers()) collect_paths(*sub, sub_prefix, paths);
}

json loss_arg_json(const LossArg& a) {
  if (a.object()) return losses::serialize(*a.object());
  return a.name();
}

json metric_args_json(const std::vector<MetricArg>& args) {
  json out = json::array();
  for (const MetricArg& m : args) out.push_back(m.object() ? metrics::serialize(*m.object()) : json(m.name()));
  return out;
}

LossArg loss_arg_from(const json& j, const char* what) {
  if (j.is_string()) return LossArg(j.get<std::string>());
  NB_CHECK(j.is_object(), InvalidArgument, "compile config: expected ", what,
           " to be a loss name or {\"class_name\", \"config\"}, got ", j.type_name());
  return LossArg(losses::from_config(j));
}

std::vector<MetricArg> metric_args_from(const json& j, const char* what) {
  std::vector<MetricArg> out;
  if (j.is_null()) return out;
  NB_CHECK(j.is_array(), InvalidArgument, "compile config: expected \"", what, "\" to be a list, got ", j.type_name());
  for (const json& m : j) {
    if (m.is_string()) {
      out.emplace_back(m.get<std::string>());
    } else {
      NB_CHECK(m.is_object(), InvalidArgument, "compile config: expected each of \"", what,
               "\" to be a metric name or {\"class_name\", \"config\"}, got ", m.type_name());
      out.emplace_back(std::shared_ptr<metrics::Metric>(metrics::from_config(m)));
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- Model members

std::vector<std::pair<std::string, Variable*>> Model::weight_paths() {
  std::unordered_map<const Variable*, std::string> paths;
  for (const auto& [v, trainable] : own_variables()) paths.try_emplace(v, v->name());
  for (const auto& sub : sublayers()) collect_paths(*sub, "", paths);
  std::vector<std::pair<std::string, Variable*>> out;
  std::unordered_map<std::string, const Variable*> seen;
  for (Variable* v : variables()) {
    auto it = paths.find(v);
    std::string p = it != paths.end() ? it->second : v->name();
    auto [pos, fresh] = seen.emplace(p, v);
    NB_CHECK(fresh, InvalidArgument, "model '", name(), "': two weights have the path '", p,
             "'; give the layers unique names to save or load by path");
    out.emplace_back(std::move(p), v);
  }
  return out;
}

json Model::get_compile_config() const {
  if (!compiled_) return nullptr;
  const CompileOptions& o = compiled_->options;
  json c = json::object();
  c["optimizer"] = optimizers::serialize(*compiled_->optimizer);
  c["loss"] = o.loss.empty() ? json(nullptr) : loss_arg_json(o.loss);
  json ls = json::array();
  for (const LossArg& l : o.losses) ls.push_back(loss_arg_json(l));
  c["losses"] = std::move(ls);
  c["metrics"] = metric_args_json(o.metrics);
  c["weighted_metrics"] = metric_args_json(o.weighted_metrics);
  c["loss_weights"] = o.loss_weights;
  return c;
}

void Model::compile_from_config(const json& c) {
  NB_CHECK(c.is_object(), InvalidArgument, "compile config: expected an object, got ", c.type_name());
  CompileOptions o;
  NB_CHECK(c.contains("optimizer") && (c["optimizer"].is_object() || c["optimizer"].is_string()), InvalidArgument,
           "compile config: expected an \"optimizer\" name or object");
  if (c["optimizer"].is_string()) {
    o.optimizer = c["optimizer"].get<std::string>();
  } else {
    o.optimizer = optimizers::from_config(c["optimizer"]);
  }
  if (c.contains("loss") && !c["loss"].is_null()) o.loss = loss_arg_from(c["loss"], "\"loss\"");
  if (c.contains("losses") && !c["losses"].is_null()) {
    NB_CHECK(c["losses"].is_array(), InvalidArgument, "compile config: expected \"losses\" to be a list");
    for (const json& l : c["losses"]) o.losses.push_back(loss_arg_from(l, "each of \"losses\""));
  }
  if (c.contains("metrics")) o.metrics = metric_args_from(c["metrics"], "metrics");
  if (c.contains("weighted_metrics")) o.weighted_metrics = metric_args_from(c["weighted_metrics"], "weighted_metrics");
  if (c.contains("loss_weights") && !c["loss_weights"].is_null()) {
    NB_CHECK(c["loss_weights"].is_array(), InvalidArgument, "compile config: expected \"loss_weights\" to be a list");
    for (const json& w : c["loss_weights"]) {
      NB_CHECK(w.is_number(), InvalidArgument, "compile config: loss_weights must be numbers, got ", w.dump());
      o.loss_weights.push_back(w.get<double>());
    }
  }
  compile(o);
}

void Model::save(const std::string& path) {
  io::write_file_atomically(path, io::detail::encode_model(*this, {}));
}

void Model::save_weights(const std::string& path) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  json order = json::array();
  for (const auto& [p, v] : weight_paths()) {
    tensors.emplace_back(p, v->value());
    order.push_back(p);
  }
  io::save_safetensors(path, tensors,
                       {{"format", "nabla.weights"},
                        {"format_version", std::to_string(kModelFormatVersion)},
                        {"weight_order", order.dump()}});
}

void Model::load_weights(const std::string& path, const LoadWeightsOptions& options) {
  io::detail::restore_weights(*this, io::SafetensorsReader::open(path), options.skip_mismatch);
}

// ---------------------------------------------------------------- encoding

namespace io::detail {

namespace {
// model_config and build_config; InvalidArgument when the model cannot be rebuilt from them.
void add_architecture(Model& model, std::map<std::string, std::string>& meta) {
  NB_CHECK(model.built(), InvalidArgument, "model '", model.name(),
           "' is not built: call it (or fit it) once before saving");
  json cfg;
  try {
    cfg = layer_to_config(model);
  } catch (const Unimplemented& e) {
    throw InvalidArgument(e.what());
  }
  if (!model.is_functional() && model.class_name() != "Sequential") {
    const auto classes = registered_layer_classes();
    NB_CHECK(std::find(classes.begin(), classes.end(), model.class_name()) != classes.end(), InvalidArgument,
             "model class '", model.class_name(), "' is not registered, so load_model could not rebuild it: add ",
             "NB_REGISTER_LAYER(", model.class_name(), ", \"", model.class_name(), "\") next to its definition");
  }
  meta["model_config"] = cfg.dump();
  json build = json::object();
  build["input_shapes"] = model.build_input_shapes();
  json dts = json::array();
  for (DType d : model.build_input_dtypes()) dts.push_back(std::string(dtype_name(d)));
  build["input_dtypes"] = std::move(dts);
  meta["build_config"] = build.dump();
}
}  // namespace

std::string encode_model(Model& model, const EncodeOptions& options) {
  std::map<std::string, std::string> meta;
  meta["format"] = kModelFormat;
  meta["format_version"] = std::to_string(kModelFormatVersion);
  if (options.architecture == Architecture::required) {
    add_architecture(model, meta);
  } else {
    try {
      add_architecture(model, meta);
    } catch (const InvalidArgument&) {
      // Checkpoints of models that cannot be rebuilt hold weights and state only.
    }
  }
  std::vector<std::pair<std::string, Tensor>> tensors;
  json order = json::array();
  for (const auto& [p, v] : model.weight_paths()) {
    tensors.emplace_back(p, v->value());
    order.push_back(p);
  }
  meta["weight_order"] = order.dump();
  if (model.compiled()) {
    meta["compile_config"] = model.get_compile_config().dump();
    optimizers::Optimizer& opt = model.optimizer();
    json st = json::object();
    st["iterations"] = opt.iterations();
    st["learning_rate"] = opt.learning_rate();
    st["built"] = opt.built();
    json slots = json::array();
    std::unordered_set<std::string> used;
    for (const auto& [sname, var] : opt.variables()) {
      std::string key = "optimizer/" + sname;
      for (int k = 1; used.count(key); ++k) key = str_cat("optimizer/", sname, "#", k);
      used.insert(key);
      tensors.emplace_back(key, var->value());
      slots.push_back(key);
    }
    st["slots"] = std::move(slots);
    meta["optimizer_state"] = st.dump();
  }
  for (const auto& [k, v] : options.extra_metadata) meta[k] = v;
  return encode_safetensors(tensors, meta);
}

// ---------------------------------------------------------------- decoding

void check_format(const SafetensorsReader& f) {
  const std::string* fmt = f.metadata_value("format");
  NB_CHECK(fmt != nullptr, InvalidArgument, f.source(),
           ": a safetensors file without nabla's \"format\" metadata (written by another tool?): build the model in "
           "code and use load_weights() to read its tensors");
  NB_CHECK(*fmt == kModelFormat, InvalidArgument, f.source(), ": expected a nabla model file (format \"",
           kModelFormat, "\"), found format \"", *fmt, "\"",
           *fmt == "nabla.weights" ? " (weights only: build the model in code and call load_weights)" : "");
  const std::string* ver = f.metadata_value("format_version");
  NB_CHECK(ver != nullptr, DataLoss, f.source(), ": the metadata lacks \"format_version\"");
  int v = 0;
  try {
    size_t used = 0;
    v = std::stoi(*ver, &used);
    NB_CHECK(used == ver->size(), DataLoss, f.source(), ": format_version '", *ver, "' is not an integer");
  } catch (const std::logic_error&) {
    throw DataLoss(str_cat(f.source(), ": format_version '", *ver, "' is not an integer"));
  }
  NB_CHECK(v >= 1 && v <= kModelFormatVersion, InvalidArgument, f.source(), ": written in model format version ", v,
           "; this build of nabla reads versions 1 to ", kModelFormatVersion);
}

json metadata_json(const SafetensorsReader& f, const std::string& key, bool required) {
  const std::string* s = f.metadata_value(key);
  if (!s) {
    NB_CHECK(!required, DataLoss, f.source(), ": the metadata lacks \"", key, "\"");
    return nullptr;
  }
  const size_t depth = json_nesting_depth(*s);
  NB_CHECK(depth <= kMaxConfigNesting, DataLoss, f.source(), ": metadata \"", key, "\" nests arrays/objects ", depth,
           " levels deep; expected at most ", kMaxConfigNesting);
  json j = json::parse(*s, nullptr, /*allow_exceptions=*/false);
  NB_CHECK(!j.is_discarded(), DataLoss, f.source(), ": metadata \"", key, "\" is not valid JSON");
  return j;
}

void restore_weights(Model& model, const SafetensorsReader& f, bool skip_mismatch) {
  const auto paths = model.weight_paths();
  // Plan every assignment first: nothing changes unless all of them are valid.
  std::vector<std::pair<Variable*, const SafetensorsEntry*>> plan;
  std::vector<std::string> missing;
  for (const auto& [p, v] : paths) {
    const SafetensorsEntry* e = f.find(p);
    if (!e) {
      missing.push_back(p);
      continue;
    }
    plan.emplace_back(v, e);
  }
  if (!missing.empty() && !skip_mismatch && !model.is_functional() && model.class_name() != "Sequential") {
    // Subclassed models name their layers when first called, so the names (and
    // paths) depend on the process: fall back to the file's weight order.
    json order = metadata_json(f, "weight_order", false);
    if (order.is_array() && order.size() == paths.size()) {
      plan.clear();
      missing.clear();
      for (size_t i = 0; i < paths.size(); ++i) {
        const SafetensorsEntry* e = order[i].is_string() ? f.find(order[i].get<std::string>()) : nullptr;
        NB_CHECK(e != nullptr, DataLoss, f.source(), ": weight_order names a tensor the file does not hold: ",
                 order[i].dump());
        plan.emplace_back(paths[i].second, e);
      }
    }
  }
  if (!missing.empty() && !skip_mismatch) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", '" : "'") + missing[i] + "'";
    if (missing.size() > 5) list += str_cat(" and ", missing.size() - 5, " more");
    std::string have;
    for (size_t i = 0; i < f.entries().size() && i < 5; ++i) have += (i ? ", '" : "'") + f.entries()[i].name + "'";
    throw DataLoss(str_cat(f.source(), ": ", missing.size(), " of the model's ", paths.size(),
                           " weights are missing from the file: ", list, "; the file holds ", f.entries().size(),
                           " tensors", have.empty() ? "" : " (", have, have.empty() ? "" : ", ...)",
                           "; pass skip_mismatch to load the rest"));
  }
  std::vector<std::pair<Variable*, const SafetensorsEntry*>> ok;
  for (const auto& [v, e] : plan) {
    const bool fits = e->dtype == v->dtype() && e->shape == v->shape();
    if (!fits) {
      NB_CHECK(skip_mismatch, DataLoss, f.source(), ": weight '", e->name, "' is ", dtype_name(e->dtype), " ",
               e->shape.str(), " in the file but the model's '", v->name(), "' is ", dtype_name(v->dtype()), " ",
               v->shape().str(), " (pass skip_mismatch to skip it)");
      continue;
    }
    ok.emplace_back(v, e);
  }
  std::vector<Tensor> values;
  values.reserve(ok.size());
  for (const auto& [v, e] : ok) values.push_back(f.tensor(*e));
  for (size_t i = 0; i < ok.size(); ++i) ok[i].first->assign(values[i]);
}

void restore_optimizer(Model& model, const SafetensorsReader& f) {
  json st = metadata_json(f, "optimizer_state", false);
  if (st.is_null()) return;
  NB_CHECK(st.is_object() && st.contains("iterations") && st["iterations"].is_number_integer() &&
               st.contains("slots") && st["slots"].is_array(),
           DataLoss, f.source(), ": malformed optimizer_state: ", st.dump().substr(0, 200));
  optimizers::Optimizer& opt = model.optimizer();
  const json& slots = st["slots"];
  const bool built = st.value("built", !slots.empty());
  std::vector<std::pair<Variable*, Tensor>> assign;
  if (built) {
    opt.ensure_built(model.trainable_variables());
    auto vars = opt.variables();
    NB_CHECK(vars.size() == slots.size(), DataLoss, f.source(), ": the optimizer (", opt.class_name(), ") has ",
             vars.size(), " slot variables for this model but the file holds ", slots.size());
    for (size_t i = 0; i < vars.size(); ++i) {
      NB_CHECK(slots[i].is_string(), DataLoss, f.source(), ": optimizer_state slot names must be strings");
      const SafetensorsEntry* e = f.find(slots[i].get<std::string>());
      NB_CHECK(e != nullptr, DataLoss, f.source(), ": optimizer slot '", slots[i].get<std::string>(),
               "' is missing from the file");
      Variable* v = vars[i].second;
      NB_CHECK(e->dtype == v->dtype() && e->shape == v->shape(), DataLoss, f.source(), ": optimizer slot '", e->name,
               "' is ", dtype_name(e->dtype), " ", e->shape.str(), " in the file but ", vars[i].first, " is ",
               dtype_name(v->dtype()), " ", v->shape().str());
      assign.emplace_back(v, f.tensor(*e));
    }
  }
  const int64_t iterations = st["iterations"].get<int64_t>();
  NB_CHECK(iterations >= 0, DataLoss, f.source(), ": optimizer iterations must be >= 0, got ", iterations);
  for (auto& [v, t] : assign) v->assign(t);
  opt.set_iterations(iterations);
  if (!opt.has_schedule() && st.contains("learning_rate") && st["learning_rate"].is_number())
    opt.set_learning_rate(st["learning_rate"].get<double>());
}

}  // namespace io::detail

// ---------------------------------------------------------------- load_model

namespace {

std::shared_ptr<Model> build_model(const io::SafetensorsReader& f, const json& config) {
  std::shared_ptr<Model> model;
  try {
    model = model_from_config(config);
  } catch (const nlohmann::json::exception& e) {
    throw DataLoss(str_cat(f.source(), ": malformed model_config: ", e.what()));
  }
  if (model->built()) return model;
  // A subclassed (or deferred Sequential) model: build it by calling it once on
  // zeros of the recorded input shapes.
  json build = io::detail::metadata_json(f, "build_config", false);
  NB_CHECK(build.is_object() && build.contains("input_shapes") && build["input_shapes"].is_array(), DataLoss,
           f.source(), ": model '", model->name(), "' needs a build_config with input_shapes to be built");
  const json& shapes = build["input_shapes"];
  const json dtypes = build.contains("input_dtypes") ? build["input_dtypes"] : json::array();
  NB_CHECK(!shapes.empty() && shapes.size() <= 64, DataLoss, f.source(), ": build_config has ", shapes.size(),
           " inputs (expected 1 to 64)");
  std::vector<Tensor> xs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    NB_CHECK(shapes[i].is_array() && shapes[i].size() <= 16, DataLoss, f.source(),
             ": build_config input shapes must be lists of at most 16 dimensions");
    Shape s{1};
    for (const json& d : shapes[i]) {
      NB_CHECK(d.is_number_integer() && d.get<int64_t>() >= 0, DataLoss, f.source(),
               ": build_config dimensions must be non-negative integers, got ", d.dump());
      s.push_back(d.get<int64_t>());
    }
    DType dt = DType::float32;
    if (i < dtypes.size()) {
      NB_CHECK(dtypes[i].is_string(), DataLoss, f.source(), ": build_config input_dtypes must be strings");
      dt = dtype_from_name(dtypes[i].get<std::string>());
    }
    xs.push_back(zeros(s, dt));
  }
  if (xs.size() == 1) (*model)(xs[0], false);
  else (*model)(xs, false);
  return model;
}

}  // namespace

std::shared_ptr<Model> load_model_from_buffer(std::string bytes, const LoadModelOptions& options,
                                              const std::string& source) {
  const uint64_t file_bytes = bytes.size();
  io::SafetensorsReader f = io::SafetensorsReader::parse(std::move(bytes), source);
  io::detail::check_format(f);
  json config = io::detail::metadata_json(f, "model_config", true);
  NB_CHECK(config.is_object(), DataLoss, f.source(), ": model_config must be a JSON object, got ", config.type_name());
  // A corrupt config could describe layers far larger than the weights the file
  // holds: cap what building the model may allocate.
  std::shared_ptr<Model> model;
  try {
    ScopedAllocationLimit limit(3 * file_bytes + (uint64_t(64) << 20));
    model = build_model(f, config);
    io::detail::restore_weights(*model, f, /*skip_mismatch=*/false);
    if (options.compile) {
      json cc = io::detail::metadata_json(f, "compile_config", false);
      if (!cc.is_null()) {
        model->compile_from_config(cc);
        io::detail::restore_optimizer(*model, f);
      }
    }
  } catch (const ResourceExhausted& e) {
    throw DataLoss(str_cat(f.source(), ": the model config describes more data than the file's ", file_bytes,
                           " bytes can hold (", e.what(), "): the config is corrupt"));
  } catch (const nlohmann::json::exception& e) {
    throw DataLoss(str_cat(f.source(), ": malformed config: ", e.what()));
  }
  return model;
}

std::shared_ptr<Model> load_model(const std::filesystem::path& path, const LoadModelOptions& options) {
  return load_model_from_buffer(io::read_file(path), options, path.string());
}

}  // namespace nabla
