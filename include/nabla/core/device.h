// Device: where a tensor's memory lives (the CPU, or a CUDA GPU when nabla is
// built with its CUDA back end; docs/cuda.md).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace nabla {

enum class DeviceType : uint8_t { CPU = 0, CUDA = 1 };
inline constexpr int kNumDeviceTypes = 2;

// A device: type plus index ("CPU:0", "GPU:1").
struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;
  static Device cpu() { return {DeviceType::CPU, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::CUDA, index}; }
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  friend bool operator==(const Device&, const Device&) = default;
  // TensorFlow's spelling: "CPU:0", "GPU:0".
  std::string str() const { return (is_cpu() ? "CPU:" : "GPU:") + std::to_string(index); }
  // Parses "CPU", "CPU:0", "GPU", "GPU:1", "cuda", "cuda:1" (case-insensitive; an
  // optional "/device:" prefix as TensorFlow writes it). InvalidArgument otherwise.
  // Does not check that the device exists.
  static Device parse(std::string_view spec);
};

}  // namespace nabla
