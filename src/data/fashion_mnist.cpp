#include "nabla/datasets/fashion_mnist.h"

#include "data/idx_image_set.h"

namespace nabla::datasets::fashion_mnist {

namespace {
const detail::IdxImageSetSpec kSpec = {
    .api_name = "fashion_mnist.load",
    .display_name = "Fashion-MNIST",
    .subfolder = "fashion-mnist",
    .default_folder = "/usr/share/datasets/fashion-mnist",
    .install_hint = "Install it with `apt-get install dataset-fashion-mnist`, or set NABLA_DATA "
                    "(or pass --data / LoadOptions::path) to a folder holding these files.",
    .num_classes = 10,
};
}  // namespace

ImageClassificationData load(const LoadOptions& options) { return detail::load_idx_image_set(kSpec, options.path); }

ImageClassificationData load_data(const LoadOptions& options) { return load(options); }

std::vector<std::string> class_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

}  // namespace nabla::datasets::fashion_mnist
