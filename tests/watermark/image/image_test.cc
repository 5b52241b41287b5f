#include "watermark/image/codec/image.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"

namespace hallmark::image {
namespace {

using testing::MakeImage;
using testing::Pattern;

TEST(ImageTest, CreateAlignsRowsAndZeroes) {
  absl::StatusOr<Image> image = Image::Create(37, 5, ColorModel::kRgba);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->channels(), 4);
  EXPECT_EQ(image->row_stride() % 16, 0u);
  EXPECT_GE(image->row_stride(), 37u);
  for (int c = 0; c < 4; ++c) {
    for (int y = 0; y < 5; ++y) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(image->Row(c, y)) % Image::kAlignment, 0u);
      EXPECT_EQ(image->Row(c, y)[36], 0.0f);
    }
  }
}

TEST(ImageTest, RejectsBadSizes) {
  EXPECT_EQ(Image::Create(0, 5, ColorModel::kGray).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Image::Create(5, -1, ColorModel::kGray).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImageTest, CloneIsDeepAndMoveTransfers) {
  Image a = MakeImage(20, 10, ColorModel::kRgb, Pattern::kNoise);
  absl::StatusOr<Image> b = a.Clone();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(testing::MaxDiff16(a, *b), 0);
  b->Row(1, 3)[4] = -7;
  EXPECT_NE(a.Row(1, 3)[4], -7);
  Image c = std::move(a);
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(c.width(), 20);
}

TEST(ImageTest, YCbCrRoundTripIsExactOn8Bit) {
  // Every 8-bit RGB triple on a 1-in-5 grid plus random ones.
  std::vector<std::array<int, 3>> colors;
  for (int r = 0; r < 256; r += 5)
    for (int g = 0; g < 256; g += 5)
      for (int b = 0; b < 256; b += 5) colors.push_back({r, g, b});
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i)
    colors.push_back({int(rng() % 256), int(rng() % 256), int(rng() % 256)});
  colors.push_back({255, 255, 255});
  const int w = 256;
  const int h = static_cast<int>((colors.size() + w - 1) / w);
  absl::StatusOr<Image> image = Image::Create(w, h, ColorModel::kRgb);
  ASSERT_TRUE(image.ok());
  for (size_t i = 0; i < colors.size(); ++i) {
    for (int c = 0; c < 3; ++c) image->Row(c, int(i / w))[i % w] = float(colors[i][c]);
  }
  ASSERT_TRUE(ConvertRgbToYCbCr(&*image).ok());
  EXPECT_EQ(image->color_model(), ColorModel::kYCbCr);
  // Gray stays gray: Y of (v, v, v) is v and chroma is 128.
  EXPECT_NEAR(image->Row(0, 0)[0], 0.0f, 1e-3);
  ASSERT_TRUE(ConvertYCbCrToRgb(&*image).ok());
  EXPECT_EQ(image->color_model(), ColorModel::kRgb);
  for (size_t i = 0; i < colors.size(); ++i) {
    for (int c = 0; c < 3; ++c) {
      const float v = image->Row(c, int(i / w))[i % w];
      ASSERT_LT(std::fabs(v - colors[i][c]), 0.01f) << i << " " << c;
      ASSERT_EQ(std::lround(v), colors[i][c]);
    }
  }
}

TEST(ImageTest, YCbCrRoundTripIsExactOn16Bit) {
  Image image = MakeImage(64, 64, ColorModel::kRgba, Pattern::kNoise, 16);
  absl::StatusOr<Image> original = image.Clone();
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(ConvertRgbToYCbCr(&image).ok());
  ASSERT_TRUE(ConvertYCbCrToRgb(&image).ok());
  EXPECT_EQ(testing::MaxDiff16(image, *original), 0);
}

TEST(ImageTest, ConversionChecksModel) {
  Image rgb = MakeImage(4, 4, ColorModel::kRgb, Pattern::kFlat);
  EXPECT_EQ(ConvertYCbCrToRgb(&rgb).code(), absl::StatusCode::kInvalidArgument);
  Image gray = MakeImage(4, 4, ColorModel::kGray, Pattern::kFlat);
  EXPECT_TRUE(ConvertRgbToYCbCr(&gray).ok());
  EXPECT_EQ(gray.color_model(), ColorModel::kGray);
}

}  // namespace
}  // namespace hallmark::image
