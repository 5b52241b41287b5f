// The C2PA layer of marked images (issue 7, docs/provenance.md): signs a
// manifest into each marked PNG/JPEG/WebP, and reads the manifest of an
// image under detection next to its watermark, saying whether the two
// agree. Holds the claim signer (key + certificate chain from files, or a
// generated development chain) and the trust anchors. Immutable and
// thread-safe.
#ifndef HALLMARK_SIDECAR_PROVENANCE_CONTENT_CREDENTIALS_H_
#define HALLMARK_SIDECAR_PROVENANCE_CONTENT_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hallmark/v1/hallmark.pb.h"
#include "watermark/image/codec/image_format.h"
#include "watermark/provenance/c2pa/claim_signature.h"

namespace hallmark::sidecar {

// Largest key, chain or anchor file read.
inline constexpr size_t kMaxCredentialFileBytes = 256 << 10;

struct ContentCredentialFiles {
  std::string private_key;    // PEM P-256 key; empty with chain: development
  std::string chain;          // PEM certificates, signing certificate first
  std::string trust_anchors;  // PEM CA certificates; empty: none trusted
};

class ContentCredentials {
 public:
  // Loads the files. With neither key nor chain given, generates a
  // development CA and signing certificate (development() is true: callers
  // must warn loudly). One without the other is INVALID_ARGUMENT.
  static absl::StatusOr<std::unique_ptr<ContentCredentials>> Load(
      const ContentCredentialFiles& files, absl::string_view generator_version, absl::Time now);

  // Credentials that only read manifests (hallmark detect): the trust
  // anchors, no signer; Sign fails with FAILED_PRECONDITION.
  static absl::StatusOr<std::unique_ptr<ContentCredentials>> LoadForVerifying(
      const std::string& trust_anchors);

  bool development() const { return development_; }
  bool can_sign() const { return signer_ != nullptr; }
  // Only when can_sign().
  const c2pa::ClaimSigner& signer() const { return *signer_; }

  // Whether `format` can carry a manifest (PNG, JPEG, WebP).
  static bool Supports(image::ImageFormat format);

  // `encoded` with a signed manifest whose soft binding names
  // `payload_id`; fills `manifest` (label, size, signer).
  absl::StatusOr<std::string> Sign(image::ImageFormat format, absl::string_view encoded,
                                   absl::string_view payload_id,
                                   hallmark::v1::C2paManifest* manifest) const;

  // Reads and validates the manifest of `bytes` (a PNG/JPEG/WebP; other
  // formats report present=false) and compares its soft binding with the
  // watermark verdict in `watermark`.
  hallmark::v1::C2paReport Inspect(image::ImageFormat format, absl::string_view bytes,
                                   absl::Time now,
                                   const hallmark::v1::DetectResponse& watermark) const;

 private:
  ContentCredentials(std::unique_ptr<c2pa::ClaimSigner> signer,
                     std::vector<std::string> trust_anchors, bool development,
                     std::string generator_version);

  std::unique_ptr<c2pa::ClaimSigner> signer_;
  std::vector<std::string> trust_anchors_der_;
  bool development_;
  std::string generator_version_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_PROVENANCE_CONTENT_CREDENTIALS_H_
