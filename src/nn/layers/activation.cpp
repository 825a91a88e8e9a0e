#include "nabla/nn/layers/activation.h"

#include <nlohmann/json.hpp>

#include "nn/layer_config.h"

namespace nabla::layers {

ActivationImpl::ActivationImpl(ActivationArg activation, const ActivationOptions& options)
    : Layer(options), activation_(std::move(activation)), fn_(activation_.resolve()) {}

Tensor ActivationImpl::call(const Tensor& x, bool) { return fn_(x); }

nlohmann::json ActivationImpl::get_config() const {
  NB_CHECK(activation_.name() != "custom", Unimplemented, "Activation '", name(),
           "': an activation given as a C++ function cannot be saved; use an activation name");
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["activation"] = activation_.name();
  return c;
}

std::shared_ptr<Layer> ActivationImpl::from_config(const nlohmann::json& c) {
  NB_CHECK(c.contains("activation") && c["activation"].is_string(), InvalidArgument,
           "Activation config needs a string \"activation\"");
  return std::make_shared<ActivationImpl>(c["activation"].get<std::string>(), detail::layer_options_from_config(c));
}

NB_REGISTER_LAYER(ActivationImpl, "Activation");

}  // namespace nabla::layers
