// PNG encoding of 8-bit images (for TensorBoard image summaries), through libpng.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace nabla::io {

// Encodes `pixels` (row-major height x width x channels, 8 bits each; channels
// 1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA) as a PNG file's bytes.
// InvalidArgument when a size is not positive, channels is not 1..4, the image
// is larger than 2^31 - 1 bytes, or pixels.size() != height * width * channels.
std::string encode_png(std::span<const uint8_t> pixels, int64_t height, int64_t width, int64_t channels);

}  // namespace nabla::io
