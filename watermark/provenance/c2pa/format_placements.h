// Per-format halves of manifest_placement.h; internal to the c2pa library.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_FORMAT_PLACEMENTS_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_FORMAT_PLACEMENTS_H_

#include <cstdint>

#include "watermark/provenance/c2pa/manifest_placement.h"

namespace hallmark::c2pa {

absl::StatusOr<PlacedManifest> PlaceInJpeg(absl::string_view asset, absl::string_view store);
absl::StatusOr<FoundManifest> FindInJpeg(absl::string_view asset);

absl::StatusOr<PlacedManifest> PlaceInPng(absl::string_view asset, absl::string_view store);
absl::StatusOr<FoundManifest> FindInPng(absl::string_view asset);

absl::StatusOr<PlacedManifest> PlaceInWebp(absl::string_view asset, absl::string_view store);
absl::StatusOr<FoundManifest> FindInWebp(absl::string_view asset);
absl::StatusOr<std::string> RemoveFromWebp(absl::string_view asset);

// Big- and little-endian field access shared by the formats.
inline uint32_t LoadBe32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
inline uint16_t LoadBe16(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
inline uint32_t LoadLe32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[3]} << 24) | (uint32_t{u[2]} << 16) | (uint32_t{u[1]} << 8) | u[0];
}
inline void AppendBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
inline void AppendBe16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
inline void AppendLe32(std::string& out, uint32_t v) {
  for (int shift = 0; shift <= 24; shift += 8) out.push_back(static_cast<char>(v >> shift));
}

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_FORMAT_PLACEMENTS_H_
