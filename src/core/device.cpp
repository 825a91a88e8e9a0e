// Devices: parsing, listing, DeviceScope, Tensor::to and the runtime registry.
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/device_runtime.h"
#include "nabla/core/device_scope.h"
#include "nabla/core/error.h"
#include "nabla/core/tensor.h"

namespace nabla {

namespace {
std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
detail::DeviceRuntime* g_cuda = nullptr;
#ifdef NABLA_CUDA_PLUGIN
std::string g_cuda_load_error;  // written once, under load_cuda_plugin's once_flag
#else
const std::string g_cuda_load_error =
    "this build of nabla has no CUDA back end (configure with -DNABLA_CUDA=ON on a machine with the CUDA toolkit)";
#endif
thread_local Device t_current = Device::cpu();

// Loads the CUDA back end's plugin (libnabla_cuda.so, from libnabla's own
// directory) once; its static initialisers register the runtime and kernels.
void load_cuda_plugin() {
#ifdef NABLA_CUDA_PLUGIN
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info{};
    std::string dir;
    if (dladdr(reinterpret_cast<void*>(&load_cuda_plugin), &info) && info.dli_fname) {
      dir = info.dli_fname;
      dir = dir.substr(0, dir.find_last_of('/') + 1);
    }
    const std::string path = dir + NABLA_CUDA_PLUGIN;
    if (!dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
      const char* e = dlerror();
      g_cuda_load_error = "the CUDA back end (" + path + ") could not be loaded: " + (e ? e : "unknown error");
    }
  });
#endif
}

detail::DeviceRuntime* loaded_cuda() {
  load_cuda_plugin();
  return g_cuda;
}
}  // namespace

Device Device::parse(std::string_view spec) {
  std::string s = lower(spec);
  for (std::string_view prefix : {"/physical_device:", "/device:", "/job:localhost/replica:0/task:0/device:"})
    if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  const size_t colon = s.find(':');
  const std::string kind = s.substr(0, colon);
  int index = 0;
  if (colon != std::string::npos) {
    const std::string num = s.substr(colon + 1);
    const bool digits = !num.empty() && num.size() <= 6 &&
                        std::all_of(num.begin(), num.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    NB_CHECK(digits, InvalidArgument, "device '", spec, "': expected a device index after ':', as in GPU:0");
    index = std::stoi(num);
  }
  if (kind == "cpu") {
    NB_CHECK(index == 0, InvalidArgument, "device '", spec, "': there is one CPU device, CPU:0");
    return Device::cpu();
  }
  if (kind == "gpu" || kind == "cuda") return Device::cuda(index);
  throw InvalidArgument(detail::str_cat("device '", spec, "': expected CPU, CPU:0, GPU, GPU:<n> or cuda:<n>"));
}

namespace detail {

void register_cuda_runtime(DeviceRuntime* runtime) { g_cuda = runtime; }
DeviceRuntime* cuda_runtime() { return loaded_cuda(); }

void check_device_exists(Device device) {
  if (device.is_cpu()) {
    NB_CHECK(device.index == 0, InvalidArgument, "device ", device.str(), " does not exist: there is one CPU, CPU:0");
    return;
  }
  NB_CHECK(loaded_cuda() != nullptr, InvalidArgument, "device ", device.str(), " is not available: ", g_cuda_load_error);
  const int n = g_cuda->device_count();
  NB_CHECK(device.index >= 0 && device.index < n, InvalidArgument, "device ", device.str(), " is not available: ",
           n == 0 ? g_cuda->unavailable_reason() : "this machine has " + std::to_string(n) + " GPU(s)");
}

Tensor to_current_device(const Tensor& t) { return t_current.is_cpu() ? t : t.to(t_current); }

}  // namespace detail

std::vector<PhysicalDevice> list_physical_devices(std::string_view device_type) {
  const std::string want = lower(device_type);
  NB_CHECK(want.empty() || want == "cpu" || want == "gpu", InvalidArgument, "list_physical_devices: device type '",
           device_type, "' is not CPU or GPU");
  std::vector<PhysicalDevice> out;
  if (want != "gpu") out.push_back({"/physical_device:CPU:0", "CPU", Device::cpu(), "host CPU", 0});
  if (want != "cpu" && loaded_cuda())
    for (int i = 0; i < g_cuda->device_count(); ++i) out.push_back(g_cuda->properties(i));
  return out;
}

namespace cuda {
bool is_built() { return loaded_cuda() != nullptr; }
int device_count() { return loaded_cuda() ? g_cuda->device_count() : 0; }
std::string unavailable_reason() { return loaded_cuda() ? g_cuda->unavailable_reason() : g_cuda_load_error; }
void synchronize(int index) {
  detail::check_device_exists(Device::cuda(index));
  g_cuda->synchronize(index);
}
}  // namespace cuda

DeviceScope::DeviceScope(Device device) : previous_(t_current) {
  detail::check_device_exists(device);
  t_current = device;
}
DeviceScope::~DeviceScope() { t_current = previous_; }

Device current_device() { return t_current; }

Tensor Tensor::to(Device device) const {
  NB_CHECK(defined(), InvalidArgument, "to(", device.str(), "): the tensor is undefined");
  if (device == this->device()) return *this;
  detail::check_device_exists(device);
  // A contiguous source (on its own device), then one copy.
  const Tensor src = contiguous();
  Tensor out = Tensor::empty(shape(), dtype(), device);
  const size_t nbytes = size_t(size()) * dtype_size(dtype());
  if (nbytes > 0) g_cuda->copy(out.mutable_raw_data(), device, src.raw_data(), src.device(), nbytes);
  return out;
}

}  // namespace nabla
