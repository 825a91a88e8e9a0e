// Fashion-MNIST and MNIST loaders: the real Fashion-MNIST files from Debian's
// dataset-fashion-mnist package (shapes, dtypes, facts of the data set and
// values computed independently with Python), the folder search order
// (LoadOptions::path, $NABLA_DATA, $NABLA_DATA/<name>, the system folder) on
// small MNIST-format fixtures, and the validation errors.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <nabla/data/idx.h>
#include <nabla/datasets/fashion_mnist.h>
#include <nabla/datasets/mnist.h>
#include <nabla/nabla.h>

#include "unit/data_test_util.h"

namespace nb = nabla;
namespace fm = nabla::datasets::fashion_mnist;
using data_test::EnvGuard;
using data_test::TempDir;

namespace {

const char* kSystemFolder = "/usr/share/datasets/fashion-mnist";

bool have_real_data() {
  struct stat st {};
  return ::stat((std::string(kSystemFolder) + "/train-images-idx3-ubyte.gz").c_str(), &st) == 0;
}

std::vector<int64_t> histogram(const nb::Tensor& labels) {
  std::vector<int64_t> h(10, 0);
  const uint8_t* p = labels.data<uint8_t>();
  for (int64_t i = 0; i < labels.size(); ++i) h.at(p[i])++;
  return h;
}

int64_t pixel_sum(const nb::Tensor& images, int64_t index) {
  const int64_t per = images.dim(1) * images.dim(2);
  const uint8_t* p = images.data<uint8_t>() + index * per;
  return std::accumulate(p, p + per, int64_t(0));
}

// Writes a tiny MNIST-format set into `folder`: `n_train` / `n_test` 28x28
// images whose pixels are (image index + 1) and the given labels. Train files
// gzip, test files plain (both forms must be accepted).
void write_fixture(const std::string& folder, const std::vector<uint8_t>& train_labels,
                   const std::vector<uint8_t>& test_labels) {
  std::filesystem::create_directories(folder);
  auto images = [](size_t n) {
    std::vector<uint8_t> v(n * 784);
    for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i / 784 + 1);
    return nb::constant(v, nb::Shape{int64_t(n), 28, 28});
  };
  auto labels = [](const std::vector<uint8_t>& l) { return nb::constant(l, nb::Shape{int64_t(l.size())}); };
  nb::data::write_idx(folder + "/train-images-idx3-ubyte.gz", images(train_labels.size()), true);
  nb::data::write_idx(folder + "/train-labels-idx1-ubyte.gz", labels(train_labels), true);
  nb::data::write_idx(folder + "/t10k-images-idx3-ubyte", images(test_labels.size()), false);
  nb::data::write_idx(folder + "/t10k-labels-idx1-ubyte", labels(test_labels), false);
}

template <typename E, typename F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("WRONG TYPE: ") + e.what();
  }
  return "NO ERROR";
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "missing '" << (needle) << "' in: " << (haystack)

}  // namespace

TEST(FashionMnist, LoadsTheRealDataSet) {
  if (!have_real_data()) GTEST_SKIP() << "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)";
  const auto t0 = std::chrono::steady_clock::now();
  const auto d = fm::load({.path = kSystemFolder});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ perf     ] fashion_mnist::load: %.0f ms\n", secs * 1e3);
  EXPECT_LT(secs, 5.0) << "well under 1 s expected; 5 s is a gross-regression guard";

  EXPECT_EQ(d.x_train.shape(), nb::Shape({60000, 28, 28}));
  EXPECT_EQ(d.y_train.shape(), nb::Shape({60000}));
  EXPECT_EQ(d.x_test.shape(), nb::Shape({10000, 28, 28}));
  EXPECT_EQ(d.y_test.shape(), nb::Shape({10000}));
  for (const nb::Tensor* t : {&d.x_train, &d.y_train, &d.x_test, &d.y_test}) EXPECT_EQ(t->dtype(), nb::uint8);
  // The data set is balanced: 6000 training and 1000 test images per class.
  EXPECT_EQ(histogram(d.y_train), std::vector<int64_t>(10, 6000));
  EXPECT_EQ(histogram(d.y_test), std::vector<int64_t>(10, 1000));
  // Computed with Python's gzip module on the Debian files:
  //   b = gzip.open('train-images-idx3-ubyte.gz').read(); sum(b[16:16+784]) -> 76247
  //   sum(b[-784:]) -> 16684 (last training image); b[16 + 14*28 + 14] -> 217
  //   l = gzip.open('train-labels-idx1-ubyte.gz').read(); list(l[8:18]) -> [9,0,0,3,0,2,7,2,5,5]
  //   t = gzip.open('t10k-images-idx3-ubyte.gz').read(); sum(t[16:16+784]) -> 33456
  //   list(gzip.open('t10k-labels-idx1-ubyte.gz').read()[8:13]) -> [9,2,1,1,6]
  EXPECT_EQ(pixel_sum(d.x_train, 0), 76247);
  EXPECT_EQ(pixel_sum(d.x_train, 59999), 16684);
  EXPECT_EQ(d.x_train.data<uint8_t>()[14 * 28 + 14], 217);
  EXPECT_EQ(pixel_sum(d.x_test, 0), 33456);
  const uint8_t* y = d.y_train.data<uint8_t>();
  EXPECT_EQ(std::vector<int>(y, y + 10), (std::vector<int>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  const uint8_t* yt = d.y_test.data<uint8_t>();
  EXPECT_EQ(std::vector<int>(yt, yt + 5), (std::vector<int>{9, 2, 1, 1, 6}));
  EXPECT_EQ(fm::class_names().at(y[0]), "Ankle boot");
}

TEST(FashionMnist, DefaultSearchFindsTheSystemFolder) {
  if (!have_real_data()) GTEST_SKIP() << "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)";
  EnvGuard env("NABLA_DATA", std::nullopt);
  const auto d = fm::load_data();
  EXPECT_EQ(d.x_train.shape(), nb::Shape({60000, 28, 28}));
  // An NABLA_DATA folder without the files falls through to the system folder.
  TempDir dir;
  EnvGuard env2("NABLA_DATA", dir.str());
  EXPECT_EQ(fm::load().y_test.shape(), nb::Shape({10000}));
}

TEST(FashionMnist, ClassNames) {
  EXPECT_EQ(fm::class_names(), (std::vector<std::string>{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}));
}

TEST(FashionMnist, SearchOrderPathThenEnvThenEnvSubfolder) {
  TempDir dir;
  write_fixture(dir.file("direct"), {1, 2, 3}, {4, 5});
  write_fixture(dir.file("root/fashion-mnist"), {7, 8, 9, 0}, {6});
  write_fixture(dir.file("explicit"), {2, 2}, {3, 3, 3});
  {
    EnvGuard env("NABLA_DATA", dir.file("direct"));  // the folder itself
    const auto d = fm::load();
    EXPECT_EQ(d.x_train.shape(), nb::Shape({3, 28, 28}));
    EXPECT_EQ(d.y_train.to_vector<int>(), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(d.y_test.to_vector<int>(), (std::vector<int>{4, 5}));
    EXPECT_EQ(pixel_sum(d.x_train, 2), 3 * 784);
    EXPECT_EQ(d.x_test.dtype(), nb::uint8);
    // An explicit path wins over NABLA_DATA.
    EXPECT_EQ(fm::load({.path = dir.file("explicit")}).y_test.to_vector<int>(), (std::vector<int>{3, 3, 3}));
  }
  {
    EnvGuard env("NABLA_DATA", dir.file("root"));  // a folder holding fashion-mnist/
    const auto d = fm::load_data();
    EXPECT_EQ(d.y_train.to_vector<int>(), (std::vector<int>{7, 8, 9, 0}));
    EXPECT_EQ(d.x_test.shape(), nb::Shape({1, 28, 28}));
  }
}

TEST(FashionMnist, MissingDataSetIsNotFoundWithTheInstallHint) {
  TempDir dir;
  const std::string missing = dir.file("nowhere");
  const std::string msg = error_of<nb::NotFound>([&] { fm::load({.path = missing}); });
  EXPECT_HAS(msg, "apt-get install dataset-fashion-mnist");
  EXPECT_HAS(msg, "NABLA_DATA");
  EXPECT_HAS(msg, missing);
  EXPECT_HAS(msg, "train-images-idx3-ubyte");
  // An empty folder named explicitly: no fallback to the system folder.
  const std::string empty = error_of<nb::NotFound>([&] { fm::load({.path = dir.str()}); });
  EXPECT_HAS(empty, "not found");
  EXPECT_HAS(empty, dir.str());
}

TEST(FashionMnist, IncompleteFolderNamesTheMissingFile) {
  TempDir dir;
  write_fixture(dir.str(), {1}, {2});
  std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte"));
  const std::string msg = error_of<nb::NotFound>([&] { fm::load({.path = dir.str()}); });
  EXPECT_HAS(msg, "incomplete");
  EXPECT_HAS(msg, "t10k-labels-idx1-ubyte");
}

TEST(FashionMnist, ValidatesTheFiles) {
  TempDir dir;
  const std::string f = dir.str();
  // Label out of range.
  write_fixture(f, {1, 2, 3, 4, 5, 12}, {0});
  EXPECT_HAS(error_of<nb::DataLoss>([&] { fm::load({.path = f}); }), "label 12 at index 5 is out of range [0, 10)");
  // Counts disagree.
  write_fixture(f, {1, 2}, {0});
  nb::data::write_idx(f + "/train-labels-idx1-ubyte.gz", nb::constant({1, 2, 3}, nb::uint8), true);
  EXPECT_HAS(error_of<nb::DataLoss>([&] { fm::load({.path = f}); }), "holds 3 labels but");
  // Images of the wrong rank.
  write_fixture(f, {1}, {0});
  nb::data::write_idx(f + "/t10k-images-idx3-ubyte", nb::zeros({1, 784}, nb::uint8));
  EXPECT_HAS(error_of<nb::DataLoss>([&] { fm::load({.path = f}); }), "expected images of rank 3");
  // Labels of the wrong dtype / rank.
  write_fixture(f, {1}, {0});
  nb::data::write_idx(f + "/t10k-labels-idx1-ubyte", nb::constant({0}, nb::int32));
  EXPECT_HAS(error_of<nb::DataLoss>([&] { fm::load({.path = f}); }), "expected uint8 labels, found int32");
  write_fixture(f, {1}, {0});
  nb::data::write_idx(f + "/t10k-labels-idx1-ubyte", nb::constant({{0}}, nb::uint8));
  EXPECT_HAS(error_of<nb::DataLoss>([&] { fm::load({.path = f}); }), "expected labels of rank 1");
  // A corrupt file surfaces the IDX reader's DataLoss.
  write_fixture(f, {1}, {0});
  data_test::write_bytes(f + "/t10k-images-idx3-ubyte", {0, 0, 8, 3, 0, 0});
  EXPECT_HAS(error_of<nb::DataLoss>([&] { fm::load({.path = f}); }), "truncated header");
}

TEST(Mnist, LoadsFromPathAndEnvSubfolder) {
  TempDir dir;
  write_fixture(dir.file("mnist"), {5, 0, 4}, {7, 2});
  const auto d = nb::datasets::mnist::load({.path = dir.file("mnist")});
  EXPECT_EQ(d.x_train.shape(), nb::Shape({3, 28, 28}));
  EXPECT_EQ(d.y_train.to_vector<int>(), (std::vector<int>{5, 0, 4}));
  EnvGuard env("NABLA_DATA", dir.str());
  EXPECT_EQ(nb::datasets::mnist::load_data().y_test.to_vector<int>(), (std::vector<int>{7, 2}));
}

TEST(Mnist, MissingIsNotFound) {
  TempDir dir;
  EnvGuard env("NABLA_DATA", dir.str());
  const std::string msg = error_of<nb::NotFound>([&] { nb::datasets::mnist::load(); });
  EXPECT_HAS(msg, "MNIST data set was not found");
  EXPECT_HAS(msg, dir.str() + "/mnist");
  EXPECT_HAS(msg, "/usr/share/datasets/mnist");
}
