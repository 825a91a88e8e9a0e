#include "nabla/nn/layers/lambda.h"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "nn/layer_config.h"

namespace nabla::layers {

namespace {
std::mutex& fn_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, LambdaImpl::Fn>& fn_registry() {
  static std::map<std::string, LambdaImpl::Fn> r;
  return r;
}
LayerOptions base_of(const LambdaOptions& o) {
  return LayerOptions{.name = o.name, .trainable = o.trainable, .dtype = o.dtype, .input_shape = o.input_shape};
}
}  // namespace

LambdaImpl::LambdaImpl(Fn fn, const LambdaOptions& options) : Layer(base_of(options)), fn_(std::move(fn)), options_(options) {
  NB_CHECK(fn_ != nullptr, InvalidArgument, "Lambda: empty function");
}

LambdaImpl::LambdaImpl(ListFn fn, const LambdaOptions& options)
    : Layer(base_of(options)), list_fn_(std::move(fn)), options_(options) {
  NB_CHECK(list_fn_ != nullptr, InvalidArgument, "Lambda: empty function");
}

std::vector<Tensor> LambdaImpl::call_list(const std::vector<Tensor>& xs, bool) {
  if (list_fn_) return list_fn_(xs);
  NB_CHECK(xs.size() == 1, InvalidArgument, "Lambda '", name(), "' wraps a one-input function, got ", xs.size(),
           " inputs");
  return {fn_(xs[0])};
}

void LambdaImpl::register_function(const std::string& name, Fn fn) {
  NB_CHECK(!name.empty() && fn != nullptr, InvalidArgument, "Lambda::register_function needs a name and a function");
  std::lock_guard<std::mutex> lock(fn_mutex());
  fn_registry()[name] = std::move(fn);
}

nlohmann::json LambdaImpl::get_config() const {
  NB_CHECK(!options_.function_name.empty(), Unimplemented, "Lambda '", name(),
           "' cannot be saved: give it a function_name and register the function with "
           "Lambda::register_function so that it can be rebuilt");
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["function"] = options_.function_name;
  return c;
}

std::shared_ptr<Layer> LambdaImpl::from_config(const nlohmann::json& c) {
  NB_CHECK(c.contains("function") && c["function"].is_string(), InvalidArgument,
           "Lambda config needs a string \"function\" (the registered function name)");
  std::string fname = c["function"].get<std::string>();
  Fn fn;
  {
    std::lock_guard<std::mutex> lock(fn_mutex());
    auto it = fn_registry().find(fname);
    if (it != fn_registry().end()) fn = it->second;
  }
  if (!fn)
    throw NotFound("Lambda function '" + fname + "' is not registered; call Lambda::register_function(\"" + fname +
                   "\", fn) before loading");
  LayerOptions b = detail::layer_options_from_config(c);
  return std::make_shared<LambdaImpl>(
      fn, LambdaOptions{.function_name = fname, .name = b.name, .trainable = b.trainable, .dtype = b.dtype,
                        .input_shape = b.input_shape});
}

NB_REGISTER_LAYER(LambdaImpl, "Lambda");

}  // namespace nabla::layers
