// Device: where a tensor's memory lives. CPU now; the CUDA value exists so
// the CUDA back end (a later issue) needs no redesign.
#pragma once
#include <cstdint>
#include <string>

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
};

}  // namespace nabla
