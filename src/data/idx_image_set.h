// Shared loader of the MNIST-family data sets: four IDX files (train/t10k
// images and labels, each plain or gzip) in a folder found by a fixed search
// order. Internal to src/data.
#pragma once
#include <string>

#include "nabla/datasets/image_data.h"

namespace nabla::datasets::detail {

struct IdxImageSetSpec {
  const char* api_name = "";        // "fashion_mnist.load", for messages
  const char* display_name = "";    // "Fashion-MNIST"
  const char* subfolder = "";       // looked for under $NABLA_DATA
  const char* default_folder = "";  // system location
  const char* install_hint = "";    // how to get the files
  int num_classes = 10;
};

// Finds the folder (explicit `path`, else $NABLA_DATA, $NABLA_DATA/<subfolder>,
// then the default), reads and validates the four files. Throws NotFound /
// DataLoss as fashion_mnist::load documents.
ImageClassificationData load_idx_image_set(const IdxImageSetSpec& spec, const std::string& path);

}  // namespace nabla::datasets::detail
