// AdamW (keras/src/optimizers/adamw.py): Adam with Keras 3's weight decay, which
// the base class applies (var -= var * weight_decay * lr before the Adam step).
#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {
AdamOptions as_adam(const AdamWOptions& o) {
  return AdamOptions{.learning_rate = o.learning_rate,
                     .beta_1 = o.beta_1,
                     .beta_2 = o.beta_2,
                     .epsilon = o.epsilon,
                     .amsgrad = o.amsgrad,
                     .weight_decay = o.weight_decay,
                     .clipnorm = o.clipnorm,
                     .clipvalue = o.clipvalue,
                     .global_clipnorm = o.global_clipnorm,
                     .name = o.name};
}
}  // namespace

AdamW::AdamW(AdamWOptions options) : Adam(as_adam(options), "adam_w") {}

std::shared_ptr<AdamW> AdamW::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "AdamW config");
  AdamWOptions o;
  const OptimizerOptions common = detail::read_common_options(r, 0.001);
  detail::apply_common(common, o);
  NB_CHECK(r.has("weight_decay") || !config.contains("weight_decay"), InvalidArgument,
           "AdamW config: argument `weight_decay` must be a float. Received: weight_decay=None");
  o.weight_decay = common.weight_decay.value_or(0.004);
  o.beta_1 = r.number("beta_1", 0.9);
  o.beta_2 = r.number("beta_2", 0.999);
  o.epsilon = r.number("epsilon", 1e-7);
  o.amsgrad = r.boolean("amsgrad", false);
  r.finish();
  return std::make_shared<AdamW>(std::move(o));
}

}  // namespace nabla::optimizers
