// Convolution and pooling layers against Keras 3 (tests/data/keras_conv_layers.json,
// written by tests/tools/gen_keras_conv_layers.py): every case is rebuilt from
// Keras's own get_config(), given Keras's weights, and must reproduce Keras's
// output, output shape, parameter count and the gradients of sum(y * r) with
// respect to the input and every weight. Also: config round trips and fidelity
// to Keras's config keys, summaries, model files, and Keras's argument errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "unit/keras_nn_data.h"

namespace nb = nabla;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const json& conv_data() {
  static const json root = [] {
    const std::string path = std::string(NABLA_TEST_DATA_DIR) + "/keras_conv_layers.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return root;
}

const json& find_case(const std::string& name) {
  for (const json& c : conv_data()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no case " + name);
}

// A float32 tensor from integers k meaning k / scale.
nb::Tensor scaled(const json& ints, const std::vector<int64_t>& shape) {
  const double scale = conv_data()["scale"].get<double>();
  std::vector<double> v;
  for (const json& k : ints) v.push_back(k.get<double>() / scale);
  return nb::detail::make_from_doubles(v, nb::Shape(shape), nb::float32);
}

std::vector<double> values(const nb::Tensor& t) {
  std::vector<double> out;
  for (float f : nb::cast(t, nb::float32).to_vector<float>()) out.push_back(f);
  return out;
}

std::vector<int64_t> without_batch(const json& shape) {
  std::vector<int64_t> s;
  for (size_t i = 1; i < shape.size(); ++i) s.push_back(shape[i].get<int64_t>());
  return s;
}

constexpr double kRtol = 1e-5, kAtol = 1e-5;

// Every key of Keras's config but name/trainable/dtype must be in nabla's with
// the same value (initializers and regularizers: the same class name).
void expect_config_matches(const json& ours, const json& keras) {
  for (const auto& [key, want] : keras.items()) {
    if (key == "name" || key == "trainable" || key == "dtype") continue;
    ASSERT_TRUE(ours.contains(key)) << "nabla's config lacks \"" << key << "\": " << ours.dump();
    if (want.is_object() && want.contains("class_name")) {
      ASSERT_TRUE(ours[key].is_object()) << key << ": " << ours[key].dump();
      EXPECT_EQ(ours[key]["class_name"], want["class_name"]) << key;
    } else {
      EXPECT_EQ(ours[key], want) << "config key \"" << key << "\"";
    }
  }
}

// The layer of a case, rebuilt from Keras's config and given Keras's weights.
std::shared_ptr<nb::Layer> keras_layer(const json& c, const nb::Tensor& x) {
  auto layer = nb::layer_from_config({{"class_name", c["class_name"]}, {"config", c["config"]}});
  (*layer)(x);  // builds
  std::vector<nb::Tensor> ws;
  for (const json& w : c["weights"]) ws.push_back(scaled(w["values"], w["shape"].get<std::vector<int64_t>>()));
  layer->set_weights(ws);
  return layer;
}

TEST(ConvLayersKeras, ForwardGradientsShapesAndConfigsMatchKeras) {
  const json& cases = conv_data()["cases"];
  ASSERT_GE(cases.size(), 30u);
  for (const json& c : cases) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const nb::Tensor x = scaled(c["x"], c["input_shape"].get<std::vector<int64_t>>());
    std::shared_ptr<nb::Layer> layer;
    ASSERT_NO_THROW(layer = keras_layer(c, x));
    EXPECT_EQ(layer->class_name(), c["class_name"].get<std::string>());
    EXPECT_EQ(layer->name(), c["config"]["name"].get<std::string>());

    // Weight names and order as Keras.
    auto vars = layer->variables();
    ASSERT_EQ(vars.size(), c["weights"].size());
    for (size_t i = 0; i < vars.size(); ++i) {
      const std::string wname = c["weights"][i]["name"];
      EXPECT_EQ(vars[i]->name(), layer->name() + "/" + wname);
    }
    EXPECT_EQ(layer->count_params(), c["params"].get<int64_t>());

    // Forward and gradients of sum(y * r).
    const nb::Tensor r = scaled(c["r"], c["output_shape"].get<std::vector<int64_t>>());
    nb::GradientTape tape;
    tape.watch(x);
    nb::Tensor y = (*layer)(x);
    ASSERT_EQ(y.shape(), nb::Shape(c["output_shape"].get<std::vector<int64_t>>()));
    EXPECT_TRUE(keras_nn::all_close(values(y), keras_nn::nums(c["y"]), kRtol, kAtol, name + " y"));
    std::vector<nb::GradientSource> sources{x};
    for (nb::Variable* v : layer->trainable_variables()) sources.emplace_back(*v);
    auto grads = tape.gradient(nb::reduce_sum(y * r), sources);
    ASSERT_EQ(grads.size(), 1 + c["grad_weights"].size());
    EXPECT_TRUE(keras_nn::all_close(values(grads[0]), keras_nn::nums(c["grad_x"]), kRtol, kAtol, name + " dx"));
    for (size_t i = 1; i < grads.size(); ++i)
      EXPECT_TRUE(keras_nn::all_close(values(grads[i]), keras_nn::nums(c["grad_weights"][i - 1]), kRtol, kAtol,
                                      name + " d" + c["weights"][i - 1]["name"].get<std::string>()));

    // The output shape summary reports (batch dimension dropped), as Keras's compute_output_shape.
    auto spec = layer->compute_output_spec({without_batch(c["input_shape"])}, {nb::float32});
    ASSERT_EQ(spec.shapes.size(), 1u);
    EXPECT_EQ(spec.shapes[0], without_batch(c["keras_output_shape"]));

    // Config: Keras's keys and values; get_config -> from_config gives the same layer.
    const json ours = layer->get_config();
    expect_config_matches(ours, c["config"]);
    auto again = nb::layer_from_config(nb::layer_to_config(*layer));
    EXPECT_EQ(again->get_config(), ours);
    (*again)(x);
    again->set_weights(layer->get_weights());
    EXPECT_EQ(values((*again)(x)), values(y));
  }
}

// Layers built with C++ options write the same config as Keras built with the
// same keyword arguments (the case's constructor in gen_keras_conv_layers.py).
TEST(ConvLayersKeras, OptionsGiveKerasConfigs) {
  namespace L = nb::layers;
  const std::vector<std::pair<std::string, nb::LayerRef>> built = {
      {"conv2d_valid", L::Conv2D(4, 3)},
      {"conv2d_same_stride2_tanh", L::Conv2D(4, {3, 2}, {.strides = 2, .padding = "same", .activation = "tanh"})},
      {"conv2d_dilation_same_nobias",
       L::Conv2D(2, 3, {.padding = "same", .dilation_rate = {2, 1}, .use_bias = false})},
      {"conv2d_groups", L::Conv2D(6, 2, {.strides = {1, 2}, .groups = 3})},
      {"conv2d_channels_first_same_stride2",
       L::Conv2D(4, 3, {.strides = 2, .padding = "SAME", .data_format = "channels_first"})},
      {"conv1d_causal_dilated", L::Conv1D(2, 3, {.padding = "causal", .dilation_rate = 2})},
      {"depthwise_mult2_same_stride2",
       L::DepthwiseConv2D({3, 2}, {.strides = 2, .padding = "same", .depth_multiplier = 2})},
      {"separable_mult2_same_stride2_tanh",
       L::SeparableConv2D(5, {2, 3}, {.strides = 2, .padding = "same", .depth_multiplier = 2, .activation = "tanh"})},
      {"conv2d_transpose_output_padding_same",
       L::Conv2DTranspose(2, 3, {.strides = {2, 3}, .padding = "same", .output_padding = {1, 2}})},
      {"conv2d_transpose_valid", L::Conv2DTranspose(4, 3)},
      {"max_pooling2d_default", L::MaxPooling2D()},
      {"max_pooling2d_same_stride1", L::MaxPooling2D({3, 2}, {.strides = 1, .padding = "same"})},
      {"average_pooling1d_channels_first", L::AveragePooling1D(2, {.data_format = "channels_first"})},
      {"global_max_pooling2d_keepdims", L::GlobalMaxPooling2D({.keepdims = true})},
      {"global_average_pooling1d_channels_first_keepdims",
       L::GlobalAveragePooling1D({.data_format = "channels_first", .keepdims = true})},
  };
  for (const auto& [name, layer] : built) {
    SCOPED_TRACE(name);
    const json& c = find_case(name);
    expect_config_matches(layer->get_config(), c["config"]);
    // And the C++-built layer computes the same output as Keras.
    const nb::Tensor x = scaled(c["x"], c["input_shape"].get<std::vector<int64_t>>());
    layer(x);
    std::vector<nb::Tensor> ws;
    for (const json& w : c["weights"]) ws.push_back(scaled(w["values"], w["shape"].get<std::vector<int64_t>>()));
    layer->set_weights(ws);
    EXPECT_TRUE(keras_nn::all_close(values(layer(x)), keras_nn::nums(c["y"]), kRtol, kAtol, name));
  }
}

// float64 layers (dtype in the config) run the reference kernels and agree with
// Keras's float32 values (the inputs are exact, so only float32 rounding differs).
TEST(ConvLayersKeras, Float64LayersAgree) {
  for (const char* name : {"conv2d_groups", "conv1d_causal_dilated", "depthwise_stride_and_dilation",
                           "separable_mult2_same_stride2_tanh", "conv2d_transpose_output_padding_same",
                           "average_pooling2d_same_stride2", "max_pooling1d_same", "global_average_pooling2d"}) {
    SCOPED_TRACE(name);
    const json& c = find_case(name);
    json config = c["config"];
    config["dtype"] = "float64";
    auto layer = nb::layer_from_config({{"class_name", c["class_name"]}, {"config", config}});
    const nb::Tensor x = nb::cast(scaled(c["x"], c["input_shape"].get<std::vector<int64_t>>()), nb::float64);
    (*layer)(x);
    std::vector<nb::Tensor> ws;
    for (const json& w : c["weights"])
      ws.push_back(nb::cast(scaled(w["values"], w["shape"].get<std::vector<int64_t>>()), nb::float64));
    layer->set_weights(ws);
    nb::Tensor y = (*layer)(x);
    EXPECT_EQ(y.dtype(), nb::float64);
    EXPECT_TRUE(keras_nn::all_close(values(y), keras_nn::nums(c["y"]), kRtol, kAtol, std::string(name)));
  }
}

TEST(ConvLayers, Conv2DInitialWeightsFollowTheInitializers) {
  nb::layers::Conv2D conv(4, 3);
  auto y = conv(nb::ones({1, 5, 5, 3}));
  EXPECT_EQ(y.shape(), nb::Shape({1, 3, 3, 4}));
  EXPECT_EQ(conv->kernel().shape(), nb::Shape({3, 3, 3, 4}));
  EXPECT_EQ(values(conv->bias().value()), std::vector<double>(4, 0.0));
  // glorot_uniform: |w| <= sqrt(6 / (fan_in + fan_out)), fan_in = 3*3*3, fan_out = 3*3*4.
  const double limit = std::sqrt(6.0 / (27 + 36));
  double max_abs = 0;
  for (double v : values(conv->kernel().value())) max_abs = std::max(max_abs, std::abs(v));
  EXPECT_LE(max_abs, limit);
  EXPECT_GT(max_abs, limit / 2);  // 108 draws: not all in the lower half
}

TEST(ConvLayers, RegularizersAddLosses) {
  nb::layers::Conv2D conv(1, 1, {.kernel_regularizer = nb::regularizers::L2({.l2 = 0.1}),
                                 .activity_regularizer = nb::regularizers::L1({.l1 = 0.5})});
  conv(nb::zeros({1, 1, 2, 2}));
  conv->set_weights({nb::constant({3.f, 4.f}).reshape(nb::Shape{1, 1, 2, 1}), nb::constant({1.f})});
  // y = [1*3 + 2*4 + 1, -1*3 + 0 + 1] = [12, -2]; activity = 0.5 * 14; kernel = 0.1 * 25.
  auto y = conv(nb::constant({1.f, 2.f, -1.f, 0.f}).reshape(nb::Shape{1, 1, 2, 2}));
  EXPECT_EQ(values(y), std::vector<double>({12.0, -2.0}));
  double total = 0;
  for (const nb::Tensor& l : conv->losses()) total += l.item<double>();
  EXPECT_NEAR(total, 0.1 * 25 + 0.5 * 14, 1e-5);
}

// ---- models ---------------------------------------------------------------------
fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("nabla_conv_" + name + "_" + std::to_string(::getpid()) + ".nabla");
}

::testing::AssertionResult same_values(const nb::Tensor& a, const nb::Tensor& b) {
  if (a.shape() != b.shape()) return ::testing::AssertionFailure() << a.shape().str() << " vs " << b.shape().str();
  if (values(a) != values(b)) return ::testing::AssertionFailure() << "values differ";
  return ::testing::AssertionSuccess();
}

TEST(ConvLayers, SequentialCnnSummarySavesAndLoads) {
  nb::Sequential model({
      nb::Input({8, 8, 1}),
      nb::layers::Conv2D(4, 3, {.activation = "relu", .name = "conv"}),
      nb::layers::MaxPooling2D(2, {.name = "pool"}),
      nb::layers::Flatten({.name = "flatten"}),
      nb::layers::Dense(3, {.name = "dense"}),
  }, {.name = "cnn"});
  std::ostringstream s;
  model.summary(s);
  const std::string table = s.str();
  // Keras: conv (None, 6, 6, 4) 40 params; pool (None, 3, 3, 4); flatten (None, 36); dense 111.
  for (const char* want : {" conv (Conv2D)               (None, 6, 6, 4)           40",
                           " pool (MaxPooling2D)         (None, 3, 3, 4)           0",
                           " flatten (Flatten)           (None, 36)                0",
                           " dense (Dense)               (None, 3)                 111", "Total params: 151"})
    EXPECT_NE(table.find(want), std::string::npos) << "missing \"" << want << "\" in\n" << table;

  nb::random::Generator g(3);
  nb::Tensor x = nb::random::normal({5, 8, 8, 1}, {}, g);
  const fs::path path = temp_file("seq");
  model.save(path.string());
  auto loaded = nb::load_model(path);
  fs::remove(path);
  EXPECT_TRUE(same_values(model.predict(x), loaded->predict(x)));
  ASSERT_EQ(loaded->layers().size(), 4u);
  EXPECT_EQ(loaded->layers()[0]->class_name(), "Conv2D");
  EXPECT_EQ(loaded->layers()[1]->class_name(), "MaxPooling2D");
}

// Default names follow Keras's to_snake_case: "Conv2D" -> "conv2d" (a digit
// before a capital does not split), "Conv2DTranspose" -> "conv2d_transpose",
// then "_<n>" for the n-th further layer of the class in the process.
TEST(ConvLayers, DefaultNamesAreKerasSnakeCase) {
  auto base = [](const std::string& name) {
    const auto us = name.find_last_of('_');
    if (us != std::string::npos && us + 1 < name.size() &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(us) + 1, name.end(), ::isdigit))
      return name.substr(0, us);
    return name;
  };
  // A layer gets its default name when first called.
  auto name_of = [](auto layer, const nb::Shape& input) {
    layer(nb::ones(input));
    return layer->name();
  };
  const nb::Shape image{1, 6, 6, 2}, sequence{1, 6, 2};
  EXPECT_EQ(base(name_of(nb::layers::Conv2D(2, 3), image)), "conv2d");
  EXPECT_EQ(base(name_of(nb::layers::Conv1D(2, 3), sequence)), "conv1d");
  EXPECT_EQ(base(name_of(nb::layers::Conv2DTranspose(2, 3), image)), "conv2d_transpose");
  EXPECT_EQ(base(name_of(nb::layers::MaxPooling2D(), image)), "max_pooling2d");
  EXPECT_EQ(base(name_of(nb::layers::GlobalAveragePooling1D(), sequence)), "global_average_pooling1d");
  EXPECT_EQ(base(name_of(nb::layers::DepthwiseConv2D(3), image)), "depthwise_conv2d");
  EXPECT_EQ(base(name_of(nb::layers::BatchNormalization(), image)), "batch_normalization");
  EXPECT_EQ(base(name_of(nb::layers::UpSampling2D(), image)), "up_sampling2d");
  EXPECT_EQ(base(name_of(nb::layers::Dense(3), sequence)), "dense");
  const std::string first = name_of(nb::layers::SeparableConv2D(2, 3), image);
  const std::string second = name_of(nb::layers::SeparableConv2D(2, 3), image);
  EXPECT_EQ(base(first), "separable_conv2d");
  EXPECT_NE(first, second);
}

TEST(ConvLayers, FunctionalModelWithEveryLayerSavesAndLoads) {
  namespace L = nb::layers;
  auto img = nb::Input({8, 7, 3}, {.name = "img"});
  auto h = L::DepthwiseConv2D(3, {.padding = "same", .depth_multiplier = 2})(img);
  h = L::SeparableConv2D(4, 3, {.strides = 2, .activation = "relu"})(h);
  h = L::Conv2DTranspose(3, 2, {.strides = 2, .output_padding = 1})(h);
  h = L::AveragePooling2D(2, {.padding = "same"})(h);
  h = L::Conv2D(4, 2, {.data_format = "channels_first", .groups = 2})(h);
  auto a = L::GlobalMaxPooling2D()(h);
  auto b = L::GlobalAveragePooling2D({.data_format = "channels_first"})(h);
  auto seq = nb::Input({10, 3}, {.name = "seq"});
  auto t = L::Conv1D(4, 3, {.padding = "causal", .dilation_rate = 2})(seq);
  t = L::MaxPooling1D(2)(t);
  t = L::AveragePooling1D(2, {.strides = 1, .padding = "same"})(t);
  auto c = L::GlobalAveragePooling1D()(t);
  auto d = L::GlobalMaxPooling1D({.data_format = "channels_first"})(t);
  auto out = L::Dense(2)(L::Concatenate()({a, b, c, d}));
  nb::Model model({img, seq}, {out}, {.name = "everything"});
  std::ostringstream s;
  EXPECT_NO_THROW(model.summary(s));

  nb::random::Generator g(5);
  std::vector<nb::Tensor> xs{nb::random::normal({3, 8, 7, 3}, {}, g), nb::random::normal({3, 10, 3}, {}, g)};
  const fs::path path = temp_file("func");
  model.save(path.string());
  auto loaded = nb::load_model(path);
  fs::remove(path);
  auto p1 = model.predict(xs), p2 = loaded->predict(xs);
  ASSERT_EQ(p1.size(), 1u);
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p1[0].shape(), nb::Shape({3, 2}));
  EXPECT_TRUE(same_values(p1[0], p2[0]));
}

// ---- errors ---------------------------------------------------------------------
// Runs f, expecting an exception of type E whose message contains every needle.
template <typename E, typename F>
void expect_error(F&& f, std::initializer_list<const char*> needles) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const E& e) {
    for (const char* n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

TEST(ConvLayers, BadConstructorArgumentsRaiseKerasErrors) {
  namespace L = nb::layers;
  using nb::InvalidArgument;
  expect_error<InvalidArgument>([] { L::Conv2D(0, 3); }, {"filters", "filters=0"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.groups = 3}); }, {"divisible", "groups=3", "filters=4"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.groups = 0}); }, {"groups"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, {3, 3, 3}); }, {"kernel_size", "2 integers"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 0); }, {"kernel_size", "> 0"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.strides = {1, 0}}); }, {"strides"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.strides = 2, .dilation_rate = 2}); },
                                {"strides > 1", "dilation_rate > 1"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.padding = "full"}); }, {"padding", "full"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.padding = "causal"}); }, {"padding", "causal"});
  expect_error<InvalidArgument>([] { L::Conv1D(4, 3, {.data_format = "NWC"}); }, {"data_format", "NWC"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 3, {.activation = "no_such_activation"}); }, {});
  expect_error<InvalidArgument>([] { L::DepthwiseConv2D(3, {.depth_multiplier = 0}); }, {"depth_multiplier"});
  expect_error<InvalidArgument>([] { L::SeparableConv2D(0, 3); }, {"filters"});
  expect_error<InvalidArgument>([] { L::Conv2DTranspose(2, 3, {.strides = 2, .output_padding = 2}); },
                                {"output_padding", "strides"});
  expect_error<InvalidArgument>([] { L::Conv2DTranspose(2, 3, {.strides = 2, .dilation_rate = 2}); },
                                {"dilation_rate"});
  expect_error<InvalidArgument>([] { L::MaxPooling2D(0); }, {"pool_size"});
  expect_error<InvalidArgument>([] { L::AveragePooling1D(2, {.padding = "causal"}); }, {"padding"});
  expect_error<InvalidArgument>([] { L::GlobalMaxPooling2D({.data_format = "nchw"}); }, {"data_format"});
  // Depthwise/separable convolutions accept strides together with dilations, as Keras.
  EXPECT_NO_THROW(L::DepthwiseConv2D(2, {.strides = 2, .dilation_rate = 2}));
}

TEST(ConvLayers, BadInputsRaiseClearErrors) {
  namespace L = nb::layers;
  using nb::InvalidArgument;
  L::Conv2D conv(4, 3, {.name = "c"});
  expect_error<InvalidArgument>([&] { conv(nb::zeros({2, 6, 5})); }, {"expected ndim=4", "(2, 6, 5)"});
  conv(nb::zeros({2, 6, 5, 3}));
  expect_error<InvalidArgument>([&] { conv(nb::zeros({2, 6, 5, 4})); }, {"value 3", "(2, 6, 5, 4)"});
  expect_error<InvalidArgument>([&] { conv(nb::zeros({2, 2, 5, 3})); }, {"zero or negative", "(2, 2, 5, 3)"});
  expect_error<InvalidArgument>([&] { conv(nb::zeros({2, 6, 5, 3}, nb::float64)); }, {"float32", "float64"});
  L::Conv2D cf(4, 3, {.data_format = "channels_first"});
  cf(nb::zeros({1, 2, 5, 5}));
  expect_error<InvalidArgument>([&] { cf(nb::zeros({1, 5, 5, 2})); }, {"axis 1", "value 2"});
  expect_error<InvalidArgument>([] { L::Conv2D(4, 2, {.groups = 2})(nb::zeros({1, 4, 4, 3})); },
                                {"groups=2", "3 channels"});
  expect_error<InvalidArgument>([] { L::Conv1D(4, 2)(nb::zeros({1, 4, 4, 3})); }, {"expected ndim=3"});
  expect_error<InvalidArgument>([] { L::DepthwiseConv2D(3)(nb::zeros({1, 4, 3})); }, {"expected ndim=4"});
  expect_error<InvalidArgument>([] { L::SeparableConv2D(2, 3)(nb::zeros({1, 4, 4})); }, {"expected ndim=4"});
  expect_error<InvalidArgument>([] { L::Conv2DTranspose(2, 3)(nb::zeros({1, 4, 4})); }, {"expected ndim=4"});
  // An even kernel with "same" padding and output_padding 0 has no consistent output size (TensorFlow too).
  expect_error<InvalidArgument>(
      [] { L::Conv2DTranspose(2, 2, {.strides = 2, .padding = "same", .output_padding = 0})(nb::zeros({1, 3, 3, 1})); },
      {"output length"});
  L::DepthwiseConv2D dw(3);
  dw(nb::zeros({1, 4, 4, 2}));
  expect_error<InvalidArgument>([&] { dw(nb::zeros({1, 4, 4, 3})); }, {"value 2"});
  expect_error<InvalidArgument>([] { L::MaxPooling2D(2)(nb::zeros({2, 6, 5})); }, {"expected ndim=4"});
  expect_error<InvalidArgument>([] { L::MaxPooling2D(3)(nb::zeros({1, 2, 5, 1})); }, {"zero or negative"});
  expect_error<InvalidArgument>([] { L::AveragePooling1D(2)(nb::zeros({2, 6})); }, {"expected ndim=3"});
  expect_error<InvalidArgument>([] { L::GlobalAveragePooling2D()(nb::zeros({2, 6, 5})); }, {"expected ndim=4"});
  expect_error<InvalidArgument>([] { L::GlobalMaxPooling1D()(nb::zeros({2, 6, 5, 1})); }, {"expected ndim=3"});
}

TEST(ConvLayers, ConfigsNablaCannotHonourAreRejected) {
  json c = find_case("conv2d_valid")["config"];
  c["kernel_constraint"] = {{"class_name", "NonNeg"}, {"config", json::object()}};
  expect_error<nb::Unimplemented>([&] { nb::layer_from_config({{"class_name", "Conv2D"}, {"config", c}}); },
                                  {"kernel_constraint"});
  json p = find_case("average_pooling1d_same")["config"];
  p.erase("pool_size");
  expect_error<nb::InvalidArgument>([&] { nb::layer_from_config({{"class_name", "AveragePooling1D"}, {"config", p}}); },
                                    {"pool_size"});
  json m = find_case("max_pooling2d_default")["config"];
  m.erase("pool_size");
  m.erase("strides");
  auto pool = nb::layer_from_config({{"class_name", "MaxPooling2D"}, {"config", m}});
  EXPECT_EQ(pool->get_config()["pool_size"], json({2, 2}));  // Keras's default
  EXPECT_EQ(pool->get_config()["strides"], json({2, 2}));
  // An activation given as a C++ function works but cannot be saved.
  nb::layers::Conv2D conv(2, 1, {.activation = nb::ActivationArg::Fn([](const nb::Tensor& t) { return t * 2.0f; })});
  EXPECT_EQ(conv(nb::ones({1, 2, 2, 1})).shape(), nb::Shape({1, 2, 2, 2}));
  expect_error<nb::Unimplemented>([&] { conv->get_config(); }, {"activation"});
}

}  // namespace
