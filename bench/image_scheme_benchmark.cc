// The image watermark's hot paths on one core: Mark and Detect of the
// canonical-grid scheme on a YCbCr image (the "core": pixels in, pixels
// out, no codec and no colour conversion) at 512x512, 1024x1024, 1920x1080
// and 4096x4096, and the codecs around them at 1024x1024 (PNG encoding at
// 1920x1080 too, on 1, 2 and 4 threads). Targets (issue 3):
// core embed and detect <= 5 ms each at 1024x1024, <= 8 ms at 1920x1080.
//
// Images are the astronaut photo (tests/data/images/astronaut.jpg, 512x512)
// resized to each size (area down, bilinear up) plus seeded Gaussian noise
// of sigma 2 so the upscaled ones keep some fine texture, rounded to 8 bits.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "bench/eval/image_ops.h"
#include "watermark/image/canonical_grid/canonical_grid_scheme.h"
#include "watermark/image/codec/image.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"

namespace hallmark::image {
namespace {

using watermark::KeySet;
using watermark::PayloadFields;
using watermark::WatermarkKey;

Image MustOk(absl::StatusOr<Image> image) {
  if (!image.ok()) {
    std::fprintf(stderr, "image_scheme_benchmark: %s\n",
                 std::string(image.status().message()).c_str());
    std::abort();
  }
  return *std::move(image);
}

Image LoadPhoto() {
  std::ifstream in(absl::StrCat(HALLMARK_IMAGE_DIR, "/astronaut.jpg"), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  absl::StatusOr<DecodedImage> decoded = DecodeImage(bytes.str());
  if (!decoded.ok()) return MustOk(decoded.status());
  return std::move(decoded->pixels);
}

// The photo at width x height, RGB, 8-bit valued.
Image MakeRgb(int width, int height) {
  const Image photo = LoadPhoto();
  Image out = MustOk(width <= photo.width() && height <= photo.height()
                         ? eval::AreaResize(photo, width, height)
                         : eval::BilinearResize(photo, width, height));
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 2.0f);
  for (int c = 0; c < out.channels(); ++c) {
    for (int y = 0; y < height; ++y) {
      float* row = out.Row(c, y);
      for (int x = 0; x < width; ++x) row[x] += noise(rng);
    }
  }
  eval::Quantize8(&out);
  return out;
}

// One YCbCr image per size, kept while benchmarks of that size run (the
// 4096x4096 one holds 200 MB, so only the latest size is kept).
const Image& YCbCrImage(int width, int height) {
  static Image* cached = new Image();
  if (cached->width() != width || cached->height() != height) {
    *cached = Image();
    *cached = MakeRgb(width, height);
    if (!ConvertRgbToYCbCr(cached).ok()) std::abort();
  }
  return *cached;
}

struct Keys {
  Keys() {
    const std::string secret = "benchmark secret, not a real one";
    key = *WatermarkKey::Create(
        "bench",
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
    keys = KeySet({key});
    fields.key_tag = key->tag();
    fields.space_tag = 0x1234;
    fields.hour = 12345;
    fields.nonce = 321;
  }
  std::shared_ptr<const WatermarkKey> key;
  KeySet keys;
  PayloadFields fields;
};

const Keys& BenchKeys() {
  static const Keys* keys = new Keys();
  return *keys;
}

void SetPixelCounters(benchmark::State& state, int width, int height) {
  state.counters["MP/s"] = benchmark::Counter(static_cast<double>(width) * height / 1e6,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

// Mark in place; the luminance plane is restored (untimed) before each call
// so every call marks the unmarked image.
void BM_Mark(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0));
  const int h = static_cast<int>(state.range(1));
  const Keys& k = BenchKeys();
  const CanonicalGridScheme scheme;
  Image image = MustOk(YCbCrImage(w, h).Clone());
  const size_t plane_floats = image.row_stride() * static_cast<size_t>(h);
  const std::vector<float> luma(image.Plane(0), image.Plane(0) + plane_floats);
  for (auto _ : state) {
    state.PauseTiming();
    std::memcpy(image.Plane(0), luma.data(), plane_floats * sizeof(float));
    state.ResumeTiming();
    absl::StatusOr<ImageMarkResult> r = scheme.Mark(&image, k.fields, *k.key);
    benchmark::DoNotOptimize(r);
  }
  SetPixelCounters(state, w, h);
}

// Detect on the marked image (found under the identity geometry).
void BM_Detect(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0));
  const int h = static_cast<int>(state.range(1));
  const Keys& k = BenchKeys();
  const CanonicalGridScheme scheme;
  Image image = MustOk(YCbCrImage(w, h).Clone());
  if (!scheme.Mark(&image, k.fields, *k.key).ok()) std::abort();
  bool verified = false;
  for (auto _ : state) {
    ImageDetection d = scheme.Detect(image, k.keys);
    verified = d.verified;
    benchmark::DoNotOptimize(d);
  }
  state.counters["verified"] = verified ? 1 : 0;
  SetPixelCounters(state, w, h);
}

// Detect on an unmarked image: the worst case, every geometry hypothesis
// is tried before giving up.
void BM_DetectUnmarked(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0));
  const int h = static_cast<int>(state.range(1));
  const Keys& k = BenchKeys();
  const CanonicalGridScheme scheme;
  const Image& image = YCbCrImage(w, h);
  for (auto _ : state) {
    ImageDetection d = scheme.Detect(image, k.keys);
    benchmark::DoNotOptimize(d);
  }
  SetPixelCounters(state, w, h);
}

void CoreSizes(benchmark::internal::Benchmark* b) {
  b->Args({512, 512})->Args({1024, 1024})->Args({1920, 1080})->Args({4096, 4096});
  b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Mark)->Apply(CoreSizes);
BENCHMARK(BM_Detect)->Apply(CoreSizes);
BENCHMARK(BM_DetectUnmarked)->Args({1024, 1024})->Unit(benchmark::kMillisecond);

// The codecs at 1024x1024 RGB with the sidecar's defaults: JPEG quality 90
// 4:2:0 baseline, PNG zlib level 1 with the fast filter, WebP lossy quality
// 90 method 2.
EncodeOptions CodecOptions(ImageFormat format) {
  EncodeOptions o;
  o.format = format;
  if (format == ImageFormat::kJpeg) {
    o.jpeg_quality = 90;
    o.chroma_subsampling = ChromaSubsampling::k420;
  }
  return o;
}

const Image& CodecImage() {
  static const Image* image = new Image(MakeRgb(1024, 1024));
  return *image;
}

// Encodes `image` with `options` in the benchmark loop.
void RunEncode(benchmark::State& state, const Image& image, const EncodeOptions& options) {
  size_t bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> out = EncodeImage(image, ImageMetadata{}, options);
    bytes = out.ok() ? out->size() : 0;
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  SetPixelCounters(state, image.width(), image.height());
}

void BM_Encode(benchmark::State& state, ImageFormat format) {
  RunEncode(state, CodecImage(), CodecOptions(format));
}

void BM_Decode(benchmark::State& state, ImageFormat format) {
  const Image& image = CodecImage();
  absl::StatusOr<std::string> encoded = EncodeImage(image, ImageMetadata{}, CodecOptions(format));
  if (!encoded.ok()) std::abort();
  for (auto _ : state) {
    absl::StatusOr<DecodedImage> d = DecodeImage(*encoded);
    benchmark::DoNotOptimize(d);
  }
  state.counters["bytes"] = static_cast<double>(encoded->size());
  SetPixelCounters(state, image.width(), image.height());
}

// PNG encoding (the sidecar's defaults: level 1, SUB + Z_RLE) on `threads`
// threads (EncodeOptions::png_threads) at 1024x1024 and 1920x1080: "Time"
// is wall-clock time, "CPU" the process's CPU time (all threads).
// `fast` false is libspng's adaptive-filter path, for reference.
const Image& CodecImage1080() {
  static const Image* image = new Image(MakeRgb(1920, 1080));
  return *image;
}

void BM_EncodePng(benchmark::State& state, int height, int threads, bool fast) {
  const Image& image = height == 1080 ? CodecImage1080() : CodecImage();
  EncodeOptions options = CodecOptions(ImageFormat::kPng);
  options.png_threads = threads;
  options.png_fast = fast;
  RunEncode(state, image, options);
}

// Threaded encodes: wall-clock time, and the CPU time of all threads.
void WallAndProcessTime(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
}

BENCHMARK_CAPTURE(BM_Decode, jpeg_1024, ImageFormat::kJpeg)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, png_1024, ImageFormat::kPng)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, webp_1024, ImageFormat::kWebp)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, jpeg_1024, ImageFormat::kJpeg)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, png_1024, ImageFormat::kPng)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, webp_1024, ImageFormat::kWebp)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodePng, png_1024_t1, 1024, 1, true)->Apply(WallAndProcessTime);
BENCHMARK_CAPTURE(BM_EncodePng, png_1024_t2, 1024, 2, true)->Apply(WallAndProcessTime);
BENCHMARK_CAPTURE(BM_EncodePng, png_1080p_t1, 1080, 1, true)->Apply(WallAndProcessTime);
BENCHMARK_CAPTURE(BM_EncodePng, png_1080p_t2, 1080, 2, true)->Apply(WallAndProcessTime);
BENCHMARK_CAPTURE(BM_EncodePng, png_1080p_t4, 1080, 4, true)->Apply(WallAndProcessTime);
BENCHMARK_CAPTURE(BM_EncodePng, png_1080p_adaptive, 1080, 1, false)->Apply(WallAndProcessTime);

}  // namespace
}  // namespace hallmark::image

BENCHMARK_MAIN();
