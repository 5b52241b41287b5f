// The labels and JUMBF URIs of the manifest Hallmark writes and reads.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_LABELS_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_LABELS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace hallmark::c2pa {

inline constexpr absl::string_view kManifestStoreLabel = "c2pa";
inline constexpr absl::string_view kAssertionStoreLabel = "c2pa.assertions";
inline constexpr absl::string_view kClaimLabel = "c2pa.claim.v2";
inline constexpr absl::string_view kSignatureLabel = "c2pa.signature";
inline constexpr absl::string_view kActionsLabel = "c2pa.actions.v2";
inline constexpr absl::string_view kSoftBindingLabel = "c2pa.soft-binding";
inline constexpr absl::string_view kDataHashLabel = "c2pa.hash.data";
inline constexpr absl::string_view kHashAlg = "sha256";
inline constexpr absl::string_view kSelfJumbf = "self#jumbf=";

// A created assertion's URI, relative to its manifest (as c2pa-rs writes it).
inline std::string AssertionUrl(absl::string_view assertion_label) {
  return absl::StrCat(kSelfJumbf, kAssertionStoreLabel, "/", assertion_label);
}
// The claim's reference to its signature: absolute.
inline std::string SignatureUrl(absl::string_view manifest_label) {
  return absl::StrCat(kSelfJumbf, "/", kManifestStoreLabel, "/", manifest_label, "/",
                      kSignatureLabel);
}

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_LABELS_H_
