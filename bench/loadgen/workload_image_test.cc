#include "bench/loadgen/workload_image.h"

#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::loadgen {
namespace {

constexpr char kImageDir[] = HALLMARK_LOADGEN_IMAGE_DIR;

WorkloadSpec Spec(absl::string_view text) {
  absl::StatusOr<WorkloadSpec> spec = ParseWorkload(text);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

// An RGB image whose channel c holds a * x + b * y + c.
image::Image Ramp(int width, int height, float a, float b) {
  absl::StatusOr<image::Image> img = image::Image::Create(width, height, image::ColorModel::kRgb);
  EXPECT_TRUE(img.ok());
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) img->Row(c, y)[x] = a * x + b * y + static_cast<float>(c);
    }
  }
  return *std::move(img);
}

TEST(CropAndResizeTest, SameSizeIsTheIdentity) {
  const image::Image src = Ramp(17, 9, 3, 5);
  absl::StatusOr<image::Image> out = CropAndResize(src, 17, 9);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->color_model(), image::ColorModel::kRgb);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 9; ++y) {
      for (int x = 0; x < 17; ++x) EXPECT_FLOAT_EQ(out->Row(c, y)[x], src.Row(c, y)[x]);
    }
  }
}

TEST(CropAndResizeTest, UpscaleInterpolatesAndCropsTheCentre) {
  // 40x20 source to a square: the centre 20x20 (x from 10 to 30), doubled.
  const image::Image src = Ramp(40, 20, 1, 2);
  absl::StatusOr<image::Image> out = CropAndResize(src, 40, 40);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->width(), 40);
  EXPECT_EQ(out->height(), 40);
  // Output x maps to source 10 + (x + 0.5) / 2 - 0.5; inside the crop the
  // ramp is linear, so bilinear is exact there.
  for (int y = 1; y < 39; ++y) {
    for (int x = 1; x < 39; ++x) {
      const double sx = 10 + (x + 0.5) / 2 - 0.5;
      const double sy = (y + 0.5) / 2 - 0.5;
      EXPECT_NEAR(out->Row(0, y)[x], sx + 2 * sy, 1e-4) << x << "," << y;
      EXPECT_NEAR(out->Row(2, y)[x], sx + 2 * sy + 2, 1e-4) << x << "," << y;
    }
  }
  // Edges are clamped: row 0 samples source row 0.
  EXPECT_NEAR(out->Row(0, 0)[20], 10 + 20.5 / 2 - 0.5, 1e-4);
}

TEST(CropAndResizeTest, Downscale) {
  const image::Image src = Ramp(64, 64, 1, 0);
  absl::StatusOr<image::Image> out = CropAndResize(src, 16, 8);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->width(), 16);
  EXPECT_EQ(out->height(), 8);
  // Crop 64x32; x samples 4 * (x + 0.5) - 0.5.
  EXPECT_NEAR(out->Row(0, 3)[0], 1.5, 1e-4);
  EXPECT_NEAR(out->Row(0, 3)[15], 61.5, 1e-4);
}

TEST(CropAndResizeTest, RefusesEmpty) {
  EXPECT_FALSE(CropAndResize(image::Image(), 4, 4).ok());
  EXPECT_FALSE(CropAndResize(Ramp(4, 4, 1, 1), 0, 4).ok());
}

TEST(MakeWorkloadImageTest, EveryFormatDecodesToTheRequestedSize) {
  for (const char* text : {"image:256x256:jpeg", "image:256x256:png", "image:256x256:webp",
                           "image:300x200:jpeg:q75", "detect-image:257x131:png"}) {
    const WorkloadSpec spec = Spec(text);
    absl::StatusOr<WorkloadImage> made = MakeWorkloadImage(spec, kImageDir);
    ASSERT_TRUE(made.ok()) << text << ": " << made.status();
    EXPECT_EQ(made->width, spec.width);
    EXPECT_EQ(made->height, spec.height);
    EXPECT_EQ(made->format, spec.image_format);
    absl::StatusOr<image::DecodedImage> decoded = image::DecodeImage(made->bytes);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.status();
    EXPECT_EQ(decoded->pixels.width(), spec.width) << text;
    EXPECT_EQ(decoded->pixels.height(), spec.height) << text;
    EXPECT_EQ(decoded->pixels.color_model(), image::ColorModel::kRgb) << text;
    EXPECT_EQ(decoded->metadata.source_format == image::ImageFormat::kJpeg,
              spec.image_format == ImageWorkloadFormat::kJpeg)
        << text;
    if (spec.quality > 0) {
      EXPECT_EQ(decoded->metadata.jpeg_quality, spec.quality) << text;
    }
    EXPECT_TRUE(absl::StrContains(made->description, absl::StrCat(spec.width, "x", spec.height)))
        << made->description;
  }
}

TEST(MakeWorkloadImageTest, RawIsPackedRgb) {
  absl::StatusOr<WorkloadImage> made = MakeWorkloadImage(Spec("image:33x17:raw"), kImageDir);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->channels, 3);
  EXPECT_EQ(made->bytes.size(), size_t{33} * 17 * 3);
  image::RawLayout layout;
  layout.width = 33;
  layout.height = 17;
  layout.channels = 3;
  EXPECT_TRUE(image::DecodeRaw(made->bytes, layout).ok());
}

TEST(MakeWorkloadImageTest, DeterministicAndPhotoLike) {
  const WorkloadSpec spec = Spec("image:512x512:png");
  absl::StatusOr<WorkloadImage> a = MakeWorkloadImage(spec, kImageDir);
  absl::StatusOr<WorkloadImage> b = MakeWorkloadImage(spec, kImageDir);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->bytes, b->bytes);
  // Not flat: a photo's PNG is far from the few hundred bytes of a flat image.
  EXPECT_GT(a->bytes.size(), size_t{512} * 512 / 4);
}

TEST(MakeWorkloadImageTest, PicksThePhotoNeedingTheLeastUpscaling) {
  // Square: astronaut.jpg (512x512) gives the largest square crop.
  absl::StatusOr<WorkloadImage> square = MakeWorkloadImage(Spec("image:1024x1024:jpeg"), kImageDir);
  ASSERT_TRUE(square.ok()) << square.status();
  EXPECT_TRUE(absl::StartsWith(square->description, "astronaut.jpg 512x512"))
      << square->description;
  // 16:9: rocket.jpg (640x427) gives the largest crop, 640x360.
  absl::StatusOr<WorkloadImage> wide = MakeWorkloadImage(Spec("image:1920x1080:jpeg"), kImageDir);
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_TRUE(absl::StartsWith(wide->description, "rocket.jpg 640x427, centre crop 640x360"))
      << wide->description;
}

TEST(MakeWorkloadImageTest, ASingleFileSource) {
  absl::StatusOr<WorkloadImage> made =
      MakeWorkloadImage(Spec("image:64x64:jpeg"), absl::StrCat(kImageDir, "/chelsea.jpg"));
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(absl::StartsWith(made->description, "chelsea.jpg 451x300")) << made->description;
}

TEST(MakeWorkloadImageTest, Errors) {
  EXPECT_FALSE(MakeWorkloadImage(Spec("text:4096"), kImageDir).ok());
  EXPECT_FALSE(MakeWorkloadImage(Spec("image:64x64:jpeg"), "/nonexistent/photo.jpg").ok());
  // Gray photos are not candidates on their own.
  EXPECT_FALSE(
      MakeWorkloadImage(Spec("image:64x64:jpeg"), absl::StrCat(kImageDir, "/coins.png")).ok());
  EXPECT_FALSE(
      MakeWorkloadImage(Spec("image:64x64:jpeg"), absl::StrCat(kImageDir, "/truncated.jpg")).ok());
}

}  // namespace
}  // namespace hallmark::loadgen
