#include "data/idx_image_set.h"

#include <sys/stat.h>

#include <cstdlib>
#include <iterator>
#include <optional>
#include <vector>

#include "nabla/core/thread_pool.h"
#include "nabla/data/idx.h"

namespace nabla::datasets::detail {
namespace {

using nabla::detail::str_cat;

constexpr const char* kFiles[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                   "t10k-labels-idx1-ubyte"};

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The path of `base` in `folder` (plain preferred, then .gz), if present.
std::optional<std::string> find_file(const std::string& folder, const char* base) {
  const std::string plain = folder + "/" + base;
  if (is_file(plain)) return plain;
  if (is_file(plain + ".gz")) return plain + ".gz";
  return std::nullopt;
}

// What a folder holds: all four files, some of them, or none.
struct Probe {
  std::vector<std::string> found;    // paths, in kFiles order, when complete
  std::vector<std::string> missing;  // base names
  bool exists = false;
};

Probe probe(const std::string& folder) {
  Probe p;
  p.exists = is_dir(folder);
  if (!p.exists) return p;
  for (const char* f : kFiles) {
    if (auto path = find_file(folder, f)) p.found.push_back(*path);
    else p.missing.push_back(f);
  }
  return p;
}

std::string join_missing(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i] + "[.gz]";
  return s;
}

void check_images(const IdxImageSetSpec& spec, const std::string& path, const Tensor& x) {
  NB_CHECK(x.dtype() == DType::uint8, DataLoss, spec.api_name, ": '", path, "': expected uint8 images, found ",
           dtype_name(x.dtype()));
  NB_CHECK(x.rank() == 3, DataLoss, spec.api_name, ": '", path, "': expected images of rank 3 (N, rows, cols), ",
           "found shape ", x.shape().str());
}

void check_labels(const IdxImageSetSpec& spec, const std::string& path, const Tensor& y, int64_t num_images,
                  const std::string& images_path) {
  NB_CHECK(y.dtype() == DType::uint8, DataLoss, spec.api_name, ": '", path, "': expected uint8 labels, found ",
           dtype_name(y.dtype()));
  NB_CHECK(y.rank() == 1, DataLoss, spec.api_name, ": '", path, "': expected labels of rank 1 (N), found shape ",
           y.shape().str());
  NB_CHECK(y.dim(0) == num_images, DataLoss, spec.api_name, ": '", path, "' holds ", y.dim(0), " labels but '",
           images_path, "' holds ", num_images, " images; expected equal counts");
  const uint8_t* p = y.data<uint8_t>();
  for (int64_t i = 0; i < y.dim(0); ++i)
    NB_CHECK(p[i] < spec.num_classes, DataLoss, spec.api_name, ": '", path, "': label ", int(p[i]), " at index ", i,
             " is out of range [0, ", spec.num_classes, ")");
}

}  // namespace

ImageClassificationData load_idx_image_set(const IdxImageSetSpec& spec, const std::string& path) {
  std::vector<std::string> candidates;
  if (!path.empty()) {
    candidates.push_back(path);
  } else {
    if (const char* env = std::getenv("NABLA_DATA"); env && *env) {
      candidates.push_back(env);
      candidates.push_back(std::string(env) + "/" + spec.subfolder);
    }
    candidates.push_back(spec.default_folder);
  }

  std::string looked;
  std::vector<std::string> files;
  for (const std::string& folder : candidates) {
    const Probe p = probe(folder);
    if (p.exists && p.missing.empty()) {
      files = p.found;
      break;
    }
    // A folder with some of the files is a broken copy: say so rather than
    // silently falling back to another one.
    NB_CHECK(!p.exists || p.found.empty(), NotFound, spec.api_name, ": the ", spec.display_name, " folder '",
             folder, "' is incomplete: missing ", join_missing(p.missing));
    looked += str_cat("\n  ", folder, p.exists ? " (none of the files)" : " (no such folder)");
  }
  NB_CHECK(!files.empty(), NotFound, spec.api_name, ": the ", spec.display_name,
           " data set was not found; looked in:", looked, "\nexpected the files ", join_missing(std::vector<std::string>(std::begin(kFiles), std::end(kFiles))),
           ". ", spec.install_hint);

  // Inflating the training images dominates: read the files in parallel.
  Tensor t[4];
  parallel_for(0, 4, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) t[i] = data::read_idx(files[size_t(i)]);
  });
  ImageClassificationData d{.x_train = t[0], .y_train = t[1], .x_test = t[2], .y_test = t[3]};
  check_images(spec, files[0], d.x_train);
  check_images(spec, files[2], d.x_test);
  NB_CHECK(d.x_train.dim(1) == d.x_test.dim(1) && d.x_train.dim(2) == d.x_test.dim(2), DataLoss, spec.api_name,
           ": training images are ", d.x_train.dim(1), "x", d.x_train.dim(2), " but test images are ",
           d.x_test.dim(1), "x", d.x_test.dim(2), "; expected the same size");
  check_labels(spec, files[1], d.y_train, d.x_train.dim(0), files[0]);
  check_labels(spec, files[3], d.y_test, d.x_test.dim(0), files[2]);
  return d;
}

}  // namespace nabla::datasets::detail
