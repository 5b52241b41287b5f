// Writing and validating C2PA manifests in each format, through the public
// interfaces: the manifest written validates; altered pixels, a manifest
// moved onto another image, a stripped manifest, a forged claim or a wrong
// certificate are each reported as such.
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/watermark/provenance/c2pa/c2pa_test_util.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/provenance/c2pa/jumbf_box.h"
#include "watermark/provenance/c2pa/manifest_placement.h"
#include "watermark/provenance/c2pa/manifest_validator.h"
#include "watermark/provenance/c2pa/manifest_writer.h"

namespace hallmark::c2pa {
namespace {

using ::hallmark::c2pa::testing::DevelopmentSigner;
using ::hallmark::c2pa::testing::EncodedImage;
using ::testing::Contains;
using ::testing::IsEmpty;

class ManifestTest : public ::testing::TestWithParam<AssetFormat> {
 protected:
  static ManifestFacts Facts(const std::string& payload_id = "0123456789abcdef") {
    ManifestFacts facts;
    facts.generator_version = "test";
    facts.watermark_payload_id = payload_id;
    return facts;
  }

  static SignedAsset Sign(AssetFormat format, const std::string& asset,
                          const std::string& payload_id = "0123456789abcdef") {
    absl::StatusOr<SignedAsset> signed_asset =
        WriteManifest(format, asset, Facts(payload_id), *DevelopmentSigner().signer);
    EXPECT_TRUE(signed_asset.ok()) << signed_asset.status();
    return signed_asset.ok() ? *signed_asset : SignedAsset{};
  }

  static ManifestValidation Validate(AssetFormat format, const std::string& asset,
                                     bool trust_dev_ca = false) {
    std::vector<std::string> anchors;
    if (trust_dev_ca) {
      absl::StatusOr<std::vector<std::string>> ca =
          CertificatesFromPem(DevelopmentSigner().pem.ca_pem);
      EXPECT_TRUE(ca.ok());
      anchors = *ca;
    }
    return ValidateManifest(format, asset, absl::Now(), anchors);
  }
};

TEST_P(ManifestTest, WrittenManifestValidatesAndTheImageStillDecodes) {
  const std::string original = EncodedImage(GetParam());
  const SignedAsset signed_asset = Sign(GetParam(), original);
  EXPECT_TRUE(absl::StartsWith(signed_asset.manifest_label, "urn:c2pa:"));
  EXPECT_GT(signed_asset.asset.size(), original.size());

  const ManifestValidation v = Validate(GetParam(), signed_asset.asset);
  EXPECT_TRUE(v.valid()) << v.detail;
  EXPECT_EQ(v.manifest_label, signed_asset.manifest_label);
  EXPECT_EQ(v.claim_generator, "hallmark test");
  EXPECT_EQ(v.soft_binding_alg, kHallmarkSoftBindingAlg);
  EXPECT_EQ(v.soft_binding_value, "0123456789abcdef");
  EXPECT_EQ(v.digital_source_type, kTrainedAlgorithmicMedia);
  EXPECT_EQ(v.signer.organization, "Hallmark development");
  EXPECT_FALSE(v.signer.trusted);
  EXPECT_THAT(v.failures, ::testing::ElementsAre("signingCredential.untrusted"));
  EXPECT_THAT(v.successes, Contains("claimSignature.validated"));
  EXPECT_THAT(v.successes, Contains("assertion.dataHash.match"));

  // The codecs read the signed file as the same picture.
  absl::StatusOr<image::DecodedImage> before = image::DecodeImage(original);
  absl::StatusOr<image::DecodedImage> after = image::DecodeImage(signed_asset.asset);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->pixels.width(), before->pixels.width());
  for (int c = 0; c < before->pixels.channels(); ++c) {
    for (int y = 0; y < before->pixels.height(); ++y) {
      for (int x = 0; x < before->pixels.width(); ++x) {
        ASSERT_EQ(after->pixels.Row(c, y)[x], before->pixels.Row(c, y)[x]);
      }
    }
  }

  // With HALLMARK_C2PA_OUT set, the signed files are written there: seeds
  // for the c2pa_manifest_fuzzer corpus, or input for the reference reader
  // (tests/provenance/c2pa_reader/read.mjs) by hand.
  if (const char* out_dir = std::getenv("HALLMARK_C2PA_OUT")) {
    const std::string ext = std::string(MediaType(GetParam()).substr(6));
    std::ofstream(std::string(out_dir) + "/signed." + ext, std::ios::binary) << signed_asset.asset;
  }
}

TEST_P(ManifestTest, TrustedWhenTheChainLeadsToAConfiguredAnchor) {
  const SignedAsset signed_asset = Sign(GetParam(), EncodedImage(GetParam()));
  const ManifestValidation v = Validate(GetParam(), signed_asset.asset, /*trust_dev_ca=*/true);
  EXPECT_TRUE(v.valid()) << v.detail;
  EXPECT_TRUE(v.signer.trusted) << v.signer.trust_detail;
  EXPECT_THAT(v.failures, IsEmpty());
}

TEST_P(ManifestTest, AlteredBytesOutsideTheManifestBreakTheHardBinding) {
  const SignedAsset signed_asset = Sign(GetParam(), EncodedImage(GetParam()));
  std::string tampered = signed_asset.asset;
  // The byte just before the manifest's container: hashed in every format.
  const size_t at = signed_asset.range.start - 1;
  tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
  const ManifestValidation v = Validate(GetParam(), tampered);
  EXPECT_TRUE(v.present);
  EXPECT_TRUE(v.signature_valid);
  EXPECT_FALSE(v.hard_binding_valid);
  EXPECT_THAT(v.failures, Contains("assertion.dataHash.mismatch"));
}

TEST_P(ManifestTest, ManifestMovedOntoAnotherImageFailsItsBinding) {
  const SignedAsset first = Sign(GetParam(), EncodedImage(GetParam(), 96, 64, 1), "aaaa");
  const std::string other = EncodedImage(GetParam(), 96, 64, 2);
  absl::StatusOr<FoundManifest> store = FindManifest(GetParam(), first.asset);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<PlacedManifest> moved = PlaceManifest(GetParam(), other, store->store);
  ASSERT_TRUE(moved.ok()) << moved.status();
  const ManifestValidation v = Validate(GetParam(), moved->asset);
  EXPECT_TRUE(v.signature_valid);
  EXPECT_FALSE(v.hard_binding_valid);
  EXPECT_FALSE(v.valid());
  EXPECT_EQ(v.soft_binding_value, "aaaa");
  EXPECT_THAT(v.failures, Contains("assertion.dataHash.mismatch"));
}

TEST_P(ManifestTest, StrippedManifestIsAbsentAndTheFileDecodes) {
  const std::string original = EncodedImage(GetParam());
  const SignedAsset signed_asset = Sign(GetParam(), original);
  absl::StatusOr<std::string> stripped = RemoveManifest(GetParam(), signed_asset.asset);
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  const ManifestValidation v = Validate(GetParam(), *stripped);
  EXPECT_FALSE(v.present);
  EXPECT_THAT(v.failures, IsEmpty());
  EXPECT_TRUE(image::DecodeImage(*stripped).ok());
  if (GetParam() != AssetFormat::kWebp) {
    EXPECT_EQ(*stripped, original);
  }
}

TEST_P(ManifestTest, AlteredAssertionIsReported) {
  const SignedAsset signed_asset = Sign(GetParam(), EncodedImage(GetParam()), "0123456789abcdef");
  // Rewrite the soft binding's payload id inside the store (same length).
  std::string tampered = signed_asset.asset;
  const size_t at = tampered.find("0123456789abcdef");
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, 16, "fedcba9876543210");
  const ManifestValidation v = Validate(GetParam(), tampered);
  EXPECT_FALSE(v.assertions_valid);
  EXPECT_FALSE(v.valid());
  EXPECT_THAT(v.failures, Contains("assertion.hashedURI.mismatch"));
}

TEST_P(ManifestTest, PlacingTwiceIsRefused) {
  const SignedAsset signed_asset = Sign(GetParam(), EncodedImage(GetParam()));
  absl::StatusOr<SignedAsset> again =
      WriteManifest(GetParam(), signed_asset.asset, Facts(), *DevelopmentSigner().signer);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(ManifestTest, TruncatedFilesNeverCrashTheValidator) {
  const SignedAsset signed_asset = Sign(GetParam(), EncodedImage(GetParam()));
  for (size_t cut = 0; cut < signed_asset.asset.size(); cut += 97) {
    const ManifestValidation v = Validate(GetParam(), signed_asset.asset.substr(0, cut));
    EXPECT_FALSE(v.valid()) << "cut at " << cut;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ManifestTest,
                         ::testing::Values(AssetFormat::kJpeg, AssetFormat::kPng,
                                           AssetFormat::kWebp),
                         [](const ::testing::TestParamInfo<AssetFormat>& info) {
                           return std::string(MediaType(info.param).substr(6));
                         });

TEST(JpegPlacementTest, LargeStoresSpanSeveralApp11SegmentsAndReassemble) {
  const std::string jpeg = EncodedImage(AssetFormat::kJpeg);
  JumbfSuperbox box;
  box.uuid = kManifestStoreUuid;
  box.label = "c2pa";
  box.contents.push_back({"cbor", std::string(150000, 'x')});
  const std::string store = SerializeJumbf(box);
  absl::StatusOr<PlacedManifest> placed = PlaceManifest(AssetFormat::kJpeg, jpeg, store);
  ASSERT_TRUE(placed.ok()) << placed.status();
  // Three segments: 12 bytes of marker, length and transport header each,
  // and the repeated 8-byte box header in the two continuations.
  EXPECT_EQ(placed->range.length, store.size() + 3 * 12 + 2 * 8);
  absl::StatusOr<FoundManifest> found = FindManifest(AssetFormat::kJpeg, placed->asset);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->store, store);
  EXPECT_EQ(found->range, placed->range);
  EXPECT_TRUE(image::DecodeImage(placed->asset).ok());
}

TEST(WebpPlacementTest, SimpleFilesBecomeExtendedWithTheirCanvasSize) {
  const std::string webp = EncodedImage(AssetFormat::kWebp, 123, 45);
  ASSERT_EQ(webp.substr(12, 4), "VP8 ");
  const SignedAsset signed_asset =
      *WriteManifest(AssetFormat::kWebp, webp, ManifestFacts{}, *DevelopmentSigner().signer);
  EXPECT_EQ(signed_asset.asset.substr(12, 4), "VP8X");
  absl::StatusOr<image::DecodedImage> decoded = image::DecodeImage(signed_asset.asset);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->pixels.width(), 123);
  EXPECT_EQ(decoded->pixels.height(), 45);
}

}  // namespace
}  // namespace hallmark::c2pa
