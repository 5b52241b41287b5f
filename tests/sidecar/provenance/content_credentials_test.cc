// ContentCredentials: loading signing credentials from files (and refusing
// bad ones with a message naming the problem), and the verdict that ties a
// manifest to the watermark.
#include "sidecar/provenance/content_credentials.h"

#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "watermark/provenance/c2pa/development_credentials.h"

namespace hallmark::sidecar {
namespace {

class ContentCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir();
    pem_ = *c2pa::GenerateDevelopmentCredentials(absl::Now(), absl::Hours(24), "Acme");
  }
  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string dir_;
  c2pa::SigningCredentialsPem pem_;
};

TEST_F(ContentCredentialsTest, LoadsKeyChainAndAnchorsFromFiles) {
  auto credentials =
      ContentCredentials::Load({Write("key.pem", pem_.private_key_pem),
                                Write("chain.pem", pem_.chain_pem), Write("ca.pem", pem_.ca_pem)},
                               "1.2.3", absl::Now());
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_FALSE((*credentials)->development());
  EXPECT_TRUE(absl::StrContains((*credentials)->signer().subject(), "O=Acme"));
}

TEST_F(ContentCredentialsTest, NoFilesMeansADevelopmentSigner) {
  auto credentials = ContentCredentials::Load({}, "1.2.3", absl::Now());
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_TRUE((*credentials)->development());
}

TEST_F(ContentCredentialsTest, RefusesHalfAConfigurationAndBadFiles) {
  const std::string key = Write("key.pem", pem_.private_key_pem);
  const std::string chain = Write("chain.pem", pem_.chain_pem);
  EXPECT_EQ(ContentCredentials::Load({key, "", ""}, "v", absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ContentCredentials::Load({"", chain, ""}, "v", absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ContentCredentials::Load({dir_ + "/missing.pem", chain, ""}, "v", absl::Now())
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  // A key that is not the certificate's.
  const c2pa::SigningCredentialsPem other = *c2pa::GenerateDevelopmentCredentials(absl::Now());
  absl::Status mismatch =
      ContentCredentials::Load({Write("other.pem", other.private_key_pem), chain, ""}, "v",
                               absl::Now())
          .status();
  EXPECT_TRUE(absl::StrContains(mismatch.message(), "does not match")) << mismatch;
  // An Ed25519 key is not ES256.
  absl::Status curve =
      ContentCredentials::Load(
          {Write("ed.pem",
                 "-----BEGIN PRIVATE KEY-----\n"
                 "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
                 "-----END PRIVATE KEY-----\n"),
           chain, ""},
          "v", absl::Now())
          .status();
  EXPECT_TRUE(absl::StrContains(curve.message(), "P-256")) << curve;
  // Anchors that hold no certificate.
  EXPECT_FALSE(ContentCredentials::Load({key, chain, Write("junk.pem", "not a certificate")}, "v",
                                        absl::Now())
                   .ok());
}

TEST_F(ContentCredentialsTest, VerifyingOnlyCredentialsReadTrustButCannotSign) {
  auto credentials = ContentCredentials::LoadForVerifying(Write("ca.pem", pem_.ca_pem));
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_FALSE((*credentials)->can_sign());
  hallmark::v1::C2paManifest manifest;
  EXPECT_EQ((*credentials)->Sign(image::ImageFormat::kPng, "png", "id", &manifest).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ContentCredentials::LoadForVerifying(Write("junk.pem", "not a certificate")).ok());
  EXPECT_TRUE(ContentCredentials::LoadForVerifying("").ok());
}

TEST_F(ContentCredentialsTest, RawOutputCannotCarryAManifest) {
  EXPECT_TRUE(ContentCredentials::Supports(image::ImageFormat::kJpeg));
  EXPECT_TRUE(ContentCredentials::Supports(image::ImageFormat::kPng));
  EXPECT_TRUE(ContentCredentials::Supports(image::ImageFormat::kWebp));
  EXPECT_FALSE(ContentCredentials::Supports(image::ImageFormat::kRaw));
  auto credentials = ContentCredentials::Load({}, "v", absl::Now());
  ASSERT_TRUE(credentials.ok());
  hallmark::v1::C2paManifest manifest;
  EXPECT_FALSE((*credentials)->Sign(image::ImageFormat::kRaw, "pixels", "id", &manifest).ok());
}

TEST_F(ContentCredentialsTest, InspectWithoutAManifestSaysWhetherTheWatermarkWasFound) {
  auto credentials = ContentCredentials::Load({}, "v", absl::Now());
  ASSERT_TRUE(credentials.ok());
  hallmark::v1::DetectResponse watermark;
  watermark.set_verified(true);
  watermark.set_payload_id("a3538f104c83e9");
  std::ifstream in(std::string(HALLMARK_SOURCE_DIR) + "/tests/data/images/coins.png",
                   std::ios::binary);
  const std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(png.empty());
  const hallmark::v1::C2paReport report =
      (*credentials)->Inspect(image::ImageFormat::kPng, png, absl::Now(), watermark);
  EXPECT_FALSE(report.present());
  EXPECT_EQ(report.soft_binding(), "none");
  EXPECT_TRUE(absl::StrContains(report.summary(), "stripped")) << report.summary();

  watermark.set_verified(false);
  EXPECT_EQ(
      (*credentials)->Inspect(image::ImageFormat::kPng, png, absl::Now(), watermark).summary(),
      "no C2PA manifest and no watermark");
}

}  // namespace
}  // namespace hallmark::sidecar
