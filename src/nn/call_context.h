// The thread's stack of layer calls in progress: gives nested calls the
// enclosing training flag and lets a parent track the layers it calls.
#pragma once
#include <string>
#include <vector>

namespace nabla {
class Layer;
namespace detail {
struct CallContext {
  std::vector<const Layer*> stack;
  bool training = false;
};
CallContext& call_context();
// "dense", "dense_1", ...: unique per process and base name.
std::string unique_layer_name(const std::string& base);
// Snake-case of the class name made unique ("Dense" -> "dense_2").
std::string default_layer_name(const std::string& class_name);
}  // namespace detail
}  // namespace nabla
