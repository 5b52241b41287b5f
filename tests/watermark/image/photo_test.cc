// Codec behaviour on the real photos in tests/data/images/ (see its README).
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::image {
namespace {

std::string ReadImage(const std::string& name) {
  std::ifstream in(std::string(HALLMARK_SOURCE_DIR) + "/tests/data/images/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Photo {
  const char* name;
  int width;
  int height;
  int quality;
};

class PhotoTest : public ::testing::TestWithParam<Photo> {};

TEST_P(PhotoTest, DecodesAndSurvivesEveryFormat) {
  const Photo p = GetParam();
  const std::string bytes = ReadImage(p.name);
  absl::StatusOr<DecodedImage> d = DecodeImage(bytes);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->pixels.width(), p.width);
  EXPECT_EQ(d->pixels.height(), p.height);
  EXPECT_EQ(d->pixels.color_model(), ColorModel::kRgb);
  EXPECT_EQ(d->metadata.jpeg_quality, p.quality);
  EXPECT_EQ(d->metadata.chroma_subsampling, ChromaSubsampling::k420);

  // Same-format re-encode (quality matched) stays close to the decoded input.
  absl::StatusOr<std::string> jpeg = EncodeImage(d->pixels, d->metadata);
  ASSERT_TRUE(jpeg.ok());
  absl::StatusOr<DecodedImage> again = DecodeImage(*jpeg);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->metadata.jpeg_quality, p.quality);
  EXPECT_GT(testing::Psnr(d->pixels, again->pixels, 3), 36.0);

  EncodeOptions png;
  png.format = ImageFormat::kPng;
  absl::StatusOr<std::string> png_bytes = EncodeImage(d->pixels, d->metadata, png);
  ASSERT_TRUE(png_bytes.ok());
  absl::StatusOr<DecodedImage> from_png = DecodeImage(*png_bytes);
  ASSERT_TRUE(from_png.ok());
  EXPECT_EQ(testing::MaxDiff16(d->pixels, from_png->pixels), 0);

  EncodeOptions webp;
  webp.format = ImageFormat::kWebp;
  webp.webp_quality = 90;
  absl::StatusOr<std::string> webp_bytes = EncodeImage(d->pixels, d->metadata, webp);
  ASSERT_TRUE(webp_bytes.ok());
  absl::StatusOr<DecodedImage> from_webp = DecodeImage(*webp_bytes);
  ASSERT_TRUE(from_webp.ok());
  EXPECT_GT(testing::Psnr(d->pixels, from_webp->pixels, 3), 32.0);
}

INSTANTIATE_TEST_SUITE_P(Photos, PhotoTest,
                         ::testing::Values(Photo{"astronaut.jpg", 512, 512, 85},
                                           Photo{"chelsea.jpg", 451, 300, 85},
                                           Photo{"coffee.jpg", 600, 400, 80},
                                           Photo{"rocket.jpg", 640, 427, 80}),
                         [](const ::testing::TestParamInfo<Photo>& info) {
                           std::string name = info.param.name;
                           return name.substr(0, name.find('.'));
                         });

TEST(PhotoFilesTest, GrayPngRoundTripsExactly) {
  absl::StatusOr<DecodedImage> d = DecodeImage(ReadImage("coins.png"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->pixels.color_model(), ColorModel::kGray);
  EXPECT_EQ(d->pixels.width(), 384);
  EXPECT_EQ(d->pixels.height(), 303);
  absl::StatusOr<std::string> png = EncodeImage(d->pixels, d->metadata);
  ASSERT_TRUE(png.ok());
  absl::StatusOr<DecodedImage> again = DecodeImage(*png);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(testing::MaxDiff16(d->pixels, again->pixels), 0);
}

TEST(PhotoFilesTest, PalettePngExpands) {
  absl::StatusOr<DecodedImage> d = DecodeImage(ReadImage("palette_color.png"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->metadata.png_palette);
  EXPECT_GE(d->pixels.channels(), 3);
}

TEST(PhotoFilesTest, RealTruncatedJpegIsInvalid) {
  absl::StatusOr<DecodedImage> d = DecodeImage(ReadImage("truncated.jpg"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << d.status();
}

}  // namespace
}  // namespace hallmark::image
