// Layer: the building block of models (keras.layers.Layer).
//
// A layer owns named Variables, creates them in build() on its first call from
// the input shape, and computes call(inputs, training). Layers are used through
// shared handles (LayerRef and the per-layer holders such as
// nb::layers::Dense), so one layer can be called several times (shared
// weights) and stays alive as long as a model refers to it:
//
//   auto dense = nb::layers::Dense(64, {.activation = "relu"});
//   nb::Tensor y = dense(x);                   // eager call: builds, then computes
//   auto out = dense(nb::Input({784}));        // symbolic call: functional API
//
// Custom layers derive from nb::Layer, override build() and call(), create
// weights with add_weight(), and are held with nb::make_layer<MyLayer>(...).
// Layers called inside another layer's call() are tracked by it automatically
// (their variables become the parent's), as Keras tracks attributes.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <nlohmann/json_fwd.hpp>
#include "nabla/core/tensor.h"
#include "nabla/core/variable.h"

namespace nabla {
namespace initializers { class Initializer; }
namespace regularizers { class Regularizer; }
namespace random { class Generator; }

class KerasTensor;

// An initializer given by Keras name ("glorot_uniform") or as an object.
class InitializerArg {
 public:
  InitializerArg() = default;
  InitializerArg(const char* name) : name_(name) {}          // NOLINT: implicit by design
  InitializerArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <typename I>
    requires std::is_base_of_v<initializers::Initializer, I>
  InitializerArg(I init) : ptr_(std::make_shared<I>(std::move(init))) {}  // NOLINT
  InitializerArg(std::shared_ptr<initializers::Initializer> p) : ptr_(std::move(p)) {}  // NOLINT
  bool empty() const { return ptr_ == nullptr && name_.empty(); }
  // The initializer (resolving the name); InvalidArgument for an unknown name.
  std::shared_ptr<initializers::Initializer> get() const;
 private:
  std::string name_;
  std::shared_ptr<initializers::Initializer> ptr_;
};

// A regularizer given by Keras name ("l2") or as an object; empty = none.
class RegularizerArg {
 public:
  RegularizerArg() = default;
  RegularizerArg(const char* name) : name_(name) {}          // NOLINT
  RegularizerArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <typename R>
    requires std::is_base_of_v<regularizers::Regularizer, R>
  RegularizerArg(R reg) : ptr_(std::make_shared<R>(std::move(reg))) {}  // NOLINT
  RegularizerArg(std::shared_ptr<regularizers::Regularizer> p) : ptr_(std::move(p)) {}  // NOLINT
  bool empty() const { return ptr_ == nullptr && name_.empty(); }
  // The regularizer, or null when empty; InvalidArgument for an unknown name.
  std::shared_ptr<regularizers::Regularizer> get() const;
 private:
  std::string name_;
  std::shared_ptr<regularizers::Regularizer> ptr_;
};

// Options of Layer::add_weight.
struct WeightOptions {
  InitializerArg initializer = "glorot_uniform";
  RegularizerArg regularizer = {};
  bool trainable = true;
  DType dtype = DType::float32;
};

// Options every layer accepts (Keras's base Layer keyword arguments).
struct LayerOptions {
  std::string name = {};            // default: snake_case class name + unique suffix
  bool trainable = true;
  DType dtype = DType::float32;     // dtype of the weights and computations
  std::vector<int64_t> input_shape = {};  // without the batch dimension; lets Sequential build early
};

class Layer : public std::enable_shared_from_this<Layer> {
 public:
  explicit Layer(const LayerOptions& options = {});
  virtual ~Layer();
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // ---- calling -------------------------------------------------------------
  // Eager call: builds on first use, then call(). `training` defaults to the
  // enclosing call's flag (false at top level).
  Tensor operator()(const Tensor& x, std::optional<bool> training = std::nullopt);
  std::vector<Tensor> operator()(const std::vector<Tensor>& xs, std::optional<bool> training = std::nullopt);

  // The computation, to override: a single-input layer overrides call(), a
  // multi-input or multi-output one overrides call_list(). The defaults forward
  // to each other (Unimplemented if neither is overridden).
  virtual Tensor call(const Tensor& x, bool training);
  virtual std::vector<Tensor> call_list(const std::vector<Tensor>& xs, bool training);

  // Creates the weights from the shapes of the first call's inputs (the batch
  // dimension included). Default: nothing. Called once; sets built().
  virtual void build(const std::vector<Shape>& input_shapes);
  bool built() const { return built_; }
  // Shapes (without the batch dimension) and dtypes of the inputs the layer was
  // built from (empty if built by build_from_shapes with no dtype, or not built).
  const std::vector<std::vector<int64_t>>& build_input_shapes() const { return build_shapes_; }
  const std::vector<DType>& build_input_dtypes() const { return build_dtypes_; }
  // Random generators this layer owns (e.g. a seeded Dropout), by name, so that
  // checkpoints can save and restore them. Default: none.
  virtual std::vector<std::pair<std::string, random::Generator*>> own_generators() { return {}; }
  // Builds from shapes without the batch dimension (as given to Input).
  void build_from_shapes(const std::vector<std::vector<int64_t>>& shapes_without_batch);

  // ---- weights --------------------------------------------------------------
  // Creates a weight owned by this layer, named "<layer name>/<name>".
  Variable& add_weight(const std::string& name, const Shape& shape, const WeightOptions& options = {});
  // Own and tracked sub-layers' variables, in creation order (Keras's order).
  std::vector<Variable*> variables();
  // Trainable ones: only if this layer (and the owning sub-layer) is trainable.
  std::vector<Variable*> trainable_variables();
  std::vector<Variable*> non_trainable_variables();
  // Copies of the values of variables(), and the inverse (shapes must match).
  std::vector<Tensor> get_weights();
  void set_weights(const std::vector<Tensor>& weights);
  // Number of scalars in variables() / trainable_variables().
  int64_t count_params();

  // Sum of the regularization penalties of this layer's and its sub-layers'
  // weights plus activity losses added with add_loss during the last call.
  std::vector<Tensor> losses();
  // Adds a loss term (activity regularization) for the current call.
  void add_loss(const Tensor& loss);

  bool trainable() const { return trainable_; }
  // Freezes or unfreezes the layer, its weights and its sub-layers (Keras 3).
  virtual void set_trainable(bool t);
  // This layer's own weights (without sub-layers) and whether each was created trainable.
  std::vector<std::pair<Variable*, bool>> own_variables() const;
  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  // Input shape (without batch) given in the options, if any.
  const std::vector<int64_t>& input_shape_hint() const { return input_shape_; }

  // Sub-layers (tracked automatically when called inside call(), or with track()).
  const std::vector<std::shared_ptr<Layer>>& sublayers() const { return sublayers_; }
  // Registers `child` as a sub-layer; returns it.
  std::shared_ptr<Layer> track(std::shared_ptr<Layer> child);

  // ---- serialization --------------------------------------------------------
  // Keras class name ("Dense"); must match the name the layer is registered under.
  virtual std::string class_name() const = 0;
  // The layer's constructor arguments as Keras writes them (name, trainable,
  // dtype plus the layer's own). from_config(class_name, config) rebuilds it.
  virtual nlohmann::json get_config() const;

  // Output shapes (without batch) for inputs of the given shapes, computed by
  // calling the layer on zeros with a batch of 1 (builds it if needed).
  struct OutputSpec {
    std::vector<std::vector<int64_t>> shapes;  // without the batch dimension
    std::vector<DType> dtypes;
  };
  OutputSpec compute_output_spec(const std::vector<std::vector<int64_t>>& input_shapes,
                                 const std::vector<DType>& input_dtypes);

 protected:
  // Fills name/trainable/dtype (and batch_input_shape) into a config.
  void base_config(nlohmann::json& config) const;
  void set_name(std::string name) { name_ = std::move(name); }
  // Stops tracking a sub-layer (Sequential::pop).
  void untrack(const Layer* child);

 private:
  friend class Model;
  void ensure_built(const std::vector<Tensor>& xs);
  // Tracks this layer in the calling layer, clears the call's losses and
  // returns the effective training flag.
  bool enter_call(std::optional<bool> training);
  std::string name_;
  bool trainable_ = true;
  bool built_ = false;
  DType dtype_ = DType::float32;
  std::vector<int64_t> input_shape_;
  std::vector<std::vector<int64_t>> build_shapes_;
  std::vector<DType> build_dtypes_;
  struct Weight {
    std::unique_ptr<Variable> var;
    std::shared_ptr<regularizers::Regularizer> regularizer;
    bool trainable = true;
  };
  std::vector<Weight> weights_;
  std::vector<std::shared_ptr<Layer>> sublayers_;
  std::vector<Tensor> call_losses_;
  const Layer* tracked_by_ = nullptr;
  // Guards against infinite call/call_list recursion when neither is overridden.
  int forward_depth_ = 0;
};

// Rebuilds a layer from its Keras-style description {"class_name": ..., "config": {...}}
// through the layer registry; NotFound naming the class for an unknown one.
std::shared_ptr<Layer> layer_from_config(const nlohmann::json& description);
// Serializes a layer as {"class_name": ..., "config": ...}.
nlohmann::json layer_to_config(const Layer& layer);

// A shared handle to any layer. Per-layer holders (nb::layers::Dense, ...)
// derive from it and convert to it, so lists of different layers work.
class LayerRef {
 public:
  LayerRef() = default;
  LayerRef(std::shared_ptr<Layer> layer) : ptr_(std::move(layer)) {}  // NOLINT: implicit by design
  // An Input (nb::Input) as the first element of a Sequential list.
  LayerRef(const KerasTensor& input);  // NOLINT
  Layer* operator->() const { return ptr_.get(); }
  Layer& operator*() const { return *ptr_; }
  const std::shared_ptr<Layer>& ptr() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

  Tensor operator()(const Tensor& x, std::optional<bool> training = std::nullopt) const;
  std::vector<Tensor> operator()(const std::vector<Tensor>& xs, std::optional<bool> training = std::nullopt) const;
  // Symbolic calls (functional API).
  KerasTensor operator()(const KerasTensor& x) const;
  std::vector<KerasTensor> operator()(const std::vector<KerasTensor>& xs) const;
  KerasTensor operator()(std::initializer_list<KerasTensor> xs) const;

 protected:
  std::shared_ptr<Layer> ptr_;
};

// Holder of a layer implementation type: `->` reaches the implementation.
template <typename Impl>
class LayerHolder : public LayerRef {
 public:
  explicit LayerHolder(std::shared_ptr<Impl> impl) : LayerRef(std::move(impl)) {}
  Impl* operator->() const { return static_cast<Impl*>(ptr_.get()); }
  Impl& operator*() const { return *static_cast<Impl*>(ptr_.get()); }
  std::shared_ptr<Impl> impl() const { return std::static_pointer_cast<Impl>(ptr_); }
};

// Creates a layer of a custom type and returns its holder.
template <typename L, typename... Args>
LayerHolder<L> make_layer(Args&&... args) {
  return LayerHolder<L>(std::make_shared<L>(std::forward<Args>(args)...));
}

namespace detail {
using LayerFactory = std::function<std::shared_ptr<Layer>(const nlohmann::json& config)>;
// Registers a factory under a Keras class name (used by NB_REGISTER_LAYER).
bool register_layer_class(const std::string& class_name, LayerFactory factory);
}  // namespace detail
// Names of every registered layer class.
std::vector<std::string> registered_layer_classes();

}  // namespace nabla

// Registers layer type T under `class_name`; T must have a static
// `std::shared_ptr<Layer> from_config(const nlohmann::json&)`.
#define NB_REGISTER_LAYER(T, class_name)                                                   \
  static const bool nb_layer_registered_##T [[maybe_unused]] =                             \
      ::nabla::detail::register_layer_class(class_name, [](const nlohmann::json& c) {      \
        return std::shared_ptr<::nabla::Layer>(T::from_config(c));                         \
      })
