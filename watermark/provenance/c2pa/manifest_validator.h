// Reads and validates the C2PA manifest store of an asset: the active
// (last) manifest's claim signature and signer, every hashed assertion
// reference, and the hard binding (c2pa.hash.data) against the file; and
// reports what its actions and soft-binding assertions say. Status codes
// follow the C2PA 2.1 validation vocabulary (§15). Reads untrusted bytes:
// anything malformed is reported, never trusted.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_VALIDATOR_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_VALIDATOR_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "watermark/provenance/c2pa/claim_signature.h"
#include "watermark/provenance/c2pa/manifest_placement.h"

namespace hallmark::c2pa {

struct ManifestValidation {
  // A manifest store was found (even if it could not be read).
  bool present = false;
  std::string manifest_label;
  std::string claim_generator;  // "name version"
  // The claim signature verifies and the signing certificate meets the
  // C2PA profile (trust is separate: signer.trusted).
  bool signature_valid = false;
  ClaimSignerInfo signer;
  // Every assertion the claim references is present with its hash.
  bool assertions_valid = false;
  // The file's bytes outside the manifest store hash to the signed value.
  bool hard_binding_valid = false;
  std::string soft_binding_alg;
  std::string soft_binding_value;  // the watermark payload id it names
  std::string digital_source_type;
  // C2PA status codes, e.g. "claimSignature.validated",
  // "assertion.dataHash.mismatch", "signingCredential.untrusted".
  std::vector<std::string> successes;
  std::vector<std::string> failures;
  // The first failure in words (empty when there is none).
  std::string detail;

  // Signature, assertions and hard binding all hold.
  bool valid() const {
    return present && signature_valid && assertions_valid && hard_binding_valid;
  }
};

// `now` is when certificate validity is checked (no timestamps are read);
// `trust_anchors_der` are the CA certificates whose chains count as
// trusted (none: every signer is reported signingCredential.untrusted).
ManifestValidation ValidateManifest(AssetFormat format, absl::string_view asset, absl::Time now,
                                    const std::vector<std::string>& trust_anchors_der);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_VALIDATOR_H_
