// PNG: the manifest store in a 'caBX' chunk right after IHDR.
//   length(4, BE) type(4) data CRC-32(type + data)
#include <zlib.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "watermark/provenance/c2pa/format_placements.h"

namespace hallmark::c2pa {
namespace {

constexpr absl::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
constexpr absl::string_view kChunkType = "caBX";
constexpr size_t kChunkOverhead = 12;
constexpr uint32_t kMaxChunkLength = 0x7FFFFFFF;  // PNG's limit

struct Chunk {
  size_t start;
  absl::string_view type;
  absl::string_view data;
  size_t end() const { return start + kChunkOverhead + data.size(); }
};

absl::StatusOr<std::vector<Chunk>> Chunks(absl::string_view asset) {
  if (asset.substr(0, kSignature.size()) != kSignature) {
    return absl::InvalidArgumentError("not a PNG file (bad signature)");
  }
  std::vector<Chunk> chunks;
  size_t pos = kSignature.size();
  while (pos < asset.size()) {
    if (asset.size() - pos < kChunkOverhead) {
      return absl::InvalidArgumentError(absl::StrCat("truncated PNG chunk at byte ", pos));
    }
    const uint32_t length = LoadBe32(asset.data() + pos);
    if (length > kMaxChunkLength || asset.size() - pos - kChunkOverhead < length) {
      return absl::InvalidArgumentError(
          absl::StrCat("PNG chunk at byte ", pos, " overruns the file"));
    }
    chunks.push_back({pos, asset.substr(pos + 4, 4), asset.substr(pos + 8, length)});
    pos = chunks.back().end();
    if (chunks.back().type == "IEND") break;
  }
  if (chunks.empty() || chunks.front().type != "IHDR") {
    return absl::InvalidArgumentError("PNG does not start with IHDR");
  }
  return chunks;
}

}  // namespace

absl::StatusOr<PlacedManifest> PlaceInPng(absl::string_view asset, absl::string_view store) {
  absl::StatusOr<std::vector<Chunk>> chunks = Chunks(asset);
  if (!chunks.ok()) return chunks.status();
  if (store.size() > kMaxChunkLength) {
    return absl::InvalidArgumentError("manifest store too large for PNG");
  }
  std::string chunk;
  AppendBe32(chunk, static_cast<uint32_t>(store.size()));
  absl::StrAppend(&chunk, kChunkType);
  absl::StrAppend(&chunk, store);
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(chunk.data() + 4),
                          static_cast<uInt>(chunk.size() - 4));
  AppendBe32(chunk, static_cast<uint32_t>(crc));
  const size_t insert_at = chunks->front().end();
  PlacedManifest placed;
  placed.range = {insert_at, chunk.size()};
  placed.asset = absl::StrCat(asset.substr(0, insert_at), chunk, asset.substr(insert_at));
  return placed;
}

absl::StatusOr<FoundManifest> FindInPng(absl::string_view asset) {
  absl::StatusOr<std::vector<Chunk>> chunks = Chunks(asset);
  if (!chunks.ok()) return chunks.status();
  for (const Chunk& chunk : *chunks) {
    if (chunk.type != kChunkType) continue;
    FoundManifest found;
    found.store = std::string(chunk.data);
    found.range = {chunk.start, chunk.end() - chunk.start};
    return found;
  }
  return absl::NotFoundError("no C2PA manifest store (caBX chunk) in the PNG");
}

}  // namespace hallmark::c2pa
