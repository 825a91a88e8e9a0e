#include "nabla/nn/layers/dropout.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nn/layer_config.h"

namespace nabla::layers {

DropoutImpl::DropoutImpl(double rate, const DropoutOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      rate_(rate),
      options_(options) {
  NB_CHECK(rate >= 0.0 && rate < 1.0, InvalidArgument, "Dropout: rate must be in [0, 1), got ", rate);
  if (options.seed) gen_.emplace(*options.seed);
}

random::Generator& DropoutImpl::generator() { return gen_ ? *gen_ : random::default_generator(); }

Tensor DropoutImpl::call(const Tensor& x, bool training) {
  if (!training || rate_ == 0.0) return x;
  NB_CHECK(is_floating(x.dtype()), InvalidArgument, "Dropout '", name(), "' expects a floating input, got ",
           dtype_name(x.dtype()));
  Shape mask_shape = x.shape();
  if (!options_.noise_shape.empty()) {
    NB_CHECK(int64_t(options_.noise_shape.size()) == x.rank(), InvalidArgument, "Dropout '", name(),
             "': noise_shape has rank ", options_.noise_shape.size(), ", input has rank ", x.rank());
    for (size_t i = 0; i < options_.noise_shape.size(); ++i)
      if (options_.noise_shape[i] >= 0) mask_shape[i] = options_.noise_shape[i];
  }
  // Keras: keep where uniform >= rate, scale kept values by 1 / (1 - rate).
  Tensor u = random::uniform(mask_shape, {.dtype = x.dtype()}, generator());
  Tensor keep = greater_equal(u, scalar_like(rate_, u));
  return where(keep, x * scalar_like(1.0 / (1.0 - rate_), x), zeros_like(x));
}

std::vector<std::pair<std::string, random::Generator*>> DropoutImpl::own_generators() {
  if (!gen_) return {};
  return {{"seed", &*gen_}};
}

nlohmann::json DropoutImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["rate"] = rate_;
  c["noise_shape"] = options_.noise_shape.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.noise_shape);
  c["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  return c;
}

std::shared_ptr<Layer> DropoutImpl::from_config(const nlohmann::json& c) {
  LayerOptions base = detail::layer_options_from_config(c);
  NB_CHECK(c.contains("rate") && c["rate"].is_number(), InvalidArgument, "Dropout config needs a number \"rate\"");
  DropoutOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.input_shape = base.input_shape;
  if (c.contains("noise_shape") && c["noise_shape"].is_array())
    for (const auto& d : c["noise_shape"]) o.noise_shape.push_back(d.is_null() ? -1 : d.get<int64_t>());
  if (c.contains("seed") && c["seed"].is_number_integer()) o.seed = c["seed"].get<uint64_t>();
  return std::make_shared<DropoutImpl>(c["rate"].get<double>(), o);
}

NB_REGISTER_LAYER(DropoutImpl, "Dropout");

}  // namespace nabla::layers
