// Shared fixtures for the C2PA tests: development credentials made once per
// process, and small encoded images in each format.
#ifndef HALLMARK_TESTS_WATERMARK_PROVENANCE_C2PA_C2PA_TEST_UTIL_H_
#define HALLMARK_TESTS_WATERMARK_PROVENANCE_C2PA_C2PA_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/provenance/c2pa/claim_signature.h"
#include "watermark/provenance/c2pa/development_credentials.h"
#include "watermark/provenance/c2pa/manifest_placement.h"

namespace hallmark::c2pa::testing {

struct TestSigner {
  SigningCredentialsPem pem;
  std::unique_ptr<ClaimSigner> signer;
};

inline const TestSigner& DevelopmentSigner() {
  static const TestSigner* const signer = [] {
    auto* out = new TestSigner;
    absl::StatusOr<SigningCredentialsPem> pem = GenerateDevelopmentCredentials(absl::Now());
    EXPECT_TRUE(pem.ok()) << pem.status();
    out->pem = *pem;
    absl::StatusOr<std::unique_ptr<ClaimSigner>> made =
        ClaimSigner::FromPem(pem->private_key_pem, pem->chain_pem);
    EXPECT_TRUE(made.ok()) << made.status();
    out->signer = *std::move(made);
    return out;
  }();
  return *signer;
}

inline image::ImageFormat CodecFormat(AssetFormat format) {
  switch (format) {
    case AssetFormat::kJpeg:
      return image::ImageFormat::kJpeg;
    case AssetFormat::kPng:
      return image::ImageFormat::kPng;
    case AssetFormat::kWebp:
      return image::ImageFormat::kWebp;
  }
  return image::ImageFormat::kPng;
}

// A `width`x`height` RGB image with some structure, encoded in `format`.
inline std::string EncodedImage(AssetFormat format, int width = 96, int height = 64, int seed = 1) {
  absl::StatusOr<image::Image> created =
      image::Image::Create(width, height, image::ColorModel::kRgb, 8);
  EXPECT_TRUE(created.ok()) << created.status();
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < height; ++y) {
      float* row = created->Row(c, y);
      for (int x = 0; x < width; ++x) {
        row[x] = static_cast<float>(((x * (c + 1) + y * 3 + seed * 17) % 256) / 255.0);
      }
    }
  }
  image::EncodeOptions options;
  options.format = CodecFormat(format);
  absl::StatusOr<std::string> encoded =
      image::EncodeImage(*created, image::ImageMetadata{}, options);
  EXPECT_TRUE(encoded.ok()) << encoded.status();
  return encoded.ok() ? *encoded : std::string();
}

}  // namespace hallmark::c2pa::testing

#endif  // HALLMARK_TESTS_WATERMARK_PROVENANCE_C2PA_C2PA_TEST_UTIL_H_
