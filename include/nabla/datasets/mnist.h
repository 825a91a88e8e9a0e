// MNIST: 70000 grey-scale 28x28 images of handwritten digits, 60000 for
// training and 10000 for testing; the same layout as keras.datasets.mnist.
// Read from a folder with the four original IDX files (plain or gzip).
#pragma once
#include <string>

#include "nabla/datasets/image_data.h"

namespace nabla::datasets::mnist {

struct LoadOptions {
  // Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte,
  // t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each plain or .gz).
  // Empty: search $NABLA_DATA (the folder itself, then its `mnist`
  // subfolder), then /usr/share/datasets/mnist.
  std::string path = {};
};

// Loads the data set: x_train uint8 (60000, 28, 28), y_train uint8 (60000),
// x_test uint8 (10000, 28, 28), y_test uint8 (10000), labels in [0, 10).
// Throws NotFound (listing the folders searched) when the files are missing,
// DataLoss when a file is malformed or inconsistent (see fashion_mnist::load).
ImageClassificationData load(const LoadOptions& options = {});
// Keras's name for load().
ImageClassificationData load_data(const LoadOptions& options = {});

}  // namespace nabla::datasets::mnist
