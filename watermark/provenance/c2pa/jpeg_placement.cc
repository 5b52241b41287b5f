// JPEG: the manifest store in APP11 segments (JPEG XT box transport).
//   FF EB  Lp(2)  "JP"  En(2)  Z(4)  box bytes
// The first segment carries the superbox from its LBox/TBox; every further
// segment repeats those 8 bytes and continues the payload (Z counts from 1).
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "watermark/provenance/c2pa/format_placements.h"

namespace hallmark::c2pa {
namespace {

constexpr uint8_t kApp0 = 0xE0;
constexpr uint8_t kApp11 = 0xEB;
constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kEoi = 0xD9;
constexpr size_t kMaxSegmentBody = 0xFFFF - 2;  // after the length field
constexpr size_t kTransportHeader = 2 + 2 + 4;  // CI, En, Z
constexpr uint16_t kBoxInstance = 1;
// The manifest store superbox's description: 'jumd' then the c2pa UUID.
constexpr absl::string_view kStoreUuidPrefix("c2pa\x00\x11\x00\x10", 8);

struct Segment {
  size_t start = 0;  // offset of the FF marker byte
  uint8_t marker = 0;
  absl::string_view body;  // after the length field
  size_t end() const { return start + 4 + body.size(); }
};

// The header segments from after SOI up to (not including) SOS.
absl::StatusOr<std::vector<Segment>> HeaderSegments(absl::string_view asset) {
  if (asset.size() < 4 || static_cast<uint8_t>(asset[0]) != 0xFF ||
      static_cast<uint8_t>(asset[1]) != 0xD8) {
    return absl::InvalidArgumentError("not a JPEG file (no SOI marker)");
  }
  std::vector<Segment> segments;
  size_t pos = 2;
  while (true) {
    if (pos + 2 > asset.size() || static_cast<uint8_t>(asset[pos]) != 0xFF) {
      return absl::InvalidArgumentError(absl::StrCat("JPEG marker expected at byte ", pos));
    }
    // Fill bytes: any number of FF before the marker code.
    while (pos + 1 < asset.size() && static_cast<uint8_t>(asset[pos + 1]) == 0xFF) ++pos;
    if (pos + 2 > asset.size()) return absl::InvalidArgumentError("truncated JPEG marker");
    const auto marker = static_cast<uint8_t>(asset[pos + 1]);
    if (marker == kSos || marker == kEoi) return segments;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // TEM, RSTn: no length
      pos += 2;
      continue;
    }
    if (pos + 4 > asset.size()) return absl::InvalidArgumentError("truncated JPEG segment length");
    const uint16_t length = LoadBe16(asset.data() + pos + 2);
    if (length < 2 || pos + 2 + length > asset.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JPEG segment at byte ", pos, " overruns the file"));
    }
    segments.push_back({pos, marker, asset.substr(pos + 4, length - 2)});
    pos += 2 + length;
  }
}

// Whether an APP11 body is a JUMBF transport segment of the C2PA store.
bool IsC2paSegment(const Segment& s) {
  if (s.marker != kApp11 || s.body.size() < kTransportHeader + 8 || s.body.substr(0, 2) != "JP") {
    return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<PlacedManifest> PlaceInJpeg(absl::string_view asset, absl::string_view store) {
  absl::StatusOr<std::vector<Segment>> segments = HeaderSegments(asset);
  if (!segments.ok()) return segments.status();
  if (store.size() < 8) return absl::InvalidArgumentError("manifest store too short");
  size_t insert_at = 2;
  if (!segments->empty() && segments->front().marker == kApp0) insert_at = segments->front().end();

  std::string inserted;
  const absl::string_view box_header = store.substr(0, 8);
  absl::string_view rest = store;
  uint32_t sequence = 1;
  while (!rest.empty()) {
    const bool first = sequence == 1;
    const size_t room = kMaxSegmentBody - kTransportHeader - (first ? 0 : box_header.size());
    const absl::string_view piece = rest.substr(0, room);
    rest.remove_prefix(piece.size());
    const size_t body = kTransportHeader + (first ? 0 : box_header.size()) + piece.size();
    inserted.push_back(static_cast<char>(0xFF));
    inserted.push_back(static_cast<char>(kApp11));
    AppendBe16(inserted, static_cast<uint16_t>(body + 2));
    inserted.append("JP");
    AppendBe16(inserted, kBoxInstance);
    AppendBe32(inserted, sequence++);
    if (!first) absl::StrAppend(&inserted, box_header);
    absl::StrAppend(&inserted, piece);
  }
  PlacedManifest placed;
  placed.range = {insert_at, inserted.size()};
  placed.asset = absl::StrCat(asset.substr(0, insert_at), inserted, asset.substr(insert_at));
  return placed;
}

absl::StatusOr<FoundManifest> FindInJpeg(absl::string_view asset) {
  absl::StatusOr<std::vector<Segment>> segments = HeaderSegments(asset);
  if (!segments.ok()) return segments.status();
  // The C2PA box instance: the En of a first segment (Z = 1) whose box is a
  // superbox described with the c2pa UUID.
  std::optional<uint16_t> instance;
  for (const Segment& s : *segments) {
    if (!IsC2paSegment(s)) continue;
    const absl::string_view box = s.body.substr(kTransportHeader);
    if (LoadBe32(s.body.data() + 4) == 1 && box.substr(4, 4) == "jumb" && box.size() >= 24 &&
        box.substr(12, 4) == "jumd" && box.substr(16, 8) == kStoreUuidPrefix) {
      instance = LoadBe16(s.body.data() + 2);
      break;
    }
  }
  if (!instance) return absl::NotFoundError("no C2PA manifest store in the JPEG");
  FoundManifest found;
  uint32_t expected = 1;
  size_t last_end = 0;
  for (const Segment& s : *segments) {
    if (!IsC2paSegment(s) || LoadBe16(s.body.data() + 2) != *instance) continue;
    if (LoadBe32(s.body.data() + 4) != expected) {
      return absl::InvalidArgumentError("C2PA APP11 segments out of sequence");
    }
    if (expected == 1) {
      found.range.start = s.start;
      absl::StrAppend(&found.store, s.body.substr(kTransportHeader));
    } else {
      if (s.start != last_end) {
        return absl::InvalidArgumentError("C2PA APP11 segments are not contiguous");
      }
      absl::StrAppend(&found.store, s.body.substr(kTransportHeader + 8));
    }
    last_end = s.end();
    ++expected;
  }
  found.range.length = last_end - found.range.start;
  if (found.store.size() < 8 || LoadBe32(found.store.data()) != found.store.size()) {
    return absl::InvalidArgumentError("C2PA APP11 segments do not hold a whole JUMBF box");
  }
  return found;
}

}  // namespace hallmark::c2pa
