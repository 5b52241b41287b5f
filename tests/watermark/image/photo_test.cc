// Codec behaviour on the real photos in tests/data/images/ (see its README).
#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::image {
namespace {

struct Photo {
  const char* name;
  int width;
  int height;
  int quality;
};

class PhotoTest : public ::testing::TestWithParam<Photo> {};

TEST_P(PhotoTest, DecodesAndSurvivesEveryFormat) {
  const Photo p = GetParam();
  const std::string bytes = testing::ReadTestImage(p.name);
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
  absl::StatusOr<DecodedImage> d = DecodeImage(testing::ReadTestImage("coins.png"));
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
  absl::StatusOr<DecodedImage> d = DecodeImage(testing::ReadTestImage("palette_color.png"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->metadata.png_palette);
  EXPECT_GE(d->pixels.channels(), 3);
}

TEST(PhotoFilesTest, RealTruncatedJpegIsInvalid) {
  absl::StatusOr<DecodedImage> d = DecodeImage(testing::ReadTestImage("truncated.jpg"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << d.status();
}

}  // namespace
}  // namespace hallmark::image

namespace hallmark::image {
namespace {

// A JPEG decoded as stored (YCbCr) and converted here matches libjpeg's own
// RGB output to within its integer rounding, and a YCbCr image written
// straight to JPEG decodes like the RGB one.
TEST(PhotoFilesTest, JpegAsYCbCrMatchesRgbAndEncodesDirectly) {
  const std::string bytes = testing::ReadTestImage("astronaut.jpg");
  absl::StatusOr<DecodedImage> rgb = DecodeImage(bytes);
  absl::StatusOr<DecodedImage> ycc = DecodeImage(bytes, {}, {.jpeg_as_ycbcr = true});
  ASSERT_TRUE(rgb.ok() && ycc.ok());
  EXPECT_EQ(rgb->pixels.color_model(), ColorModel::kRgb);
  ASSERT_EQ(ycc->pixels.color_model(), ColorModel::kYCbCr);
  EXPECT_EQ(ycc->metadata.jpeg_quality, rgb->metadata.jpeg_quality);

  // Stored as YCbCr: straight to JPEG, no conversion; other formats refuse.
  absl::StatusOr<std::string> direct = EncodeImage(ycc->pixels, ycc->metadata, {});
  ASSERT_TRUE(direct.ok()) << direct.status();
  ImageMetadata png_metadata;
  EXPECT_EQ(EncodeImage(ycc->pixels, png_metadata, {.format = ImageFormat::kPng}).status().code(),
            absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(ConvertYCbCrToRgb(&ycc->pixels).ok());
  // Saturated colours convert outside [0, 255]; libjpeg clamps, and so will
  // the encoder: compare what would be stored.
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < ycc->pixels.height(); ++y) {
      float* row = ycc->pixels.Row(c, y);
      for (int x = 0; x < ycc->pixels.width(); ++x) row[x] = std::clamp(row[x], 0.0f, 255.0f);
    }
  }
  EXPECT_LE(testing::MaxDiff16(ycc->pixels, rgb->pixels), 3 * 257);
  EXPECT_GT(testing::Psnr(ycc->pixels, rgb->pixels, 3), 50.0);

  absl::StatusOr<DecodedImage> again = DecodeImage(*direct);
  absl::StatusOr<std::string> via_rgb = EncodeImage(rgb->pixels, rgb->metadata, {});
  ASSERT_TRUE(again.ok() && via_rgb.ok());
  absl::StatusOr<DecodedImage> reference = DecodeImage(*via_rgb);
  ASSERT_TRUE(reference.ok());
  EXPECT_GT(testing::Psnr(again->pixels, reference->pixels, 3), 40.0);
}

// Gray JPEGs ignore the option.
TEST(PhotoFilesTest, GrayJpegStaysGrayWhenAskedForYCbCr) {
  Image gray = testing::MakeImage(64, 48, ColorModel::kGray, testing::Pattern::kGradient);
  ImageMetadata metadata;
  metadata.source_format = ImageFormat::kJpeg;
  absl::StatusOr<std::string> jpeg = EncodeImage(gray, metadata, {});
  ASSERT_TRUE(jpeg.ok());
  absl::StatusOr<DecodedImage> d = DecodeImage(*jpeg, {}, {.jpeg_as_ycbcr = true});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->pixels.color_model(), ColorModel::kGray);
}

}  // namespace
}  // namespace hallmark::image
