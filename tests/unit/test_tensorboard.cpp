// TensorBoard event files: CRC32C, TFRecord framing, SummaryWriter and the
// TensorBoard callback. The files are read back here with nabla's TFRecord
// reader (every CRC checked) and decoded with the generated protobuf classes;
// tests/tools/check_tensorboard.py reads them with TensorBoard's own reader.
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "io/crc32c.h"
#include "io/tfrecord.h"
#include "nabla/io/summary_writer.h"
#include "nabla/nabla.h"
#include "src/io/proto/event.pb.h"

namespace nb = nabla;
namespace fs = std::filesystem;
namespace pb = nabla::tensorboard;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path p = fs::path(::testing::TempDir()) / ("nabla_tb_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  return p;
}

// The single event file in `dir`.
fs::path event_file_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  EXPECT_EQ(files.size(), 1u) << "in " << dir;
  return files.empty() ? fs::path() : files[0];
}

// Every Event of a file, each record's CRCs checked by the reader.
std::vector<pb::Event> read_events(const fs::path& file) {
  std::vector<pb::Event> events;
  for (const std::string& rec : nb::io::read_tfrecord_file(file)) {
    pb::Event ev;
    EXPECT_TRUE(ev.ParseFromString(rec)) << "a record of " << file << " is not an Event";
    events.push_back(std::move(ev));
  }
  return events;
}

// The values of each tag of a run, in file order, with their steps.
struct RunLog {
  std::map<std::string, std::vector<std::pair<int64_t, float>>> scalars;
  std::map<std::string, std::vector<std::pair<int64_t, pb::HistogramProto>>> histograms;
  std::map<std::string, std::vector<std::pair<int64_t, pb::Summary::Image>>> images;
  std::string file_version;
};

RunLog read_run(const fs::path& dir) {
  RunLog run;
  std::vector<pb::Event> events = read_events(event_file_in(dir));
  EXPECT_FALSE(events.empty());
  if (events.empty()) return run;
  run.file_version = events[0].file_version();
  for (size_t i = 1; i < events.size(); ++i) {
    const pb::Event& ev = events[i];
    EXPECT_TRUE(ev.has_summary()) << "event " << i << " of " << dir;
    for (const auto& v : ev.summary().value()) {
      if (v.has_simple_value()) run.scalars[v.tag()].emplace_back(ev.step(), v.simple_value());
      else if (v.has_histo()) run.histograms[v.tag()].emplace_back(ev.step(), v.histo());
      else if (v.has_image()) run.images[v.tag()].emplace_back(ev.step(), v.image());
      else ADD_FAILURE() << "unexpected summary value " << v.tag();
    }
  }
  return run;
}

struct DecodedPng {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

// Decodes with libpng into 8-bit pixels with the PNG's own channel count.
DecodedPng decode_png(const std::string& bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  DecodedPng out;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    ADD_FAILURE() << "libpng cannot read the image: " << image.message;
    return out;
  }
  out.channels = int(PNG_IMAGE_PIXEL_CHANNELS(image.format));
  image.format = out.channels == 1 ? PNG_FORMAT_GRAY
                 : out.channels == 2 ? PNG_FORMAT_GA
                 : out.channels == 3 ? PNG_FORMAT_RGB
                                     : PNG_FORMAT_RGBA;
  out.width = int(image.width);
  out.height = int(image.height);
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) {
    ADD_FAILURE() << "libpng cannot decode the image: " << image.message;
    png_image_free(&image);
  }
  return out;
}

std::string bytes_of(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(char(b));
  return s;
}

// Expects `f` to throw DataLoss whose message contains every one of `parts`.
template <typename F>
void expect_data_loss(F&& f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "no DataLoss thrown";
  } catch (const nb::DataLoss& e) {
    for (const char* p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

std::vector<std::string> read_all(const std::string& bytes) {
  auto reader = nb::io::TFRecordReader::from_bytes(bytes, "test.tfrecord");
  std::vector<std::string> out;
  while (auto r = reader.next()) out.push_back(*r);
  return out;
}

}  // namespace

// ---- CRC32C --------------------------------------------------------------------

TEST(Crc32c, StandardCheckValues) {
  EXPECT_EQ(nb::io::crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(nb::io::crc32c(""), 0u);
  // RFC 3720 (iSCSI) B.4 test vectors.
  EXPECT_EQ(nb::io::crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(nb::io::crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string inc, dec;
  for (int i = 0; i < 32; ++i) {
    inc.push_back(char(i));
    dec.push_back(char(31 - i));
  }
  EXPECT_EQ(nb::io::crc32c(inc), 0x46DD794Eu);
  EXPECT_EQ(nb::io::crc32c(dec), 0x113FDB5Cu);
  // Long and odd-length inputs (ISA-L's vector paths and tails) against the bitwise definition.
  auto bitwise = [](const std::string& s) {
    uint32_t c = 0xFFFFFFFFu;
    for (char ch : s) {
      c ^= uint8_t(ch);
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
  };
  std::string big(size_t(1) << 20, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char((i * 2654435761u) >> 13);
  EXPECT_EQ(nb::io::crc32c(big), bitwise(big));
  for (size_t n : {1, 7, 63, 255, 1023, 4097}) EXPECT_EQ(nb::io::crc32c(big.substr(3, n)), bitwise(big.substr(3, n))) << n;
}

TEST(Crc32c, MaskMatchesTensorFlow) {
  const uint32_t c = 0xE3069283u;
  EXPECT_EQ(nb::io::mask_crc32c(c), ((c >> 15) | (c << 17)) + 0xa282ead8u);
  EXPECT_EQ(nb::io::unmask_crc32c(nb::io::mask_crc32c(c)), c);
  EXPECT_EQ(nb::io::masked_crc32c("123456789"), nb::io::mask_crc32c(c));
  for (uint32_t v : {0u, 1u, 0xFFFFFFFFu, 0x12345678u}) EXPECT_EQ(nb::io::unmask_crc32c(nb::io::mask_crc32c(v)), v);
}

// ---- TFRecord ------------------------------------------------------------------

TEST(Tfrecord, FrameLayout) {
  std::string f = nb::io::tfrecord_frame("abc");
  ASSERT_EQ(f.size(), 3u + 16u);
  EXPECT_EQ(f.substr(0, 8), bytes_of({3, 0, 0, 0, 0, 0, 0, 0}));  // little-endian uint64 length
  auto le32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(f[at + size_t(i)])) << (8 * i);
    return v;
  };
  EXPECT_EQ(le32(8), nb::io::masked_crc32c(f.substr(0, 8)));
  EXPECT_EQ(f.substr(12, 3), "abc");
  EXPECT_EQ(le32(15), nb::io::masked_crc32c("abc"));
}

TEST(Tfrecord, WriteReadRoundTrip) {
  fs::path dir = fresh_dir("roundtrip");
  fs::create_directories(dir);
  fs::path file = dir / "data.tfrecord";
  std::vector<std::string> payloads = {"", "a", std::string(1000, '\0'), "hello world"};
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary.push_back(char(i * 31 + 7));
  payloads.push_back(binary);
  {
    nb::io::TFRecordWriter w(file);
    EXPECT_TRUE(w.is_open());
    for (const auto& p : payloads) w.write(p);
    w.flush();
    w.close();
    EXPECT_FALSE(w.is_open());
    w.close();  // idempotent
    EXPECT_THROW(w.write("late"), nb::FailedPrecondition);
  }
  EXPECT_EQ(nb::io::read_tfrecord_file(file), payloads);
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(read_all(bytes), payloads);
  EXPECT_TRUE(read_all("").empty());  // an empty file holds no records

  EXPECT_THROW(nb::io::TFRecordWriter{file}, nb::FailedPrecondition);  // never overwrites
  EXPECT_THROW(nb::io::TFRecordWriter{dir / "missing" / "x.tfrecord"}, nb::NotFound);
  EXPECT_THROW(nb::io::TFRecordReader{dir / "missing.tfrecord"}, nb::NotFound);
  fs::remove_all(dir);
}

TEST(Tfrecord, CorruptionGivesDataLoss) {
  const std::string good = nb::io::tfrecord_frame("first record");
  const std::string second = nb::io::tfrecord_frame("second");
  const std::string two = good + second;
  ASSERT_EQ(read_all(two).size(), 2u);

  // Truncated length: fewer than the 12 header bytes left.
  expect_data_loss([&] { read_all(good.substr(0, 5)); }, {"truncated record header", "offset 0", "expected 12", "found 5"});
  // A good record, then a truncated header.
  {
    auto r = nb::io::TFRecordReader::from_bytes(good + second.substr(0, 11));
    EXPECT_EQ(*r.next(), "first record");
    expect_data_loss([&] { r.next(); }, {"truncated record header", "found 11"});
  }
  // Bad length CRC: a flipped length byte, or a flipped CRC byte.
  for (size_t at : {size_t(0), size_t(3), size_t(9)}) {
    std::string bad = good;
    bad[at] = char(bad[at] ^ 0x10);
    expect_data_loss([&] { read_all(bad); }, {"corrupt length", "expected masked CRC32C", "found"});
  }
  // Bad payload CRC: a flipped payload byte, or a flipped CRC byte.
  for (size_t at : {size_t(12), good.size() - 6, good.size() - 1}) {
    std::string bad = good;
    bad[at] = char(bad[at] ^ 0x01);
    expect_data_loss([&] { read_all(bad); }, {"corrupt payload", "expected masked CRC32C", "found"});
  }
  // Corruption in the second record: the first is still returned.
  {
    std::string bad = two;
    bad[good.size() + 14] ^= 0x40;
    auto r = nb::io::TFRecordReader::from_bytes(bad);
    EXPECT_EQ(*r.next(), "first record");
    EXPECT_EQ(r.offset(), good.size());
    const std::string where = "at offset " + std::to_string(good.size());
    expect_data_loss([&] { r.next(); }, {"corrupt payload", where.c_str()});
  }
  // Truncated payload, and a payload without its CRC.
  expect_data_loss([&] { read_all(good.substr(0, good.size() - 6)); },
                   {"truncated record", "says 12 payload bytes", "only 10 bytes are left"});
  expect_data_loss([&] { read_all(good.substr(0, good.size() - 2)); }, {"truncated record", "only 14 bytes"});
  // A huge length with a valid length CRC is refused before any allocation.
  {
    std::string header;
    const uint64_t huge = uint64_t(1) << 60;
    for (int i = 0; i < 8; ++i) header.push_back(char((huge >> (8 * i)) & 0xFF));
    const uint32_t crc = nb::io::masked_crc32c(header);
    for (int i = 0; i < 4; ++i) header.push_back(char((crc >> (8 * i)) & 0xFF));
    expect_data_loss([&] { read_all(header + "tiny"); }, {"truncated record", "1152921504606846976", "only 4 bytes"});
    std::string max_len(8, '\xFF');
    const uint32_t crc2 = nb::io::masked_crc32c(max_len);
    for (int i = 0; i < 4; ++i) max_len.push_back(char((crc2 >> (8 * i)) & 0xFF));
    expect_data_loss([&] { read_all(max_len + "tiny"); }, {"truncated record"});  // no overflow
  }
}

// ---- SummaryWriter -------------------------------------------------------------

TEST(SummaryWriter, FileNameAndFirstEvent) {
  fs::path dir = fresh_dir("first") / "nested" / "run";  // created with its parents
  const double before = double(std::time(nullptr));
  fs::path file;
  {
    nb::summary::SummaryWriter w(dir);
    file = w.path();
    EXPECT_EQ(w.log_dir(), dir);
    EXPECT_TRUE(w.is_open());
    nb::summary::SummaryWriter w2(dir);  // a second writer in the same directory gets its own file
    EXPECT_NE(w2.path(), file);
  }
  EXPECT_EQ(file.parent_path(), dir);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string name = file.filename().string();
  std::smatch m;
  const std::regex re(R"(events\.out\.tfevents\.(\d+)\.(.+)\.(\d+)\.(\d+)\.v2)");
  ASSERT_TRUE(std::regex_match(name, m, re)) << name;
  EXPECT_EQ(m[2].str(), std::string(host));
  EXPECT_EQ(m[3].str(), std::to_string(::getpid()));
  EXPECT_NEAR(std::stod(m[1].str()), before, 5.0);

  std::vector<pb::Event> events = read_events(file);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_EQ(events[0].step(), 0);
  EXPECT_NEAR(events[0].wall_time(), before, 5.0);
  EXPECT_EQ(events[0].source_metadata().writer(), "nabla.summary.SummaryWriter");
  fs::remove_all(dir.parent_path().parent_path());
}

TEST(SummaryWriter, ScalarsHistogramsAndImages) {
  fs::path dir = fresh_dir("values");
  {
    nb::summary::SummaryWriter w(dir);
    w.scalar("loss", 0.1, 7);
    w.scalar("nan", std::nan(""), 8);
    w.histogram("ints", nb::constant({1, 2, 3, 4, 10}), 1, 3);
    w.histogram("nonfinite", nb::constant({1.f, NAN, INFINITY, 3.f, -INFINITY}), 2);
    w.histogram("constant", nb::fill({4}, 2.5, nb::DType::float64), 3);
    w.histogram("empty", nb::zeros({0}), 4);
    w.histogram("halves", nb::cast(nb::constant({0.5f, -1.f}), nb::DType::float16), 5, 2);
    // 2 x 3 RGB uint8 (HWC) and two 2 x 2 gray float images (NHWC).
    std::vector<uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    w.image("rgb", nb::constant(rgb, nb::Shape{2, 3, 3}, nb::DType::uint8), 6);
    w.image("gray", nb::constant({{{{0.f}, {1.f}}, {{0.5f}, {2.f}}}, {{{-1.f}, {NAN}}, {{0.25f}, {1.f}}}}), 7);
    w.image("one", nb::ones({1, 2, 2, 4}), 8);
    w.flush();
  }
  RunLog run = read_run(dir);
  EXPECT_EQ(run.file_version, "brain.Event:2");
  ASSERT_EQ(run.scalars["loss"].size(), 1u);
  EXPECT_EQ(run.scalars["loss"][0].first, 7);
  EXPECT_EQ(run.scalars["loss"][0].second, 0.1f);
  EXPECT_TRUE(std::isnan(run.scalars["nan"][0].second));

  const pb::HistogramProto& h = run.histograms["ints"].at(0).second;
  EXPECT_EQ(h.num(), 5);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 10);
  EXPECT_EQ(h.sum(), 20);
  EXPECT_EQ(h.sum_squares(), 130);
  ASSERT_EQ(h.bucket_limit_size(), 3);
  EXPECT_EQ(h.bucket_limit(0), 4);
  EXPECT_EQ(h.bucket_limit(1), 7);
  EXPECT_EQ(h.bucket_limit(2), 10);
  EXPECT_EQ(std::vector<double>(h.bucket().begin(), h.bucket().end()), std::vector<double>({3, 1, 1}));  // [1, 4) [4, 7) [7, 10]

  const pb::HistogramProto& nf = run.histograms["nonfinite"].at(0).second;
  EXPECT_EQ(nf.num(), 2);  // NaN and +-Inf are left out
  EXPECT_EQ(nf.min(), 1);
  EXPECT_EQ(nf.max(), 3);
  EXPECT_EQ(nf.sum(), 4);
  EXPECT_EQ(nf.bucket_size(), 30);
  double total = 0;
  for (double c : nf.bucket()) total += c;
  EXPECT_EQ(total, 2);

  const pb::HistogramProto& c = run.histograms["constant"].at(0).second;
  EXPECT_EQ(c.num(), 4);
  ASSERT_EQ(c.bucket_size(), 1);
  EXPECT_EQ(c.bucket(0), 4);
  EXPECT_EQ(c.bucket_limit(0), 2.5);
  const pb::HistogramProto& e = run.histograms["empty"].at(0).second;
  EXPECT_EQ(e.num(), 0);
  EXPECT_EQ(e.bucket_size(), 1);  // TensorBoard's plugin needs one bucket
  EXPECT_EQ(run.histograms["halves"].at(0).second.min(), -1.0);

  const pb::Summary::Image& rgb = run.images["rgb"].at(0).second;
  EXPECT_EQ(rgb.height(), 2);
  EXPECT_EQ(rgb.width(), 3);
  EXPECT_EQ(rgb.colorspace(), 3);
  DecodedPng png = decode_png(rgb.encoded_image_string());
  EXPECT_EQ(png.width, 3);
  EXPECT_EQ(png.height, 2);
  EXPECT_EQ(png.channels, 3);
  EXPECT_EQ(png.pixels, std::vector<uint8_t>({255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90}));

  EXPECT_EQ(run.images.count("gray"), 0u);  // two images: numbered tags
  ASSERT_EQ(run.images["gray/image/0"].size(), 1u);
  DecodedPng g0 = decode_png(run.images["gray/image/0"][0].second.encoded_image_string());
  EXPECT_EQ(g0.channels, 1);
  EXPECT_EQ(g0.pixels, std::vector<uint8_t>({0, 255, 128, 255}));  // clipped to [0, 1]
  DecodedPng g1 = decode_png(run.images["gray/image/1"][0].second.encoded_image_string());
  EXPECT_EQ(g1.pixels, std::vector<uint8_t>({0, 0, 64, 255}));  // NaN -> 0
  EXPECT_EQ(run.images["one"].at(0).second.colorspace(), 4);
  EXPECT_EQ(decode_png(run.images["one"][0].second.encoded_image_string()).channels, 4);
  fs::remove_all(dir);
}

TEST(SummaryWriter, ImageMaxOutputs) {
  fs::path dir = fresh_dir("maxout");
  {
    nb::summary::SummaryWriter w(dir);
    w.image("many", nb::zeros({5, 2, 2, 1}), 0);      // tf.summary.image's default: 3
    w.image("two", nb::zeros({5, 2, 2, 1}), 0, 2);
  }
  RunLog run = read_run(dir);
  EXPECT_EQ(run.images.size(), 5u);
  EXPECT_TRUE(run.images.count("many/image/2"));
  EXPECT_FALSE(run.images.count("many/image/3"));
  EXPECT_TRUE(run.images.count("two/image/1"));
  fs::remove_all(dir);
}

TEST(SummaryWriter, ErrorsAreTyped) {
  fs::path dir = fresh_dir("errors");
  fs::create_directories(dir);
  { std::ofstream(dir / "a_file") << "x"; }
  // A log directory that cannot be created: a file is in the way.
  EXPECT_THROW(nb::summary::SummaryWriter(dir / "a_file"), nb::FailedPrecondition);
  EXPECT_THROW(nb::summary::SummaryWriter(dir / "a_file" / "sub"), nb::Error);
  EXPECT_THROW(nb::summary::SummaryWriter(""), nb::InvalidArgument);

  nb::summary::SummaryWriter w(dir / "run");
  EXPECT_THROW(w.scalar("", 1.0, 0), nb::InvalidArgument);
  EXPECT_THROW(w.histogram("h", nb::ones({3}), 0, 0), nb::InvalidArgument);
  auto expect_image_error = [&](const nb::Tensor& t, const char* part) {
    try {
      w.image("img", t, 0);
      ADD_FAILURE() << "no error for " << t.shape().str();
    } catch (const nb::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_image_error(nb::zeros({4, 4}), "expected an HWC (rank 3) or NHWC (rank 4) image, got shape [4,4]");
  expect_image_error(nb::zeros({4, 4, 2}), "expected 1 (gray), 3 (RGB) or 4 (RGBA) channels");
  expect_image_error(nb::zeros({1, 4, 4, 5}), "got shape [1,4,4,5]");
  expect_image_error(nb::zeros({4, 4, 3}, nb::DType::int32), "got dtype int32");
  expect_image_error(nb::zeros({0, 4, 3}), "positive height and width");
  w.close();
  EXPECT_FALSE(w.is_open());
  EXPECT_THROW(w.scalar("late", 1.0, 1), nb::FailedPrecondition);
  EXPECT_THROW(w.flush(), nb::FailedPrecondition);
  w.close();  // idempotent
  // Nothing invalid reached the file: the first event only.
  EXPECT_EQ(read_events(w.path()).size(), 1u);
  fs::remove_all(dir);
}

// ---- the TensorBoard callback ----------------------------------------------------

TEST(TensorBoard, OptionsAreValidated) {
  EXPECT_THROW(nb::callbacks::TensorBoard("logs", {.update_freq = "often"}), nb::InvalidArgument);
  EXPECT_THROW(nb::callbacks::TensorBoard("logs", {.update_freq = "0"}), nb::InvalidArgument);
  EXPECT_THROW(nb::callbacks::TensorBoard("logs", {.update_freq = "3x"}), nb::InvalidArgument);
  EXPECT_THROW(nb::callbacks::TensorBoard("logs", {.histogram_freq = -1}), nb::InvalidArgument);
  EXPECT_THROW(nb::callbacks::TensorBoard(""), nb::InvalidArgument);
  EXPECT_NO_THROW(nb::callbacks::TensorBoard("logs", {.update_freq = "batch"}));
  EXPECT_NO_THROW(nb::callbacks::TensorBoard("logs", {.update_freq = "25"}));
}

TEST(TensorBoard, FitWritesKerasLayoutThatReadsBack) {
  fs::path dir = fresh_dir("fit");
  nb::random::set_seed(3);
  nb::Sequential model({nb::Input({4}), nb::layers::Dense(6, {.activation = "relu"}), nb::layers::Dense(3)});
  model.compile({.optimizer = nb::optimizers::Adam({.learning_rate = 0.01}),
                 .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                 .metrics = {"accuracy"}});
  auto x = nb::random::normal({40, 4});
  auto y = nb::cast(nb::random::uniform({40}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}),
                    nb::DType::int32);
  auto xv = nb::random::normal({12, 4});
  auto yv = nb::cast(nb::random::uniform({12}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}),
                     nb::DType::int32);
  const int epochs = 3;
  auto tb = std::make_shared<nb::callbacks::TensorBoard>(
      dir.string(), nb::callbacks::TensorBoardOptions{.histogram_freq = 1, .update_freq = "2", .write_images = true});
  auto h = model.fit(x, y, {.batch_size = 10, .epochs = epochs, .verbose = 0, .callbacks = {tb},
                            .validation_data = {{xv, yv}}});
  ASSERT_TRUE(fs::exists(dir / "train"));
  ASSERT_TRUE(fs::exists(dir / "validation"));

  RunLog train = read_run(dir / "train");
  RunLog val = read_run(dir / "validation");
  EXPECT_EQ(train.file_version, "brain.Event:2");
  EXPECT_EQ(val.file_version, "brain.Event:2");

  // Epoch scalars equal History (float32, as simple_value stores them).
  auto expect_series = [&](RunLog& run, const std::string& tag, const std::vector<double>& want) {
    const auto& got = run.scalars[tag];
    ASSERT_EQ(got.size(), want.size()) << tag;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].first, int64_t(i)) << tag;
      EXPECT_EQ(got[i].second, float(want[i])) << tag << " at epoch " << i;
    }
  };
  expect_series(train, "epoch_loss", h.history.at("loss"));
  expect_series(train, "epoch_accuracy", h.history.at("accuracy"));
  expect_series(train, "epoch_learning_rate", std::vector<double>(epochs, 0.01));
  expect_series(val, "epoch_loss", h.history.at("val_loss"));
  expect_series(val, "epoch_accuracy", h.history.at("val_accuracy"));
  EXPECT_EQ(val.scalars.size(), 2u);  // no val_ prefix, nothing else
  EXPECT_EQ(train.scalars.count("epoch_val_loss"), 0u);

  // update_freq "2": batch scalars every second global batch (4 batches per epoch).
  const auto& bl = train.scalars["batch_loss"];
  ASSERT_EQ(bl.size(), size_t(epochs * 4 / 2));
  for (size_t i = 0; i < bl.size(); ++i) EXPECT_EQ(bl[i].first, int64_t(2 * (i + 1)));
  EXPECT_EQ(train.scalars["batch_accuracy"].size(), bl.size());

  // One histogram and one image per weight and epoch; the last ones show the final weights.
  std::vector<nb::Variable*> vars = model.variables();
  ASSERT_EQ(vars.size(), 4u);
  EXPECT_EQ(train.histograms.size(), vars.size());
  EXPECT_EQ(train.images.size(), vars.size());
  for (nb::Variable* v : vars) {
    const std::string tag = v->name() + "/histogram";
    ASSERT_EQ(train.histograms[tag].size(), size_t(epochs)) << tag;
    for (int e = 0; e < epochs; ++e) EXPECT_EQ(train.histograms[tag][size_t(e)].first, e);
    const pb::HistogramProto& hp = train.histograms[tag].back().second;
    std::vector<double> w = v->value().to_vector<double>();
    double sum = 0, mn = w[0], mx = w[0];
    for (double d : w) {
      sum += d;
      mn = std::min(mn, d);
      mx = std::max(mx, d);
    }
    EXPECT_EQ(hp.num(), double(w.size())) << tag;
    EXPECT_DOUBLE_EQ(hp.sum(), sum) << tag;
    EXPECT_EQ(hp.min(), mn) << tag;
    EXPECT_EQ(hp.max(), mx) << tag;
    double count = 0;
    for (double b : hp.bucket()) count += b;
    EXPECT_EQ(count, double(w.size())) << tag;

    const std::string itag = v->name() + "/image";
    ASSERT_EQ(train.images[itag].size(), size_t(epochs)) << itag;
    const pb::Summary::Image& img = train.images[itag].back().second;
    // Kernels (4, 6) and (6, 3): the second is transposed (more rows than columns); biases: one row.
    int64_t want_h = 1, want_w = v->shape()[0];
    if (v->rank() == 2) {
      want_h = std::min(v->shape()[0], v->shape()[1]);
      want_w = std::max(v->shape()[0], v->shape()[1]);
    }
    EXPECT_EQ(img.height(), want_h) << itag;
    EXPECT_EQ(img.width(), want_w) << itag;
    EXPECT_EQ(img.colorspace(), 1) << itag;
    DecodedPng png = decode_png(img.encoded_image_string());
    EXPECT_EQ(png.height, want_h) << itag;
    EXPECT_EQ(png.width, want_w) << itag;
    EXPECT_EQ(png.channels, 1) << itag;
    if (mn < mx) {  // min-max normalised: both ends appear
      EXPECT_EQ(*std::min_element(png.pixels.begin(), png.pixels.end()), 0) << itag;
      EXPECT_EQ(*std::max_element(png.pixels.begin(), png.pixels.end()), 255) << itag;
    }
  }

  // A second fit writes new files; evaluate() with the callback logs evaluation_* scalars.
  model.fit(x, y, {.batch_size = 20, .epochs = 1, .verbose = 0, .callbacks = {tb}});
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "train")) files += e.is_regular_file();
  EXPECT_EQ(files, 2u);
  fs::remove_all(dir);
}

TEST(TensorBoard, EvaluateLogsEvaluationScalars) {
  fs::path dir = fresh_dir("evaluate");
  nb::Sequential model({nb::Input({2}), nb::layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  model.fit(nb::ones({4, 2}), nb::ones({4, 1}), {.batch_size = 2, .epochs = 1, .verbose = 0});
  auto logs = model.evaluate(nb::ones({4, 2}), nb::ones({4, 1}),
                             {.verbose = 0, .callbacks = {nb::callbacks::TensorBoard(dir.string())}});
  RunLog val = read_run(dir / "validation");
  ASSERT_EQ(val.scalars["evaluation_loss_vs_iterations"].size(), 1u);
  EXPECT_EQ(val.scalars["evaluation_loss_vs_iterations"][0].first, 2);  // optimizer.iterations
  EXPECT_EQ(val.scalars["evaluation_loss_vs_iterations"][0].second, float(logs.at("loss")));
  EXPECT_FALSE(fs::exists(dir / "train"));  // created lazily, like Keras's writers
  fs::remove_all(dir);
}

TEST(TensorBoard, StepsPerSecondAndBatchScalars) {
  fs::path dir = fresh_dir("sps");
  nb::Sequential model({nb::Input({2}), nb::layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  model.fit(nb::ones({6, 2}), nb::ones({6, 1}),
            {.batch_size = 2, .epochs = 2, .verbose = 0,
             .callbacks = {nb::callbacks::TensorBoard(
                 dir.string(), {.update_freq = "batch", .write_steps_per_second = true})}});
  RunLog train = read_run(dir / "train");
  ASSERT_EQ(train.scalars["epoch_steps_per_second"].size(), 2u);
  for (const auto& [step, v] : train.scalars["epoch_steps_per_second"]) EXPECT_GT(v, 0.f) << step;
  ASSERT_EQ(train.scalars["batch_steps_per_second"].size(), 6u);
  ASSERT_EQ(train.scalars["batch_loss"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(train.scalars["batch_loss"][i].first, int64_t(i + 1));
  EXPECT_TRUE(train.histograms.empty());  // histogram_freq 0
  EXPECT_FALSE(fs::exists(dir / "validation"));  // no validation data: no validation writer
  fs::remove_all(dir);
}
