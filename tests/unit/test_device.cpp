// Devices: parsing, listing, placement scopes, copies and the CUDA back end's
// behaviour. The GPU tests skip with the reason on machines without a GPU (CI);
// the error paths of a missing GPU are checked there instead.
#include <gtest/gtest.h>

#include "nabla/nabla.h"

namespace nb = nabla;

namespace {

bool have_gpu() { return nb::cuda::device_count() > 0; }

template <typename F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const nb::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Device, ParseAcceptsTensorFlowAndTorchSpellings) {
  EXPECT_EQ(nb::Device::parse("GPU:1"), nb::Device::cuda(1));
  EXPECT_EQ(nb::Device::parse("gpu"), nb::Device::cuda(0));
  EXPECT_EQ(nb::Device::parse("cuda:2"), nb::Device::cuda(2));
  EXPECT_EQ(nb::Device::parse("/device:GPU:0"), nb::Device::cuda(0));
  EXPECT_EQ(nb::Device::parse("/physical_device:CPU:0"), nb::Device::cpu());
  EXPECT_EQ(nb::Device::parse("CPU"), nb::Device::cpu());
  EXPECT_EQ(nb::Device::cuda(3).str(), "GPU:3");
  EXPECT_NE(error_of([] { nb::Device::parse("TPU:0"); }).find("expected CPU, CPU:0, GPU"), std::string::npos);
  EXPECT_NE(error_of([] { nb::Device::parse("GPU:x"); }).find("expected a device index"), std::string::npos);
  EXPECT_NE(error_of([] { nb::Device::parse("CPU:1"); }).find("one CPU device"), std::string::npos);
}

TEST(Device, ListPhysicalDevicesStartsWithTheCpu) {
  const auto all = nb::list_physical_devices();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all[0].name, "/physical_device:CPU:0");
  EXPECT_EQ(all[0].device_type, "CPU");
  const auto gpus = nb::list_physical_devices("GPU");
  EXPECT_EQ(int(gpus.size()), nb::cuda::device_count());
  EXPECT_EQ(all.size(), gpus.size() + 1);
  for (size_t i = 0; i < gpus.size(); ++i) {
    EXPECT_EQ(gpus[i].name, "/physical_device:GPU:" + std::to_string(i));
    EXPECT_GT(gpus[i].memory_bytes, 0);
  }
  EXPECT_THROW(nb::list_physical_devices("TPU"), nb::InvalidArgument);
}

TEST(Device, ToTheSameDeviceIsTheSameTensor) {
  const nb::Tensor t = nb::constant({1.0f, 2.0f});
  EXPECT_TRUE(t.to(nb::Device::cpu()).is_same(t));
  EXPECT_EQ(nb::current_device(), nb::Device::cpu());
}

TEST(Device, AMissingGpuIsAClearError) {
  if (have_gpu()) GTEST_SKIP() << "this machine has a GPU";
  EXPECT_FALSE(nb::cuda::unavailable_reason().empty());
  const nb::Tensor t = nb::constant({1.0f, 2.0f});
  const std::string e = error_of([&] { (void)t.to(nb::Device::cuda(0)); });
  EXPECT_NE(e.find("GPU:0 is not available"), std::string::npos) << e;
  EXPECT_THROW(nb::DeviceScope(nb::Device::cuda(0)), nb::InvalidArgument);
  EXPECT_THROW(nb::Tensor::empty({2}, nb::DType::float32, nb::Device::cuda(0)), nb::InvalidArgument);
  EXPECT_THROW(nb::cuda::synchronize(0), nb::InvalidArgument);
  EXPECT_EQ(nb::current_device(), nb::Device::cpu());  // the failed scope left nothing behind
}

// ---- on a GPU ------------------------------------------------------------------------

TEST(Cuda, CourseExampleMultipliesOnGpu0) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA GPU: " << nb::cuda::unavailable_reason();
  nb::DeviceScope gpu(nb::Device::parse("GPU:0"));
  nb::Variable a(nb::constant({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}));
  nb::Variable b(nb::constant({{1.0f, 2.0f, 3.0f}}));
  const nb::Tensor c = a.value() * b.value();
  EXPECT_EQ(c.device(), nb::Device::cuda(0));
  EXPECT_EQ(c.shape(), nb::Shape({2, 3}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{1, 4, 9, 4, 10, 18}));
}

TEST(Cuda, EveryDtypeSurvivesTheRoundTrip) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA GPU: " << nb::cuda::unavailable_reason();
  for (nb::DType dt : {nb::DType::float32, nb::DType::float64, nb::DType::float16, nb::DType::bfloat16, nb::DType::int8,
                       nb::DType::int16, nb::DType::int32, nb::DType::int64, nb::DType::uint8, nb::DType::bool_}) {
    const nb::Tensor x = nb::arange(0, 24, 1, nb::DType::float32).reshape({2, 3, 4}).cast(dt);
    const nb::Tensor g = x.to(nb::Device::cuda(0));
    EXPECT_EQ(g.device(), nb::Device::cuda(0));
    EXPECT_EQ(g.to(nb::Device::cpu()).to_vector<double>(), x.to_vector<double>()) << nb::dtype_name(dt);
    // A non-contiguous view copies through the device's Cast kernel.
    const nb::Tensor v = nb::transpose(g, {2, 0, 1});
    EXPECT_EQ(v.to_vector<double>(), nb::transpose(x, {2, 0, 1}).to_vector<double>()) << nb::dtype_name(dt);
  }
}

TEST(Cuda, MixedDevicesAreRefusedWithBothNamed) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA GPU: " << nb::cuda::unavailable_reason();
  const nb::Tensor c = nb::constant({1.0f, 2.0f});
  const nb::Tensor g = c.to(nb::Device::cuda(0));
  const std::string e = error_of([&] { (void)(c + g); });
  EXPECT_NE(e.find("CPU:0"), std::string::npos) << e;
  EXPECT_NE(e.find("GPU:0"), std::string::npos) << e;
  EXPECT_EQ((g * 2.0f).to_vector<float>(), (std::vector<float>{2, 4}));  // a scalar follows the tensor
}

TEST(Cuda, ComparisonsAndSelectMatchTheCpu) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA GPU: " << nb::cuda::unavailable_reason();
  const nb::Tensor a = nb::constant({{1.0f, -2.0f, 3.0f}, {0.5f, 5.0f, -6.0f}});
  const nb::Tensor b = nb::constant({{1.0f, 0.0f, 4.0f}});
  const nb::Device gpu = nb::Device::cuda(0);
  const nb::Tensor ga = a.to(gpu), gb = b.to(gpu);
  EXPECT_EQ(nb::less(ga, gb).to_vector<bool>(), nb::less(a, b).to_vector<bool>());
  EXPECT_EQ(nb::equal(ga, gb).to_vector<bool>(), nb::equal(a, b).to_vector<bool>());
  EXPECT_EQ(nb::where(nb::greater(ga, gb), ga, gb).to_vector<float>(), nb::where(nb::greater(a, b), a, b).to_vector<float>());
}
