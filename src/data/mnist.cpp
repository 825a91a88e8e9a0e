#include "nabla/datasets/mnist.h"

#include "data/idx_image_set.h"

namespace nabla::datasets::mnist {

namespace {
const detail::IdxImageSetSpec kSpec = {
    .api_name = "mnist.load",
    .display_name = "MNIST",
    .subfolder = "mnist",
    .default_folder = "/usr/share/datasets/mnist",
    .install_hint = "Download the four MNIST IDX files (http://yann.lecun.com/exdb/mnist/) into a folder and "
                    "set NABLA_DATA (or pass --data / LoadOptions::path) to it.",
    .num_classes = 10,
};
}  // namespace

ImageClassificationData load(const LoadOptions& options) { return detail::load_idx_image_set(kSpec, options.path); }

ImageClassificationData load_data(const LoadOptions& options) { return load(options); }

}  // namespace nabla::datasets::mnist
