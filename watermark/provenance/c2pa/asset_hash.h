// The C2PA data hash: SHA-256 of an asset with byte ranges left out.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_ASSET_HASH_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_ASSET_HASH_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "watermark/crypto/hmac_sha256.h"
#include "watermark/provenance/c2pa/manifest_placement.h"

namespace hallmark::c2pa {

// Ranges may come in any order and overlap; parts outside `asset` are
// ignored.
watermark::Sha256Digest HashExcluding(absl::string_view asset,
                                      absl::Span<const ByteRange> excluded);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_ASSET_HASH_H_
