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
#include "nabla/io/model_file.h"
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

  // ---- saving (src/io/model_file.cpp; the format is in docs/saving.md) ----------
  // Writes the architecture, weights, compile config and optimizer state to a
  // .nabla file, atomically (the previous file survives any crash). Subclassed
  // models must be registered (see nabla/io/model_file.h); InvalidArgument otherwise.
  void save(const std::string& path);
  // Writes the weights only (safetensors, named by layer path), atomically.
  void save_weights(const std::string& path);
  // Loads weights by layer path from a file written by save_weights, save, or any
  // safetensors writer. Every weight of the model must be found with its shape
  // (DataLoss naming it otherwise) unless skip_mismatch, which skips weights that
  // are missing or mis-shaped in the file. All-or-nothing: on error no weight changes.
  void load_weights(const std::string& path, const LoadWeightsOptions& options = {});
  // Every weight with its layer path ("dense/kernel", "block/dense_1/bias"), in
  // variables() order. InvalidArgument if two weights share a path.
  std::vector<std::pair<std::string, Variable*>> weight_paths();
  // The compile() arguments as JSON (Keras's compile config); null if not compiled.
  nlohmann::json get_compile_config() const;
  // compile() from get_compile_config()'s JSON.
  void compile_from_config(const nlohmann::json& config);

  // ---- training progress, for checkpoints (BackupAndRestore, ModelCheckpoint) ----
  struct TrainingState {
    int epoch = 0;              // the epoch in progress, or the next one
    int64_t step = 0;           // batches of `epoch` already trained
    std::string shuffle_state;  // fit's shuffling generator at the start of `epoch` ("" = none)
    double loss_total = 0.0, loss_count = 0.0;  // the epoch's running loss
  };
  // Where the fit() in progress stands (valid inside callbacks; after fit, its end).
  TrainingState training_state() const;
  // Makes the fit() in progress (from a callback's on_train_begin) or the next one
  // continue from `state`: it starts at state.epoch, skips state.step batches of it
  // (reshuffled exactly as in the interrupted run) and keeps its running loss.
  void resume_from(const TrainingState& state);

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
  struct FitProgress;
  std::unique_ptr<FitProgress> progress_;

 private:
  void init_graph(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs);
  // The train step's tensors (loss, predictions) after the update, computed eagerly.
  std::vector<Tensor> train_step_tensors(const Batch& batch);
  // Loss and predictions of a "train" or "test" step: compiled (nb::function, one
  // graph per batch structure and shape) unless compile() set run_eagerly.
  std::vector<Tensor> run_step(const char* kind, const Batch& batch);
  // Predictions of one batch (compiled like run_step once the model is compiled).
  std::vector<Tensor> predict_batch(const std::vector<Tensor>& x);
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
