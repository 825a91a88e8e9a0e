// Model: a layer that trains (keras.Model). Three ways to make one:
//
//   // Functional: a graph of layer calls from Input to outputs.
//   auto in = nb::Input({28, 28});
//   auto x = nb::layers::Flatten()(in);
//   auto out = nb::layers::Dense(10)(nb::layers::Dense(64, {.activation = "relu"})(x));
//   nb::Model model(in, out);
//
//   // Sequential: see sequential.h.
//
//   // Subclassed: override call(); layers called inside call() are tracked.
//   struct MyModel : nb::Model {
//     nb::layers::Dense d1{64, {.activation = "relu"}}, d2{10};
//     nb::Tensor call(const nb::Tensor& x, bool training) override { return d2(d1(x)); }
//   };
//
// Then compile(), fit(), evaluate(), predict(), summary().
#pragma once
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>
#include "nabla/nn/keras_tensor.h"
#include "nabla/nn/layer.h"
#include "nabla/train/callbacks/history.h"
#include "nabla/train/compile_options.h"
#include "nabla/train/fit_options.h"
#include "nabla/train/logs.h"

namespace nabla {
namespace data { class Dataset; }

// One batch as train_step/test_step see it.
struct Batch {
  std::vector<Tensor> x;
  std::vector<Tensor> y;
  Tensor sample_weight;  // undefined: all ones
};

class Model : public Layer {
 public:
  // A subclassed model (override call or call_list).
  explicit Model(const LayerOptions& options = {});
  // A functional model from symbolic inputs to outputs.
  Model(const KerasTensor& input, const KerasTensor& output, const LayerOptions& options = {});
  Model(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs,
        const LayerOptions& options = {});
  ~Model() override;

  // Runs the functional graph (or throws Unimplemented for a subclassed model
  // that overrides neither call nor call_list).
  std::vector<Tensor> call_list(const std::vector<Tensor>& xs, bool training) override;
  Tensor call(const Tensor& x, bool training) override;

  // ---- training setup -------------------------------------------------------
  void compile(const CompileOptions& options);
  bool compiled() const;
  // FailedPrecondition before compile.
  optimizers::Optimizer& optimizer();
  // Set by callbacks (EarlyStopping, TerminateOnNaN) to end fit after the current batch.
  bool stop_training = false;

  // ---- training and inference -------------------------------------------------
  callbacks::History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  callbacks::History fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& options = {});
  // A Dataset of (x, y) or (x, y, sample_weight) batches.
  callbacks::History fit(const data::Dataset& dataset, const FitOptions& options = {});
  // Loss and metrics over the data ("loss", "accuracy", ...).
  Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  Logs evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const EvaluateOptions& options = {});
  Logs evaluate(const data::Dataset& dataset, const EvaluateOptions& options = {});
  // Outputs for x, computed in batches (training = false) and concatenated.
  Tensor predict(const Tensor& x, const PredictOptions& options = {});
  std::vector<Tensor> predict(const std::vector<Tensor>& x, const PredictOptions& options = {});
  // One optimisation step on one batch; returns the batch's loss and metrics.
  Logs train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = {});
  Logs test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = {});
  Tensor predict_on_batch(const Tensor& x);

  // The step functions fit/evaluate run; override to customise training (Keras's train_step).
  virtual Logs train_step(const Batch& batch);
  virtual Logs test_step(const Batch& batch);
  // Total loss of a batch: compiled losses (weighted) plus regularization losses.
  virtual Tensor compute_loss(const Batch& batch, const std::vector<Tensor>& y_pred);
  // Current values of the loss tracker and compiled metrics.
  Logs get_metrics_result() const;
  void reset_metrics();

  // ---- introspection ----------------------------------------------------------
  // Keras's table: layer (type), output shape, param #, totals.
  void summary(std::ostream& out) ;
  void summary();
  // Layers in order (functional: graph order without inputs; subclassed: as tracked).
  std::vector<std::shared_ptr<Layer>> layers() const;
  std::shared_ptr<Layer> get_layer(const std::string& name) const;
  bool is_functional() const { return graph_ != nullptr; }
  const std::vector<KerasTensor>& inputs() const;
  const std::vector<KerasTensor>& outputs() const;
  std::string class_name() const override { return is_functional() ? "Functional" : "Model"; }
  // Functional/Sequential configs rebuild the model with model_from_config.
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  // Output names for logs ("" for a single output).
  virtual std::vector<std::string> output_names() const;
  struct Graph;
  struct Compiled;
  std::unique_ptr<Graph> graph_;
  std::unique_ptr<Compiled> compiled_;

 private:
  void init_graph(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs);
  std::vector<Tensor> run_graph(const std::vector<Tensor>& xs, bool training);
  void ensure_metrics(const Batch& batch, const std::vector<Tensor>& y_pred);
  void update_metrics(const Batch& batch, const std::vector<Tensor>& y_pred, const Tensor& loss);
  callbacks::History fit_impl(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                              const data::Dataset* dataset, const FitOptions& options);
  Logs evaluate_impl(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sample_weight,
                     const data::Dataset* dataset, int64_t batch_size, int verbose,
                     std::optional<int64_t> steps, const std::vector<CallbackArg>& callbacks, bool from_fit);
};

// Rebuilds a Sequential or functional model (or any layer) from its config.
std::shared_ptr<Model> model_from_config(const nlohmann::json& description);

}  // namespace nabla
