// Fashion-MNIST (Zalando): 70000 grey-scale 28x28 images of clothing in 10
// classes, 60000 for training and 10000 for testing; the same files and
// layout as keras.datasets.fashion_mnist. Read from Debian's
// `dataset-fashion-mnist` package or any folder with the four IDX files.
#pragma once
#include <string>
#include <vector>

#include "nabla/datasets/image_data.h"

namespace nabla::datasets::fashion_mnist {

struct LoadOptions {
  // Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte,
  // t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each plain or .gz).
  // Empty: search $NABLA_DATA (the folder itself, then its `fashion-mnist`
  // subfolder), then /usr/share/datasets/fashion-mnist.
  std::string path = {};
};

// Loads the data set: x_train uint8 (60000, 28, 28), y_train uint8 (60000),
// x_test uint8 (10000, 28, 28), y_test uint8 (10000), labels in [0, 10).
// Throws NotFound (listing the folders searched, with the apt-get hint) when
// the files are missing, DataLoss when a file is malformed or inconsistent
// (images not rank 3, labels not rank 1, counts that disagree, a dtype other
// than uint8, a label outside [0, 10)).
ImageClassificationData load(const LoadOptions& options = {});
// Keras's name for load().
ImageClassificationData load_data(const LoadOptions& options = {});
// The 10 class names, indexed by label: "T-shirt/top", "Trouser", ... "Ankle boot".
std::vector<std::string> class_names();

}  // namespace nabla::datasets::fashion_mnist
