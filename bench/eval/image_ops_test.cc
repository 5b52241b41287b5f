// The evaluation tool's own pixel operations, attacks, metrics and JSON:
// an attack that silently did nothing (or too much) would make every
// robustness number meaningless.
#include "bench/eval/image_ops.h"

#include <cmath>
#include <string>

#include "bench/eval/image_attacks.h"
#include "bench/eval/image_quality.h"
#include "bench/eval/json_writer.h"
#include "gtest/gtest.h"
#include "watermark/image/codec/image.h"

namespace hallmark::eval {
namespace {

using image::ColorModel;
using image::Image;

// Integer-valued samples: a ramp per channel plus a checker texture.
Image MakeRgb(int w, int h, ColorModel model = ColorModel::kRgb) {
  Image img = *Image::Create(w, h, model);
  for (int c = 0; c < img.channels(); ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        img.Row(c, y)[x] = static_cast<float>((x * 3 + y * 2 + c * 40 + ((x ^ y) & 1) * 9) % 256);
      }
    }
  }
  return img;
}

double MaxAbsDiff(const Image& a, const Image& b) {
  double worst = 0;
  for (int c = 0; c < a.channels(); ++c) {
    for (int y = 0; y < a.height(); ++y) {
      for (int x = 0; x < a.width(); ++x) {
        worst = std::max(worst, static_cast<double>(std::fabs(a.Row(c, y)[x] - b.Row(c, y)[x])));
      }
    }
  }
  return worst;
}

double Mean(const Image& img, int c) {
  double s = 0;
  for (int y = 0; y < img.height(); ++y) {
    for (int x = 0; x < img.width(); ++x) s += img.Row(c, y)[x];
  }
  return s / (img.width() * img.height());
}

TEST(ImageOpsTest, AreaResizeAveragesBlocks) {
  Image img = MakeRgb(4, 4);
  Image half = *AreaResize(img, 2, 2);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 2; ++x) {
        const float want = (img.Row(c, 2 * y)[2 * x] + img.Row(c, 2 * y)[2 * x + 1] +
                            img.Row(c, 2 * y + 1)[2 * x] + img.Row(c, 2 * y + 1)[2 * x + 1]) /
                           4;
        EXPECT_NEAR(half.Row(c, y)[x], want, 1e-4);
      }
    }
  }
}

TEST(ImageOpsTest, AreaResizeKeepsTheMeanAtFractionalRatios) {
  Image img = MakeRgb(101, 77);
  Image small = *AreaResize(img, 76, 58);  // ~0.75x, cells straddle samples
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(Mean(small, c), Mean(img, c), 0.5);
}

TEST(ImageOpsTest, BilinearSameSizeIsIdentity) {
  Image img = MakeRgb(33, 20);
  EXPECT_EQ(MaxAbsDiff(*BilinearResize(img, 33, 20), img), 0);
}

TEST(ImageOpsTest, FlipTwiceIsIdentityAndMirrors) {
  Image img = MakeRgb(17, 9);
  Image flipped = *FlipHorizontal(img);
  EXPECT_EQ(flipped.Row(1, 3)[0], img.Row(1, 3)[16]);
  EXPECT_EQ(MaxAbsDiff(*FlipHorizontal(flipped), img), 0);
}

TEST(ImageOpsTest, CropCentreKeepsTheAreaFraction) {
  Image img = MakeRgb(200, 100);
  Image crop = *CropCentre(img, 0.5);
  EXPECT_EQ(crop.width(), 141);
  EXPECT_EQ(crop.height(), 71);
  EXPECT_EQ(crop.Row(0, 0)[0], img.Row(0, 14)[29]);
  EXPECT_FALSE(CropCentre(img, 0).ok());
}

TEST(ImageOpsTest, RotateIsCounterClockwiseWithBlackCorners) {
  Image img = *Image::Create(5, 5, ColorModel::kGray);
  img.Row(0, 2)[4] = 200;  // right of the centre
  Image quarter = *Rotate(img, 90);
  EXPECT_NEAR(quarter.Row(0, 0)[2], 200, 1e-3);  // now above it
  EXPECT_EQ(MaxAbsDiff(*Rotate(img, 0), img), 0);

  Image full = MakeRgb(64, 64);
  for (int c = 0; c < 3; ++c) full.Row(c, 0)[0] = 255;
  Image turned = *Rotate(full, 2);
  EXPECT_EQ(turned.Row(0, 0)[0], 0);  // the corner left the canvas
  EXPECT_EQ(turned.width(), 64);
}

TEST(ImageQualityTest, PsnrAndSsim) {
  Image a = MakeRgb(64, 48);
  Image b = *a.Clone();
  EXPECT_TRUE(std::isinf(Psnr(a, b)));
  EXPECT_NEAR(SsimLuminance(a, b), 1.0, 1e-12);
  for (int c = 0; c < 3; ++c) b.Row(c, 10)[10] += 10;  // MSE = 100 / (64 * 48)
  EXPECT_NEAR(Psnr(a, b), 10 * std::log10(255.0 * 255.0 * 64 * 48 / 100), 1e-9);
  const double ssim = SsimLuminance(a, b);
  EXPECT_LT(ssim, 1.0);
  EXPECT_GT(ssim, 0.99);
  EXPECT_TRUE(std::isnan(Psnr(a, *AreaResize(a, 32, 24))));
}

TEST(ImageAttacksTest, EveryAttackRunsOnRgbAndGrayAndYieldsEightBitSamples) {
  for (ColorModel model : {ColorModel::kRgb, ColorModel::kGray}) {
    Image img = MakeRgb(160, 120, model);
    for (const Attack& attack : StandardAttacks()) {
      SCOPED_TRACE(attack.name);
      absl::StatusOr<Image> out = ApplyAttack(attack, img, 42);
      ASSERT_TRUE(out.ok()) << out.status();
      for (int c = 0; c < out->channels(); ++c) {
        for (int y = 0; y < out->height(); ++y) {
          for (int x = 0; x < out->width(); ++x) {
            const float v = out->Row(c, y)[x];
            ASSERT_TRUE(v >= 0 && v <= 255 && v == std::nearbyint(v)) << v;
          }
        }
      }
    }
  }
}

TEST(ImageAttacksTest, SizesAndDeterminism) {
  Image img = MakeRgb(160, 120);
  auto run = [&img](const std::string& name, uint64_t seed) {
    absl::StatusOr<std::vector<const Attack*>> a = SelectAttacks(name);
    EXPECT_TRUE(a.ok());
    return *ApplyAttack(*a->front(), img, seed);
  };
  EXPECT_EQ(run("resize0.5", 1).width(), 80);
  EXPECT_EQ(run("resize0.75", 1).height(), 90);
  EXPECT_EQ(run("resize0.5_up", 1).width(), 160);
  EXPECT_EQ(run("crop80", 1).width(), 143);
  EXPECT_EQ(MaxAbsDiff(run("none", 1), img), 0);
  EXPECT_EQ(MaxAbsDiff(run("png", 1), img), 0);
  EXPECT_EQ(MaxAbsDiff(run("noise5", 7), run("noise5", 7)), 0);
  EXPECT_GT(MaxAbsDiff(run("noise5", 7), run("noise5", 8)), 0);
  const double noise_psnr = Psnr(img, run("noise5", 7));
  EXPECT_NEAR(noise_psnr, 10 * std::log10(255.0 * 255.0 / 25.0), 0.5);  // sigma 5, rounded
  EXPECT_LT(Psnr(img, run("jpeg50", 1)), Psnr(img, run("jpeg90", 1)));
  EXPECT_FALSE(SelectAttacks("jpeg75,nope").ok());
  EXPECT_EQ(SelectAttacks("flip,jpeg75")->size(), 2u);
}

TEST(ImageAttacksTest, Requantisation) {
  Image img = MakeRgb(64, 64);
  Image palette = *ApplyAttack(*SelectAttacks("palette252")->front(), img, 0);
  Image rgb565 = *ApplyAttack(*SelectAttacks("rgb565")->front(), img, 0);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const float r = palette.Row(0, y)[x];
      const float g = palette.Row(1, y)[x];
      EXPECT_EQ(std::fmod(r, 51.0f), 0) << r;                        // 6 levels: 0, 51, ..., 255
      EXPECT_NEAR(g / 42.5f, std::nearbyint(g / 42.5f), 0.02) << g;  // 7 levels
      const int r5 = static_cast<int>(rgb565.Row(0, y)[x]);
      EXPECT_EQ(r5, ((r5 >> 3) << 3) | (r5 >> 5));
    }
  }
}

TEST(JsonWriterTest, NestedDocument) {
  JsonWriter j;
  j.BeginObject().Key("a").Int(1).Key("b").BeginArray().String("x\"y\n").Double(0.5);
  j.Double(std::nan("")).EndArray().Key("c").BeginObject().EndObject().Key("d").Bool(true);
  j.EndObject();
  EXPECT_EQ(j.str(),
            "{\n  \"a\": 1,\n  \"b\": [\n    \"x\\\"y\\n\",\n    0.5,\n    null\n  ],\n"
            "  \"c\": {},\n  \"d\": true\n}\n");
}

}  // namespace
}  // namespace hallmark::eval
