// Development signing credentials for C2PA: a fresh P-256 CA and a signing
// certificate it issued, both made in memory. They meet the C2PA signing
// profile, so validators report only that the signer is not trusted — which
// is exactly what a development signer is. Never for production: use a
// certificate from a CA your verifiers trust (docs/provenance.md).
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_DEVELOPMENT_CREDENTIALS_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_DEVELOPMENT_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hallmark::c2pa {

struct SigningCredentialsPem {
  std::string private_key_pem;  // PKCS#8, the signing certificate's key
  std::string chain_pem;        // signing certificate, then the CA
  std::string ca_pem;           // the CA alone (a trust anchor for tests)
};

// Valid from an hour before `now` for `validity`. `organization` names the
// subject's O ("Hallmark development" by default).
absl::StatusOr<SigningCredentialsPem> GenerateDevelopmentCredentials(
    absl::Time now, absl::Duration validity = absl::Hours(24 * 365),
    absl::string_view organization = "Hallmark development");

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_DEVELOPMENT_CREDENTIALS_H_
