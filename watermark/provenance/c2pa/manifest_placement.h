// Where a C2PA manifest store lives in each asset format (C2PA 2.1 §A):
//   JPEG  APP11 segments carrying JUMBF (JPEG XT, ISO/IEC 18477-3 box
//         transport: CI "JP", box instance En, sequence Z), right after SOI
//         and its APP0 (JFIF) segment if there is one;
//   PNG   a 'caBX' chunk right after IHDR;
//   WebP  a 'C2PA' RIFF chunk at the end of an extended (VP8X) file; a
//         simple lossy/lossless file is converted to the extended form.
// The byte range a placement occupies is what the hard binding excludes.
// Find/Remove read untrusted bytes and check every length.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_PLACEMENT_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_PLACEMENT_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::c2pa {

enum class AssetFormat { kJpeg, kPng, kWebp };

// "image/jpeg", "image/png", "image/webp".
absl::string_view MediaType(AssetFormat format);

struct ByteRange {
  size_t start = 0;
  size_t length = 0;
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

struct PlacedManifest {
  std::string asset;  // the asset with the manifest store in it
  ByteRange range;    // the bytes the store's container occupies
};

struct FoundManifest {
  std::string store;  // the JUMBF manifest store, reassembled
  ByteRange range;
};

// Inserts `store` (a serialized JUMBF manifest store). The asset must be a
// well-formed file of `format` without a manifest store
// (FAILED_PRECONDITION otherwise). Deterministic: the same asset and store
// size give the same range.
absl::StatusOr<PlacedManifest> PlaceManifest(AssetFormat format, absl::string_view asset,
                                             absl::string_view store);
// NOT_FOUND when the asset has no manifest store; INVALID_ARGUMENT when the
// file or the store's container is malformed.
absl::StatusOr<FoundManifest> FindManifest(AssetFormat format, absl::string_view asset);
// The asset without its manifest store (what a metadata-stripping platform
// does). NOT_FOUND when there is none.
absl::StatusOr<std::string> RemoveManifest(AssetFormat format, absl::string_view asset);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_MANIFEST_PLACEMENT_H_
