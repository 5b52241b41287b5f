// Helpers for the image scheme tests: photos from tests/data/images, a
// fixed-seed key, marking an RGB image end to end, and simple edits written
// independently of the scheme's own resampling code.
#ifndef HALLMARK_TESTS_WATERMARK_IMAGE_SCHEME_TEST_UTIL_H_
#define HALLMARK_TESTS_WATERMARK_IMAGE_SCHEME_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/key/watermark_key.h"

namespace hallmark::image::testing {

inline Image DecodeTestImage(const std::string& name) {
  absl::StatusOr<DecodedImage> decoded = DecodeImage(ReadTestImage(name));
  EXPECT_TRUE(decoded.ok()) << name << ": " << decoded.status();
  return std::move(decoded->pixels);
}

inline std::shared_ptr<const watermark::WatermarkKey> TestKey(const std::string& id,
                                                              uint8_t seed = 7) {
  std::vector<uint8_t> secret(32);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(seed * 31 + i);
  auto key = watermark::WatermarkKey::Create(id, secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *key;
}

// Bilinear resize of every channel (sample centres aligned), with a box
// pre-filter of the scale's width when shrinking, as image editors do.
inline Image Resize(const Image& in, int width, int height) {
  absl::StatusOr<Image> created = Image::Create(width, height, in.color_model(), in.bit_depth());
  EXPECT_TRUE(created.ok());
  Image out = *std::move(created);
  const double sx = static_cast<double>(in.width()) / width;
  const double sy = static_cast<double>(in.height()) / height;
  const int rx = std::max(0, static_cast<int>(std::floor(sx / 2 - 1e-9)));
  const int ry = std::max(0, static_cast<int>(std::floor(sy / 2 - 1e-9)));
  auto sample = [&](int c, double x, double y) {
    x = std::clamp(x, 0.0, in.width() - 1.0);
    y = std::clamp(y, 0.0, in.height() - 1.0);
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, in.width() - 1), y1 = std::min(y0 + 1, in.height() - 1);
    const double tx = x - x0, ty = y - y0;
    const double top = in.Row(c, y0)[x0] * (1 - tx) + in.Row(c, y0)[x1] * tx;
    const double bottom = in.Row(c, y1)[x0] * (1 - tx) + in.Row(c, y1)[x1] * tx;
    return top * (1 - ty) + bottom * ty;
  };
  for (int c = 0; c < in.channels(); ++c) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const double cx = (x + 0.5) * sx - 0.5, cy = (y + 0.5) * sy - 0.5;
        double sum = 0;
        int n = 0;
        for (int dy = -ry; dy <= ry; ++dy) {
          for (int dx = -rx; dx <= rx; ++dx) {
            sum += sample(c, cx + dx, cy + dy);
            ++n;
          }
        }
        out.Row(c, y)[x] = static_cast<float>(sum / n);
      }
    }
  }
  return out;
}

// Encodes and decodes through a real codec (PNG, JPEG at `quality`, WebP).
inline Image Reencode(const Image& in, ImageFormat format, int quality = 90) {
  ImageMetadata metadata;
  metadata.source_format = format;
  EncodeOptions options;
  options.format = format;
  options.jpeg_quality = quality;
  options.webp_quality = static_cast<float>(quality);
  options.webp_lossless = 0;
  absl::StatusOr<std::string> bytes = EncodeImage(in, metadata, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<DecodedImage> decoded = DecodeImage(*bytes);
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return std::move(decoded->pixels);
}

}  // namespace hallmark::image::testing

#endif  // HALLMARK_TESTS_WATERMARK_IMAGE_SCHEME_TEST_UTIL_H_
