// Synthetic test images and comparisons for the image codec tests.
#ifndef HALLMARK_TESTS_WATERMARK_IMAGE_CODEC_TEST_UTIL_H_
#define HALLMARK_TESTS_WATERMARK_IMAGE_CODEC_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "watermark/image/codec/image.h"

namespace hallmark::image::testing {

// The bytes of tests/data/images/NAME (see its README).
inline std::string ReadTestImage(const std::string& name) {
  std::ifstream in(std::string(HALLMARK_SOURCE_DIR) + "/tests/data/images/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

enum class Pattern { kGradient, kNoise, kFlat, kPhotoLike };

// Integer-valued samples (8-bit, or 16-bit / 257 when bit_depth is 16), so
// lossless codecs must reproduce them exactly.
inline Image MakeImage(int w, int h, ColorModel model, Pattern pattern, int bit_depth = 8,
                       uint32_t seed = 1) {
  absl::StatusOr<Image> created = Image::Create(w, h, model, bit_depth);
  EXPECT_TRUE(created.ok()) << created.status();
  Image image = *std::move(created);
  std::mt19937 rng(seed);
  const int max = bit_depth == 16 ? 65535 : 255;
  for (int c = 0; c < image.channels(); ++c) {
    for (int y = 0; y < h; ++y) {
      float* row = image.Row(c, y);
      for (int x = 0; x < w; ++x) {
        double v = 0;
        switch (pattern) {
          case Pattern::kGradient:
            v = (static_cast<double>(x) / std::max(1, w - 1) * 0.6 +
                 static_cast<double>(y) / std::max(1, h - 1) * 0.3 + 0.1 * c / 4.0);
            break;
          case Pattern::kNoise:
            v = std::uniform_real_distribution<double>(0, 1)(rng);
            break;
          case Pattern::kFlat:
            v = 0.25 + 0.15 * c;
            break;
          case Pattern::kPhotoLike:  // smooth shapes plus a little noise
            v = 0.5 + 0.3 * std::sin(x * 0.05 + c) * std::cos(y * 0.07) +
                0.02 * std::uniform_real_distribution<double>(-1, 1)(rng);
            break;
        }
        v = std::clamp(v, 0.0, 1.0);
        const int q = static_cast<int>(std::lround(v * max));
        row[x] = bit_depth == 16 ? static_cast<float>(q) / 257.0f : static_cast<float>(q);
      }
    }
  }
  return image;
}

// Largest absolute difference on the 16-bit grid (257 per 8-bit step).
inline int MaxDiff16(const Image& a, const Image& b) {
  int worst = 0;
  for (int c = 0; c < a.channels(); ++c) {
    for (int y = 0; y < a.height(); ++y) {
      for (int x = 0; x < a.width(); ++x) {
        const int va = static_cast<int>(std::lround(a.Row(c, y)[x] * 257.0f));
        const int vb = static_cast<int>(std::lround(b.Row(c, y)[x] * 257.0f));
        worst = std::max(worst, std::abs(va - vb));
      }
    }
  }
  return worst;
}

// PSNR in dB over the first `channels` planes (8-bit scale).
inline double Psnr(const Image& a, const Image& b, int channels) {
  double se = 0;
  int64_t n = 0;
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < a.height(); ++y) {
      for (int x = 0; x < a.width(); ++x) {
        const double d = a.Row(c, y)[x] - b.Row(c, y)[x];
        se += d * d;
        ++n;
      }
    }
  }
  if (se == 0) return 99.0;
  return 10.0 * std::log10(255.0 * 255.0 / (se / n));
}

// A minimal little-endian TIFF/EXIF block: IFD0 with Orientation = 6.
inline std::string TestExif() {
  const unsigned char kExif[] = {'I',  'I',  0x2a, 0, 8, 0, 0, 0,              // header, IFD0 at 8
                                 1,    0,                                      // one entry
                                 0x12, 0x01, 3,    0, 1, 0, 0, 0, 6, 0, 0, 0,  // Orientation=6
                                 0,    0,    0,    0};                         // no next IFD
  return std::string(reinterpret_cast<const char*>(kExif), sizeof(kExif));
}

// Bytes shaped like an ICC profile header (size field matches), `size` long.
inline std::string TestIcc(size_t size, uint32_t seed = 7) {
  std::string icc(size, '\0');
  std::mt19937 rng(seed);
  for (char& ch : icc) ch = static_cast<char>(rng());
  icc[0] = static_cast<char>(size >> 24);
  icc[1] = static_cast<char>(size >> 16);
  icc[2] = static_cast<char>(size >> 8);
  icc[3] = static_cast<char>(size);
  icc.replace(36, 4, "acsp");
  return icc;
}

}  // namespace hallmark::image::testing

#endif  // HALLMARK_TESTS_WATERMARK_IMAGE_CODEC_TEST_UTIL_H_
