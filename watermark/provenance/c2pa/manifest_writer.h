// Writes a signed C2PA manifest store into an asset Hallmark generated and
// watermarked (C2PA 2.1, claim v2; docs/provenance.md):
//
//   c2pa (manifest store)
//   └─ urn:c2pa:<uuid> (manifest)
//      ├─ c2pa.assertions
//      │  ├─ c2pa.actions.v2    c2pa.created, digitalSourceType
//      │  │                     trainedAlgorithmicMedia, softwareAgent
//      │  ├─ c2pa.soft-binding  our watermark algorithm + its payload id
//      │  └─ c2pa.hash.data     SHA-256 of the file minus the store itself
//      ├─ c2pa.claim.v2         hashed references to the three assertions
//      └─ c2pa.signature        COSE_Sign1 ES256 over the claim, x5chain
//
// The hard binding is computed over the final file: the store is placed
// once with a placeholder hash to learn the bytes it occupies, the file is
// hashed without them, and the store is rebuilt with the real hash — its
// size cannot change, so neither can the excluded range.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_WRITER_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "watermark/provenance/c2pa/claim_signature.h"
#include "watermark/provenance/c2pa/manifest_placement.h"

namespace hallmark::c2pa {

inline constexpr absl::string_view kTrainedAlgorithmicMedia =
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
// Soft-binding algorithm name for Hallmark's image watermark (a vendor name:
// it is not in the C2PA soft-binding algorithm list).
inline constexpr absl::string_view kHallmarkSoftBindingAlg = "com.hallmark.canonical-grid.v1";

// What the manifest states.
struct ManifestFacts {
  std::string generator_name = "hallmark";
  std::string generator_version;
  // The watermark in the pixels: algorithm name and the payload id it
  // carries, so a copy whose metadata was stripped links back to this
  // manifest through detection.
  std::string soft_binding_alg = std::string(kHallmarkSoftBindingAlg);
  std::string watermark_payload_id;
  std::string digital_source_type = std::string(kTrainedAlgorithmicMedia);
};

struct SignedAsset {
  std::string asset;
  std::string manifest_label;  // urn:c2pa:<uuid>
  size_t store_bytes = 0;      // size of the JUMBF manifest store
  ByteRange range;             // where it sits (the hard binding's exclusion)
};

// Embeds a freshly signed manifest store in `asset` (which must not hold
// one). Thread-safe for distinct calls; `signer` is shared.
absl::StatusOr<SignedAsset> WriteManifest(AssetFormat format, absl::string_view asset,
                                          const ManifestFacts& facts, const ClaimSigner& signer);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_WRITER_H_
