// ImageClassificationData: the train/test split an image-classification data
// set loader returns, laid out as keras.datasets.<name>.load_data() does.
#pragma once
#include "nabla/core/tensor.h"

namespace nabla::datasets {

// x_*: images (N, H, W); y_*: one label per image (N). dtypes as the loader documents.
struct ImageClassificationData {
  Tensor x_train = {};
  Tensor y_train = {};
  Tensor x_test = {};
  Tensor y_test = {};
};

}  // namespace nabla::datasets
