// Hallmark's manifest reader on files signed by the C2PA reference
// implementation (tests/data/c2pa/README.md): an independent writer.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "watermark/provenance/c2pa/claim_signature.h"
#include "watermark/provenance/c2pa/manifest_validator.h"

namespace hallmark::c2pa {
namespace {

using ::testing::Contains;

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(HALLMARK_SOURCE_DIR) + "/tests/data/c2pa/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Inside the reference chain's validity, whenever the tests run.
absl::Time ValidationTime() {
  return absl::FromCivil(absl::CivilDay(2027, 6, 1), absl::UTCTimeZone());
}

struct ReferenceFile {
  const char* name;
  AssetFormat format;
};

class ReferenceFilesTest : public ::testing::TestWithParam<ReferenceFile> {};

TEST_P(ReferenceFilesTest, ValidatesAndIsTrustedWithItsCa) {
  const std::string asset = ReadData(GetParam().name);
  absl::StatusOr<std::vector<std::string>> ca = CertificatesFromPem(ReadData("c2pa-rs-ca.pem"));
  ASSERT_TRUE(ca.ok()) << ca.status();
  const ManifestValidation v = ValidateManifest(GetParam().format, asset, ValidationTime(), *ca);
  EXPECT_TRUE(v.valid()) << v.detail;
  EXPECT_TRUE(v.signer.trusted) << v.signer.trust_detail;
  EXPECT_EQ(v.signer.organization, "Hallmark Dev");
  EXPECT_EQ(v.digital_source_type,
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
  EXPECT_THAT(v.successes, Contains("assertion.dataHash.match"));

  // Without the anchor: valid, untrusted.
  const ManifestValidation untrusted =
      ValidateManifest(GetParam().format, asset, ValidationTime(), {});
  EXPECT_TRUE(untrusted.valid());
  EXPECT_THAT(untrusted.failures, ::testing::ElementsAre("signingCredential.untrusted"));

  // After the signing certificate expired: the credential is invalid.
  const ManifestValidation expired =
      ValidateManifest(GetParam().format, asset,
                       absl::FromCivil(absl::CivilDay(2031, 1, 1), absl::UTCTimeZone()), {});
  EXPECT_FALSE(expired.signature_valid);
  EXPECT_THAT(expired.failures, Contains("signingCredential.invalid"));
}

INSTANTIATE_TEST_SUITE_P(C2paRs, ReferenceFilesTest,
                         ::testing::Values(ReferenceFile{"c2pa-rs.jpg", AssetFormat::kJpeg},
                                           ReferenceFile{"c2pa-rs-multisegment.jpg",
                                                         AssetFormat::kJpeg},
                                           ReferenceFile{"c2pa-rs.png", AssetFormat::kPng},
                                           ReferenceFile{"c2pa-rs.webp", AssetFormat::kWebp}),
                         [](const ::testing::TestParamInfo<ReferenceFile>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (c == '-' || c == '.') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace hallmark::c2pa
