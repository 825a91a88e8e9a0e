// Metric lookup by Keras name (compile_utils.get_metric, with Keras's
// shape-based resolution of "accuracy"/"acc") and (de)serialisation in
// Keras's {"class_name": ..., "config": {...}} format.
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "nabla/train/metrics.h"
#include "train/config_reader.h"

namespace nabla::metrics {
namespace {

using json = nlohmann::json;
using train_detail::ConfigReader;
using Builder = std::function<std::unique_ptr<Metric>(const json&, const std::string&)>;

template <typename M> std::unique_ptr<Metric> build_named(const json& config, const std::string& cls) {
  typename M::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.finish();
  return std::make_unique<M>(o);
}

std::unique_ptr<Metric> build_binary_accuracy(const json& config, const std::string& cls) {
  BinaryAccuracy::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.read("threshold", o.threshold);
  r.finish();
  return std::make_unique<BinaryAccuracy>(o);
}

template <typename M> std::unique_ptr<Metric> build_top_k(const json& config, const std::string& cls) {
  typename M::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.read("k", o.k);
  if (const json* v = r.find("from_sorted_ids"))
    NB_CHECK(*v == false, InvalidArgument, cls, ": from_sorted_ids=true is not supported");
  r.finish();
  return std::make_unique<M>(o);
}

template <typename M> std::unique_ptr<Metric> build_precision_recall(const json& config, const std::string& cls) {
  typename M::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.read("thresholds", o.thresholds);
  r.read("top_k", o.top_k);
  r.read("class_id", o.class_id);
  r.finish();
  return std::make_unique<M>(o);
}

std::unique_ptr<Metric> build_f1(const json& config, const std::string& cls) {
  F1Score::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.read("average", o.average);
  r.read("threshold", o.threshold);
  r.finish();
  return std::make_unique<F1Score>(o);
}

std::unique_ptr<Metric> build_auc(const json& config, const std::string& cls) {
  AUC::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.read("num_thresholds", o.num_thresholds);
  r.read("curve", o.curve);
  r.read("summation_method", o.summation_method);
  r.read("thresholds", o.thresholds);
  r.read("multi_label", o.multi_label);
  r.read("num_labels", o.num_labels);
  r.read("label_weights", o.label_weights);
  r.read("from_logits", o.from_logits);
  r.finish();
  return std::make_unique<AUC>(o);
}

std::unique_ptr<Metric> build_r2(const json& config, const std::string& cls) {
  R2Score::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  r.read("class_aggregation", o.class_aggregation);
  r.read("num_regressors", o.num_regressors);
  r.finish();
  return std::make_unique<R2Score>(o);
}

const std::map<std::string, Builder>& class_table() {
  static const std::map<std::string, Builder> t = {
      {"Mean", &build_named<Mean>},
      {"Accuracy", &build_named<Accuracy>},
      {"BinaryAccuracy", &build_binary_accuracy},
      {"CategoricalAccuracy", &build_named<CategoricalAccuracy>},
      {"SparseCategoricalAccuracy", &build_named<SparseCategoricalAccuracy>},
      {"TopKCategoricalAccuracy", &build_top_k<TopKCategoricalAccuracy>},
      {"SparseTopKCategoricalAccuracy", &build_top_k<SparseTopKCategoricalAccuracy>},
      {"Precision", &build_precision_recall<Precision>},
      {"Recall", &build_precision_recall<Recall>},
      {"F1Score", &build_f1},
      {"AUC", &build_auc},
      {"MeanSquaredError", &build_named<MeanSquaredError>},
      {"MeanAbsoluteError", &build_named<MeanAbsoluteError>},
      {"RootMeanSquaredError", &build_named<RootMeanSquaredError>},
      {"R2Score", &build_r2},
  };
  return t;
}

// Keras's snake_case names and aliases -> class name.
const std::map<std::string, std::string>& alias_table() {
  static const std::map<std::string, std::string> t = {
      {"mean", "Mean"},
      {"binary_accuracy", "BinaryAccuracy"},
      {"categorical_accuracy", "CategoricalAccuracy"},
      {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
      {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
      {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
      {"precision", "Precision"},
      {"recall", "Recall"},
      {"f1_score", "F1Score"},
      {"auc", "AUC"},
      {"mean_squared_error", "MeanSquaredError"},
      {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},
      {"mean_absolute_error", "MeanAbsoluteError"},
      {"mae", "MeanAbsoluteError"},
      {"MAE", "MeanAbsoluteError"},
      {"root_mean_squared_error", "RootMeanSquaredError"},
      {"rmse", "RootMeanSquaredError"},
      {"RMSE", "RootMeanSquaredError"},
      {"r2_score", "R2Score"},
  };
  return t;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

std::unique_ptr<Metric> get(const std::string& name, const Shape& y_true_shape, const Shape& y_pred_shape) {
  std::unique_ptr<Metric> m;
  const std::string l = lower(name);
  if (l == "accuracy" || l == "acc") {
    NB_CHECK(y_true_shape.rank() >= 1 && y_pred_shape.rank() >= 1, InvalidArgument, "metric \"", name,
             "\": resolving accuracy needs y_true and y_pred of rank >= 1, got ", y_true_shape.str(), " and ",
             y_pred_shape.str());
    // compile_utils.is_binary_or_sparse_categorical
    const bool is_binary = y_pred_shape.back() == 1;
    const bool is_sparse = y_true_shape.rank() < y_pred_shape.rank() ||
                           (y_true_shape.back() == 1 && y_pred_shape.back() > 1);
    if (is_binary) m = std::make_unique<BinaryAccuracy>();
    else if (is_sparse) m = std::make_unique<SparseCategoricalAccuracy>();
    else m = std::make_unique<CategoricalAccuracy>();
  } else if (auto it = class_table().find(name); it != class_table().end()) {
    m = it->second(json::object(), name);
  } else if (auto a = alias_table().find(name); a != alias_table().end()) {
    m = class_table().at(a->second)(json::object(), a->second);
  } else {
    std::string names = "accuracy, acc";
    for (const auto& [k, v] : alias_table()) names += ", " + k;
    for (const auto& [k, v] : class_table()) names += ", " + k;
    throw InvalidArgument("unknown metric \"" + name + "\"; accepted names: " + names);
  }
  m->set_name(name);  // Keras's compile() names a metric after the given string
  return m;
}

std::unique_ptr<Metric> from_config(const json& config) {
  NB_CHECK(config.is_object() && config.contains("class_name") && config.at("class_name").is_string(),
           InvalidArgument, "metric config must be an object with a string \"class_name\", got ", config.dump());
  const std::string cls = config.at("class_name").get<std::string>();
  auto it = class_table().find(cls);
  if (it == class_table().end()) {
    std::string names;
    for (const auto& [k, v] : class_table()) names += (names.empty() ? "" : ", ") + k;
    throw InvalidArgument("unknown metric class \"" + cls + "\"; known classes: " + names);
  }
  return it->second(config.contains("config") ? config.at("config") : json::object(), cls);
}

json serialize(const Metric& metric) {
  return json{{"class_name", metric.class_name()}, {"config", metric.get_config()}};
}

}  // namespace nabla::metrics
