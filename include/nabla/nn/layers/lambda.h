// Lambda: wraps a C++ callable as a layer (keras.layers.Lambda).
//
// A Lambda is saved by its function_name: to rebuild it from a config, register
// the function first with Lambda::register_function(name, fn).
#pragma once
#include <functional>
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct LambdaOptions {
  std::string function_name = {};  // looked up in the function registry by from_config
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class LambdaImpl : public Layer {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  using ListFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
  explicit LambdaImpl(Fn fn, const LambdaOptions& options = {});
  explicit LambdaImpl(ListFn fn, const LambdaOptions& options = {});
  std::vector<Tensor> call_list(const std::vector<Tensor>& xs, bool training) override;
  std::string class_name() const override { return "Lambda"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  // Makes `fn` available to from_config under `name`.
  static void register_function(const std::string& name, Fn fn);
 private:
  Fn fn_;
  ListFn list_fn_;
  LambdaOptions options_;
};

class Lambda : public LayerHolder<LambdaImpl> {
 public:
  explicit Lambda(LambdaImpl::Fn fn, const LambdaOptions& options = {})
      : LayerHolder(std::make_shared<LambdaImpl>(std::move(fn), options)) {}
  explicit Lambda(LambdaImpl::ListFn fn, const LambdaOptions& options = {})
      : LayerHolder(std::make_shared<LambdaImpl>(std::move(fn), options)) {}
  static void register_function(const std::string& name, LambdaImpl::Fn fn) {
    LambdaImpl::register_function(name, std::move(fn));
  }
};

}  // namespace nabla::layers
