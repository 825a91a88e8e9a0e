// DeviceScope: places new tensors on a device (TensorFlow's `with tf.device(...)`).
//
//   {
//     nb::DeviceScope gpu(nb::Device::cuda(0));
//     nb::Tensor a = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});  // on GPU:0
//     nb::Tensor b = a * 2.0f;                                           // runs on GPU:0
//   }
//
// Inside the scope, tensors made from host values (constant, fill, zeros, ones,
// arange, linspace, eye, random draws) are created on the scope's device. Ops
// run where their inputs are; an op whose inputs are on different devices is an
// error that names both (move one with Tensor::to). Scopes nest and are per thread.
#pragma once
#include "nabla/core/device.h"

namespace nabla {

class DeviceScope {
 public:
  // InvalidArgument when `device` does not exist in this process.
  explicit DeviceScope(Device device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  Device previous_;
};

// The innermost DeviceScope's device on this thread (the CPU outside any scope).
Device current_device();

}  // namespace nabla
