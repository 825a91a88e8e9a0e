#include "io/png_encode.h"

#include <png.h>

#include <climits>
#include <cstring>

#include "nabla/core/error.h"

namespace nabla::io {

std::string encode_png(std::span<const uint8_t> pixels, int64_t height, int64_t width, int64_t channels) {
  NB_CHECK(height > 0 && width > 0, InvalidArgument, "encode_png: expected a positive height and width, got ",
           height, " x ", width);
  NB_CHECK(channels >= 1 && channels <= 4, InvalidArgument,
           "encode_png: expected 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels, got ", channels);
  NB_CHECK(height <= INT_MAX / width && height * width <= INT_MAX / channels, InvalidArgument,
           "encode_png: a ", height, " x ", width, " x ", channels, " image is larger than the 2^31 - 1 bytes supported");
  NB_CHECK(int64_t(pixels.size()) == height * width * channels, InvalidArgument, "encode_png: expected ",
           height * width * channels, " bytes for a ", height, " x ", width, " x ", channels, " image, got ",
           pixels.size());

  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(width);
  image.height = png_uint_32(height);
  static constexpr png_uint_32 kFormats[] = {PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
  image.format = kFormats[channels - 1];
  const png_int_32 row_stride = png_int_32(width * channels);

  // First pass measures, second pass writes (libpng's documented use of the API).
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), row_stride, nullptr)) {
    std::string msg = "encode_png: libpng failed: ";
    msg += image.message;
    png_image_free(&image);
    throw Internal(msg);
  }
  std::string out(size_t(size), '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), row_stride, nullptr)) {
    std::string msg = "encode_png: libpng failed: ";
    msg += image.message;
    png_image_free(&image);
    throw Internal(msg);
  }
  out.resize(size_t(size));
  return out;
}

}  // namespace nabla::io
