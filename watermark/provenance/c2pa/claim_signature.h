// The C2PA claim signature: a COSE_Sign1 (RFC 9052) with a detached payload
// (the claim's CBOR bytes), algorithm ES256 (ECDSA P-256 / SHA-256, raw
// r||s signature) and the signer's X.509 chain in the protected header's
// x5chain (label 33), tagged 18, as C2PA 2.x requires.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_CLAIM_SIGNATURE_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_CLAIM_SIGNATURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hallmark::c2pa {

// Signs claims. Immutable and thread-safe.
class ClaimSigner {
 public:
  // From PEM text (contents, not paths): a P-256 private key (PKCS#8 or
  // SEC1) and the certificate chain, signing certificate first, then its
  // issuers. The key must match the first certificate. Encrypted keys and
  // other curves are refused with a message saying so.
  static absl::StatusOr<std::unique_ptr<ClaimSigner>> FromPem(absl::string_view private_key_pem,
                                                              absl::string_view chain_pem);
  ~ClaimSigner();
  ClaimSigner(const ClaimSigner&) = delete;
  ClaimSigner& operator=(const ClaimSigner&) = delete;

  // The tagged COSE_Sign1 bytes over `claim`. Its length depends only on the
  // chain, never on the claim, so a manifest can be sized before signing.
  absl::StatusOr<std::string> Sign(absl::string_view claim) const;

  // Sign's output length (it never depends on the claim).
  size_t signature_size() const { return signature_size_; }

  // The signing certificate's subject, one line (RFC 2253).
  const std::string& subject() const { return subject_; }
  // When the signing certificate expires.
  absl::Time not_after() const { return not_after_; }
  // DER certificates, signing certificate first.
  const std::vector<std::string>& chain_der() const { return chain_der_; }

 private:
  struct Key;
  ClaimSigner(std::unique_ptr<Key> key, std::vector<std::string> chain_der, std::string subject,
              absl::Time not_after);

  std::unique_ptr<Key> key_;
  std::vector<std::string> chain_der_;
  std::string subject_;
  absl::Time not_after_;
  std::string protected_header_;  // the encoded protected header map
  size_t signature_size_ = 0;
};

// What a verified signature says about its signer.
struct ClaimSignerInfo {
  std::string subject;       // RFC 2253, e.g. "CN=…,O=…"
  std::string common_name;   // the subject's CN, or ""
  std::string organization;  // the subject's O, or ""
  std::string issuer;        // RFC 2253
  // The chain verified up to one of the trust anchors given.
  bool trusted = false;
  // Why the chain is not trusted (empty when trusted).
  std::string trust_detail;
};

// Why a signature did not verify.
enum class ClaimSignatureError {
  kMalformed,  // not a COSE_Sign1 we can read, or no usable x5chain
  kUnsupportedAlgorithm,
  kBadCredential,  // the signing certificate breaks the C2PA profile or is expired
  kMismatch,       // the signature does not match the claim
};

struct ClaimSignatureFailure {
  ClaimSignatureError error;
  std::string detail;
};

// Verifies `cose` over `claim` at time `now` with the chain it carries, and
// whether that chain leads to one of `trust_anchors_der` (DER
// certificates). On failure the status message is the detail and
// ClaimSignatureErrorOf names the kind.
absl::StatusOr<ClaimSignerInfo> VerifyClaimSignature(
    absl::string_view cose, absl::string_view claim, absl::Time now,
    const std::vector<std::string>& trust_anchors_der);
ClaimSignatureError ClaimSignatureErrorOf(const absl::Status& status);

// Reads PEM certificates ("BEGIN CERTIFICATE" blocks, in order) into DER.
absl::StatusOr<std::vector<std::string>> CertificatesFromPem(absl::string_view pem);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_CLAIM_SIGNATURE_H_
