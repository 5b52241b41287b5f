// The canonical-grid image scheme through its public interface: round trips
// on real photos at several sizes and aspect ratios, detection after JPEG 75
// and a half-size resize, keyed behaviour and no verification on unmarked
// images. Robustness beyond these two edits is measured by hallmark-eval.
#include "watermark/image/canonical_grid/canonical_grid_scheme.h"

#include <cmath>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/watermark/image/codec_test_util.h"
#include "tests/watermark/image/scheme_test_util.h"
#include "watermark/image/image_scheme_registry.h"

namespace hallmark::image {
namespace {

using testing::DecodeTestImage;
using testing::Reencode;
using testing::Resize;
using testing::TestKey;
using watermark::KeySet;
using watermark::PayloadFields;

// Random payload fields under the key the tests mark with (its tag must be
// in the payload for detection to try the key).
PayloadFields Fields(uint32_t seed, const watermark::WatermarkKey& key) {
  std::mt19937 rng(seed);
  PayloadFields fields;
  fields.key_tag = key.tag();
  fields.space_tag = static_cast<uint16_t>(rng());
  fields.hour = rng() % watermark::kMaxHour;
  fields.nonce = static_cast<uint16_t>(rng() % watermark::kMaxNonce);
  return fields;
}

// Marks an RGB or gray image in place; returns the PSNR the scheme reports.
double MarkRgb(const ImageScheme& scheme, Image* image, const PayloadFields& fields,
               const watermark::WatermarkKey& key) {
  EXPECT_TRUE(ConvertRgbToYCbCr(image).ok());
  absl::StatusOr<ImageMarkResult> result = scheme.Mark(image, fields, key);
  EXPECT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->marked);
  EXPECT_TRUE(ConvertYCbCrToRgb(image).ok());
  return result->psnr_db;
}

ImageDetection DetectRgb(const ImageScheme& scheme, const Image& image, const KeySet& keys) {
  absl::StatusOr<Image> copy = image.Clone();
  EXPECT_TRUE(copy.ok());
  EXPECT_TRUE(ConvertRgbToYCbCr(&*copy).ok());
  return scheme.Detect(*copy, keys);
}

struct Case {
  const char* photo;
  int width;  // 0 = as stored
  int height;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.photo;
  name = name.substr(0, name.find('.'));
  if (info.param.width > 0) {
    name += "_" + std::to_string(info.param.width) + "x" + std::to_string(info.param.height);
  }
  return name;
}

class CanonicalGridPhotoTest : public ::testing::TestWithParam<Case> {
 protected:
  Image Photo() {
    Image image = DecodeTestImage(GetParam().photo);
    if (GetParam().width > 0) image = Resize(image, GetParam().width, GetParam().height);
    return image;
  }
  // Quantises the marked image to 8 bits through a lossless PNG round trip.
  Image MarkAndPng(const PayloadFields& fields, double* psnr) {
    Image image = Photo();
    *psnr = MarkRgb(scheme_, &image, fields, *key_);
    return Reencode(image, ImageFormat::kPng);
  }
  CanonicalGridScheme scheme_;
  std::shared_ptr<const watermark::WatermarkKey> key_ = TestKey("image-test");
  KeySet keys_{{key_}};
};

TEST_P(CanonicalGridPhotoTest, RoundTripThroughPng) {
  const PayloadFields fields = Fields(11, *key_);
  double psnr = 0;
  const Image marked = MarkAndPng(fields, &psnr);
  EXPECT_GE(psnr, 42.0);
  const ImageDetection d = DetectRgb(scheme_, marked, keys_);
  ASSERT_TRUE(d.verified) << "score " << d.codeword_score << " geometry " << d.geometry;
  EXPECT_TRUE(d.detected);
  EXPECT_EQ(*d.payload, fields);
  EXPECT_EQ(d.key, key_.get());
  EXPECT_EQ(d.geometry, "identity");
  EXPECT_LE(d.false_positive_probability, 1e-8);
}

TEST_P(CanonicalGridPhotoTest, SurvivesJpeg75) {
  const PayloadFields fields = Fields(12, *key_);
  double psnr = 0;
  const Image marked = MarkAndPng(fields, &psnr);
  const ImageDetection d = DetectRgb(scheme_, Reencode(marked, ImageFormat::kJpeg, 75), keys_);
  ASSERT_TRUE(d.verified) << "score " << d.codeword_score;
  EXPECT_EQ(*d.payload, fields);
}

TEST_P(CanonicalGridPhotoTest, SurvivesHalfSizeResize) {
  const PayloadFields fields = Fields(13, *key_);
  double psnr = 0;
  const Image marked = MarkAndPng(fields, &psnr);
  const Image half = Resize(marked, marked.width() / 2, marked.height() / 2);
  const ImageDetection d = DetectRgb(scheme_, Reencode(half, ImageFormat::kPng), keys_);
  ASSERT_TRUE(d.verified) << "score " << d.codeword_score;
  EXPECT_EQ(*d.payload, fields);
}

TEST_P(CanonicalGridPhotoTest, UnmarkedPhotoNeverVerifies) {
  const Image image = Photo();
  for (int k = 0; k < 20; ++k) {
    auto key = TestKey("other-" + std::to_string(k), static_cast<uint8_t>(k + 40));
    const ImageDetection d = DetectRgb(scheme_, image, KeySet({key}));
    EXPECT_FALSE(d.verified) << "key " << k;
    EXPECT_FALSE(d.payload.has_value());
  }
}

TEST_P(CanonicalGridPhotoTest, OtherKeyDoesNotVerify) {
  double psnr = 0;
  const Image marked = MarkAndPng(Fields(14, *key_), &psnr);
  const ImageDetection d = DetectRgb(scheme_, marked, KeySet({TestKey("stranger", 99)}));
  EXPECT_FALSE(d.verified);
  EXPECT_FALSE(d.detected);
}

INSTANTIATE_TEST_SUITE_P(Photos, CanonicalGridPhotoTest,
                         ::testing::Values(Case{"astronaut.jpg", 0, 0}, Case{"coffee.jpg", 0, 0},
                                           Case{"rocket.jpg", 0, 0}, Case{"chelsea.jpg", 0, 0},
                                           Case{"coins.png", 0, 0}, Case{"astronaut.jpg", 256, 256},
                                           Case{"coffee.jpg", 301, 257},
                                           Case{"rocket.jpg", 1000, 300},
                                           Case{"chelsea.jpg", 257, 512},
                                           Case{"astronaut.jpg", 1024, 1024}),
                         CaseName);

// Property: on synthetic photo-like images (smooth shapes, fine noise) of
// random sizes and aspect ratios, marking then detecting (float samples, no
// re-encode) recovers the payload for many seeds. (Full-resolution white
// noise is the worst host for a grid-domain mark: see
// docs/image-watermark.md and hallmark-eval's synthetic set.)
TEST(CanonicalGridPropertyTest, RoundTripOnRandomSyntheticImages) {
  const CanonicalGridScheme scheme;
  auto key = TestKey("property");
  const KeySet keys({key});
  std::mt19937 rng(2026);
  for (int seed = 0; seed < 12; ++seed) {
    const int w = 64 + static_cast<int>(rng() % 700), h = 64 + static_cast<int>(rng() % 700);
    Image image =
        testing::MakeImage(w, h, ColorModel::kGray, testing::Pattern::kPhotoLike, 8, seed);
    const PayloadFields fields = Fields(100 + seed, *key);
    absl::StatusOr<ImageMarkResult> r = scheme.Mark(&image, fields, *key);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->marked);
    const ImageDetection d = scheme.Detect(image, keys);
    ASSERT_TRUE(d.verified) << w << "x" << h << " seed " << seed << " score " << d.codeword_score;
    EXPECT_EQ(*d.payload, fields);
  }
}

TEST(CanonicalGridSchemeTest, RefusesRgbAndSkipsTinyImages) {
  const CanonicalGridScheme scheme;
  auto key = TestKey("tiny");
  Image rgb = testing::MakeImage(200, 200, ColorModel::kRgb, testing::Pattern::kNoise);
  EXPECT_EQ(scheme.Mark(&rgb, Fields(1, *key), *key).status().code(),
            absl::StatusCode::kInvalidArgument);

  Image tiny = testing::MakeImage(40, 300, ColorModel::kGray, testing::Pattern::kNoise);
  absl::StatusOr<Image> before = tiny.Clone();
  absl::StatusOr<ImageMarkResult> r = scheme.Mark(&tiny, Fields(1, *key), *key);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->marked);
  EXPECT_EQ(testing::MaxDiff16(tiny, *before), 0);
}

TEST(CanonicalGridSchemeTest, FlatImageStaysCleanAndStillMarks) {
  const CanonicalGridScheme scheme;
  auto key = TestKey("flat");
  Image flat = testing::MakeImage(512, 512, ColorModel::kGray, testing::Pattern::kFlat);
  absl::StatusOr<ImageMarkResult> r = scheme.Mark(&flat, Fields(3, *key), *key);
  ASSERT_TRUE(r.ok());
  // Flat cells get the minimum strength only: far above the PSNR floor.
  EXPECT_GE(r->psnr_db, 48.0);
  const ImageDetection d = scheme.Detect(flat, KeySet({key}));
  EXPECT_TRUE(d.verified);
}

TEST(CanonicalGridSchemeTest, RegistryHasTheDefaultScheme) {
  ImageSchemeRegistry registry;
  RegisterBuiltinImageSchemes(registry);
  ASSERT_NE(registry.Find(kDefaultImageScheme), nullptr);
  EXPECT_EQ(registry.Find(kDefaultImageScheme)->name(), CanonicalGridScheme::kName);
  EXPECT_EQ(registry.Find("nope"), nullptr);
}

}  // namespace
}  // namespace hallmark::image
