// WebP: the manifest store in a 'C2PA' RIFF chunk, appended to an extended
// (VP8X) file; the hard binding excludes its header and data (not the pad
// byte of odd-sized data). A simple file ('VP8 ' or 'VP8L' alone) gets the VP8X header
// chunk first, with the canvas size read from its bitstream.
//   "RIFF" size(4, LE) "WEBP" { fourcc size(4, LE) data [pad to even] }
#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "watermark/provenance/c2pa/format_placements.h"

namespace hallmark::c2pa {
namespace {

constexpr size_t kRiffHeader = 12;
constexpr size_t kChunkHeader = 8;
constexpr absl::string_view kChunkType = "C2PA";
constexpr uint8_t kVp8xAlphaFlag = 0x10;

struct Chunk {
  size_t start;
  absl::string_view type;
  absl::string_view data;
  size_t end() const { return start + kChunkHeader + data.size() + (data.size() & 1); }
};

absl::StatusOr<std::vector<Chunk>> Chunks(absl::string_view asset) {
  if (asset.size() < kRiffHeader || asset.substr(0, 4) != "RIFF" || asset.substr(8, 4) != "WEBP") {
    return absl::InvalidArgumentError("not a WebP file (no RIFF/WEBP header)");
  }
  const size_t riff_end = static_cast<size_t>(LoadLe32(asset.data() + 4)) + 8;
  if (riff_end > asset.size() || riff_end < kRiffHeader) {
    return absl::InvalidArgumentError("WebP RIFF size overruns the file");
  }
  std::vector<Chunk> chunks;
  size_t pos = kRiffHeader;
  while (pos < riff_end) {
    if (riff_end - pos < kChunkHeader) return absl::InvalidArgumentError("truncated WebP chunk");
    const uint32_t length = LoadLe32(asset.data() + pos + 4);
    if (riff_end - pos - kChunkHeader < length) {
      return absl::InvalidArgumentError(
          absl::StrCat("WebP chunk at byte ", pos, " overruns the file"));
    }
    chunks.push_back({pos, asset.substr(pos, 4), asset.substr(pos + kChunkHeader, length)});
    pos = std::min(chunks.back().end(), riff_end);
  }
  if (chunks.empty()) return absl::InvalidArgumentError("WebP file has no chunks");
  return chunks;
}

void AppendLe24(std::string& out, uint32_t v) {
  for (int shift = 0; shift <= 16; shift += 8) out.push_back(static_cast<char>(v >> shift));
}

// The VP8X chunk for a simple file's single image chunk.
absl::StatusOr<std::string> Vp8xFor(const Chunk& image) {
  uint32_t width = 0;
  uint32_t height = 0;
  bool alpha = false;
  const absl::string_view d = image.data;
  if (image.type == "VP8 ") {
    // Frame tag (3), start code 9D 01 2A, then 14-bit width and height.
    if (d.size() < 10 || d.substr(3, 3) != "\x9d\x01\x2a") {
      return absl::InvalidArgumentError("malformed VP8 frame header");
    }
    width = LoadLe32(d.data() + 6) & 0x3FFF;
    height = (LoadLe32(d.data() + 6) >> 16) & 0x3FFF;
  } else if (image.type == "VP8L") {
    // Signature 0x2F, then width-1 (14), height-1 (14), alpha (1), version (3).
    if (d.size() < 5 || static_cast<uint8_t>(d[0]) != 0x2F) {
      return absl::InvalidArgumentError("malformed VP8L header");
    }
    const uint32_t bits = LoadLe32(d.data() + 1);
    width = (bits & 0x3FFF) + 1;
    height = ((bits >> 14) & 0x3FFF) + 1;
    alpha = ((bits >> 28) & 1) != 0;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unexpected WebP chunk '", image.type, "'"));
  }
  if (width == 0 || height == 0) return absl::InvalidArgumentError("WebP image has no size");
  std::string chunk = "VP8X";
  AppendLe32(chunk, 10);
  chunk.push_back(static_cast<char>(alpha ? kVp8xAlphaFlag : 0));
  chunk.append(3, '\0');
  AppendLe24(chunk, width - 1);
  AppendLe24(chunk, height - 1);
  return chunk;
}

std::string WithRiffSize(std::string asset) {
  std::string size;
  AppendLe32(size, static_cast<uint32_t>(asset.size() - 8));
  asset.replace(4, 4, size);
  return asset;
}

}  // namespace

absl::StatusOr<PlacedManifest> PlaceInWebp(absl::string_view asset, absl::string_view store) {
  absl::StatusOr<std::vector<Chunk>> chunks = Chunks(asset);
  if (!chunks.ok()) return chunks.status();
  if (store.size() > 0xFFFFFFF0u - asset.size()) {
    return absl::InvalidArgumentError("manifest store too large");
  }
  std::string out(asset.substr(0, kRiffHeader));
  if (chunks->front().type != "VP8X") {
    if (chunks->size() != 1) {
      return absl::InvalidArgumentError("simple WebP with more than one chunk");
    }
    absl::StatusOr<std::string> vp8x = Vp8xFor(chunks->front());
    if (!vp8x.ok()) return vp8x.status();
    out.append(*vp8x);
  }
  const size_t riff_end = chunks->back().end();
  absl::StrAppend(&out, asset.substr(kRiffHeader, riff_end - kRiffHeader));
  PlacedManifest placed;
  placed.range.start = out.size();
  absl::StrAppend(&out, kChunkType);
  AppendLe32(out, static_cast<uint32_t>(store.size()));
  absl::StrAppend(&out, store);
  // The range is the chunk's header and data; the pad byte after odd-sized
  // data is hashed (as c2pa-rs does).
  placed.range.length = out.size() - placed.range.start;
  if ((store.size() & 1) != 0) out.push_back('\0');
  placed.asset = WithRiffSize(std::move(out));
  return placed;
}

absl::StatusOr<FoundManifest> FindInWebp(absl::string_view asset) {
  absl::StatusOr<std::vector<Chunk>> chunks = Chunks(asset);
  if (!chunks.ok()) return chunks.status();
  for (const Chunk& chunk : *chunks) {
    if (chunk.type != kChunkType) continue;
    FoundManifest found;
    found.store = std::string(chunk.data);
    found.range = {chunk.start, kChunkHeader + chunk.data.size()};
    return found;
  }
  return absl::NotFoundError("no C2PA manifest store (C2PA chunk) in the WebP");
}

absl::StatusOr<std::string> RemoveFromWebp(absl::string_view asset) {
  absl::StatusOr<FoundManifest> found = FindInWebp(asset);
  if (!found.ok()) return found.status();
  // The chunk and its pad byte, if any.
  const size_t end =
      std::min(asset.size(), found->range.start + found->range.length + (found->store.size() & 1));
  return WithRiffSize(absl::StrCat(asset.substr(0, found->range.start), asset.substr(end)));
}

}  // namespace hallmark::c2pa
