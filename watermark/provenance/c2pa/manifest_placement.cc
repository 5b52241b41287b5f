#include "watermark/provenance/c2pa/manifest_placement.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "watermark/provenance/c2pa/format_placements.h"

namespace hallmark::c2pa {

absl::string_view MediaType(AssetFormat format) {
  switch (format) {
    case AssetFormat::kJpeg:
      return "image/jpeg";
    case AssetFormat::kPng:
      return "image/png";
    case AssetFormat::kWebp:
      return "image/webp";
  }
  return "application/octet-stream";
}

absl::StatusOr<PlacedManifest> PlaceManifest(AssetFormat format, absl::string_view asset,
                                             absl::string_view store) {
  absl::StatusOr<FoundManifest> existing = FindManifest(format, asset);
  if (existing.ok()) {
    return absl::FailedPreconditionError("the asset already holds a C2PA manifest store");
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  switch (format) {
    case AssetFormat::kJpeg:
      return PlaceInJpeg(asset, store);
    case AssetFormat::kPng:
      return PlaceInPng(asset, store);
    case AssetFormat::kWebp:
      return PlaceInWebp(asset, store);
  }
  return absl::InvalidArgumentError("unknown asset format");
}

absl::StatusOr<FoundManifest> FindManifest(AssetFormat format, absl::string_view asset) {
  switch (format) {
    case AssetFormat::kJpeg:
      return FindInJpeg(asset);
    case AssetFormat::kPng:
      return FindInPng(asset);
    case AssetFormat::kWebp:
      return FindInWebp(asset);
  }
  return absl::InvalidArgumentError("unknown asset format");
}

absl::StatusOr<std::string> RemoveManifest(AssetFormat format, absl::string_view asset) {
  if (format == AssetFormat::kWebp) return RemoveFromWebp(asset);
  absl::StatusOr<FoundManifest> found = FindManifest(format, asset);
  if (!found.ok()) return found.status();
  return absl::StrCat(asset.substr(0, found->range.start),
                      asset.substr(found->range.start + found->range.length));
}

}  // namespace hallmark::c2pa
