#include "sidecar/provenance/content_credentials.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sidecar/keys/key_file.h"
#include "watermark/provenance/c2pa/development_credentials.h"
#include "watermark/provenance/c2pa/manifest_validator.h"
#include "watermark/provenance/c2pa/manifest_writer.h"

namespace hallmark::sidecar {
namespace {

std::optional<c2pa::AssetFormat> AssetFormatOf(image::ImageFormat format) {
  switch (format) {
    case image::ImageFormat::kJpeg:
      return c2pa::AssetFormat::kJpeg;
    case image::ImageFormat::kPng:
      return c2pa::AssetFormat::kPng;
    case image::ImageFormat::kWebp:
      return c2pa::AssetFormat::kWebp;
    default:
      return std::nullopt;
  }
}

std::string Summary(const hallmark::v1::C2paReport& r, const c2pa::ManifestValidation& v,
                    bool watermark_verified) {
  if (!r.present()) {
    return watermark_verified
               ? "no C2PA manifest (stripped, or never added); the watermark was found"
               : "no C2PA manifest and no watermark";
  }
  const std::string signer = r.trusted() ? "trusted signer" : "signer not trusted here";
  if (v.manifest_label.empty() && !v.failures.empty()) {
    return absl::StrCat("C2PA manifest present but unreadable: ", v.detail);
  }
  if (!r.signature_valid()) {
    return absl::StrCat("C2PA manifest present but its signature does not hold: ", v.detail);
  }
  if (!v.assertions_valid) return "C2PA manifest altered after signing (an assertion hash fails)";
  if (!r.hard_binding_valid()) {
    if (r.soft_binding() == "match") {
      return "file altered after signing (hard binding fails); the watermark still matches the "
             "manifest";
    }
    if (r.soft_binding() == "mismatch") {
      return "the manifest belongs to another image: its hard binding fails and its soft binding "
             "names another watermark";
    }
    return "hard binding fails: the file was altered after signing or the manifest was moved "
           "from another image (no watermark found to tell which)";
  }
  if (r.soft_binding() == "match") {
    return absl::StrCat("valid C2PA manifest (", signer, "); the watermark matches it");
  }
  if (r.soft_binding() == "mismatch") {
    return absl::StrCat("valid C2PA manifest (", signer,
                        "), but its soft binding names another watermark than the one found");
  }
  return absl::StrCat("valid C2PA manifest (", signer, ")");
}

// The DER certificates of a PEM trust anchor file; none for an empty path.
absl::StatusOr<std::vector<std::string>> ReadTrustAnchors(const std::string& path) {
  if (path.empty()) return std::vector<std::string>();
  absl::StatusOr<std::string> pem =
      ReadKeyFile(path, kMaxCredentialFileBytes, "C2PA trust anchor file");
  if (!pem.ok()) return pem.status();
  absl::StatusOr<std::vector<std::string>> der = c2pa::CertificatesFromPem(*pem);
  if (!der.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("C2PA trust anchor file ", path, ": ", der.status().message()));
  }
  return der;
}

}  // namespace

ContentCredentials::ContentCredentials(std::unique_ptr<c2pa::ClaimSigner> signer,
                                       std::vector<std::string> trust_anchors, bool development,
                                       std::string generator_version)
    : signer_(std::move(signer)),
      trust_anchors_der_(std::move(trust_anchors)),
      development_(development),
      generator_version_(std::move(generator_version)) {}

absl::StatusOr<std::unique_ptr<ContentCredentials>> ContentCredentials::Load(
    const ContentCredentialFiles& files, absl::string_view generator_version, absl::Time now) {
  if (files.private_key.empty() != files.chain.empty()) {
    return absl::InvalidArgumentError(
        "give both the C2PA signing key and its certificate chain, or neither (development)");
  }
  std::string key_pem;
  std::string chain_pem;
  const bool development = files.private_key.empty();
  if (development) {
    absl::StatusOr<c2pa::SigningCredentialsPem> generated =
        c2pa::GenerateDevelopmentCredentials(now);
    if (!generated.ok()) return generated.status();
    key_pem = std::move(generated->private_key_pem);
    chain_pem = std::move(generated->chain_pem);
  } else {
    absl::StatusOr<std::string> key =
        ReadKeyFile(files.private_key, kMaxCredentialFileBytes, "C2PA signing key file");
    if (!key.ok()) return key.status();
    absl::StatusOr<std::string> chain =
        ReadKeyFile(files.chain, kMaxCredentialFileBytes, "C2PA certificate chain file");
    if (!chain.ok()) return chain.status();
    key_pem = *std::move(key);
    chain_pem = *std::move(chain);
  }
  absl::StatusOr<std::unique_ptr<c2pa::ClaimSigner>> signer =
      c2pa::ClaimSigner::FromPem(key_pem, chain_pem);
  std::fill(key_pem.begin(), key_pem.end(), '\0');
  if (!signer.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("C2PA credentials (", files.private_key, ", ",
                                                   files.chain, "): ", signer.status().message()));
  }
  absl::StatusOr<std::vector<std::string>> anchors = ReadTrustAnchors(files.trust_anchors);
  if (!anchors.ok()) return anchors.status();
  return std::unique_ptr<ContentCredentials>(new ContentCredentials(
      *std::move(signer), *std::move(anchors), development, std::string(generator_version)));
}

absl::StatusOr<std::unique_ptr<ContentCredentials>> ContentCredentials::LoadForVerifying(
    const std::string& trust_anchors) {
  absl::StatusOr<std::vector<std::string>> anchors = ReadTrustAnchors(trust_anchors);
  if (!anchors.ok()) return anchors.status();
  return std::unique_ptr<ContentCredentials>(
      new ContentCredentials(nullptr, *std::move(anchors), /*development=*/false, ""));
}

bool ContentCredentials::Supports(image::ImageFormat format) {
  return AssetFormatOf(format).has_value();
}

absl::StatusOr<std::string> ContentCredentials::Sign(image::ImageFormat format,
                                                     absl::string_view encoded,
                                                     absl::string_view payload_id,
                                                     hallmark::v1::C2paManifest* manifest) const {
  if (signer_ == nullptr) {
    return absl::FailedPreconditionError("these C2PA credentials only verify");
  }
  const std::optional<c2pa::AssetFormat> asset_format = AssetFormatOf(format);
  if (!asset_format) {
    return absl::InvalidArgumentError(
        absl::StrCat(image::ImageFormatName(format), " output cannot carry a C2PA manifest"));
  }
  c2pa::ManifestFacts facts;
  facts.generator_version = generator_version_;
  facts.watermark_payload_id = std::string(payload_id);
  absl::StatusOr<c2pa::SignedAsset> signed_asset =
      c2pa::WriteManifest(*asset_format, encoded, facts, *signer_);
  if (!signed_asset.ok()) return signed_asset.status();
  manifest->set_manifest_label(signed_asset->manifest_label);
  manifest->set_manifest_bytes(static_cast<int64_t>(signed_asset->store_bytes));
  manifest->set_signer(signer_->subject());
  manifest->set_development_signer(development_);
  return std::move(signed_asset->asset);
}

hallmark::v1::C2paReport ContentCredentials::Inspect(
    image::ImageFormat format, absl::string_view bytes, absl::Time now,
    const hallmark::v1::DetectResponse& watermark) const {
  hallmark::v1::C2paReport report;
  c2pa::ManifestValidation v;
  if (const std::optional<c2pa::AssetFormat> asset_format = AssetFormatOf(format)) {
    v = c2pa::ValidateManifest(*asset_format, bytes, now, trust_anchors_der_);
  }
  report.set_present(v.present);
  report.set_valid(v.valid());
  report.set_signature_valid(v.signature_valid);
  report.set_hard_binding_valid(v.hard_binding_valid);
  report.set_trusted(v.signature_valid && v.signer.trusted);
  report.set_signer(v.signer.subject);
  report.set_signer_organization(v.signer.organization);
  report.set_issuer(v.signer.issuer);
  report.set_manifest_label(v.manifest_label);
  report.set_claim_generator(v.claim_generator);
  report.set_digital_source_type(v.digital_source_type);
  report.set_soft_binding_alg(v.soft_binding_alg);
  report.set_soft_binding_payload_id(v.soft_binding_value);
  if (v.soft_binding_value.empty()) {
    report.set_soft_binding("none");
  } else if (!watermark.verified()) {
    report.set_soft_binding("no_watermark");
  } else {
    report.set_soft_binding(v.soft_binding_value == watermark.payload_id() ? "match" : "mismatch");
  }
  for (const std::string& code : v.failures) report.add_failures(code);
  for (const std::string& code : v.successes) report.add_successes(code);
  report.set_summary(Summary(report, v, watermark.verified()));
  return report;
}

}  // namespace hallmark::sidecar
