// Model's private state, shared by model.cpp, model_summary.cpp and model_config.cpp.
#pragma once
#include "nabla/graph/function.h"
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>
#include "nabla/train/metric.h"
#include "nabla/train/model.h"

namespace nabla {

struct Model::Graph {
  std::vector<KerasTensor> inputs, outputs;
  std::vector<std::shared_ptr<Node>> nodes;  // topological order, inputs included
  std::unordered_map<const Node*, size_t> index;
  std::vector<std::shared_ptr<Layer>> layers;  // unique, graph order, without InputLayers
};

struct Model::Compiled {
  std::shared_ptr<optimizers::Optimizer> optimizer;
  std::vector<LossArg> loss_args;
  std::vector<std::shared_ptr<losses::Loss>> losses;  // per output, resolved at first use
  std::vector<double> loss_weights;
  std::vector<MetricArg> metric_args;
  std::vector<MetricArg> weighted_metric_args;
  std::vector<std::vector<bool>> metric_weighted;  // per output, per metric
  bool metrics_built = false;
  std::vector<std::vector<std::unique_ptr<metrics::Metric>>> metrics;  // per output
  std::vector<std::string> metric_names;  // flattened, log names
  double loss_total = 0.0, loss_count = 0.0;  // the loss tracker (Keras: Mean weighted by batch size)
  CompileOptions options;
  // The compiled steps (nb::function), per batch structure "train:<nx>,<ny>,<sw>" ...
  std::map<std::string, std::unique_ptr<Function>> step_functions;
};

// What fit() has done so far (for checkpoints) and where the next fit resumes.
struct Model::FitProgress {
  TrainingState state;                  // loss fields are read live from Compiled
  std::optional<TrainingState> resume;  // set by resume_from, consumed by fit
};

}  // namespace nabla
