// JUMBF (ISO/IEC 19566-5) boxes as C2PA uses them: superboxes ('jumb') that
// start with a description box ('jumd': type UUID, toggles, label) and hold
// content boxes ('cbor', 'json', ...) or further superboxes.
//
//   box        = LBox (u32 BE, whole box length) TBox (4CC) payload
//   jumd body  = UUID (16) toggles (u8) label (UTF-8, NUL-terminated)
//
// ParseJumbfSuperbox reads untrusted bytes: every length is checked against
// what encloses it, nesting is bounded, and 64-bit XLBox lengths are refused.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_JUMBF_BOX_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_JUMBF_BOX_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::c2pa {

using JumbfUuid = std::array<uint8_t, 16>;

// C2PA's content-type UUIDs: the 4CC followed by the ISO base suffix
// 0011-0010-8000-00AA00389B71.
constexpr JumbfUuid C2paUuid(const char (&four_cc)[5]) {
  return {static_cast<uint8_t>(four_cc[0]),
          static_cast<uint8_t>(four_cc[1]),
          static_cast<uint8_t>(four_cc[2]),
          static_cast<uint8_t>(four_cc[3]),
          0x00,
          0x11,
          0x00,
          0x10,
          0x80,
          0x00,
          0x00,
          0xAA,
          0x00,
          0x38,
          0x9B,
          0x71};
}

inline constexpr JumbfUuid kManifestStoreUuid = C2paUuid("c2pa");
inline constexpr JumbfUuid kManifestUuid = C2paUuid("c2ma");
inline constexpr JumbfUuid kAssertionStoreUuid = C2paUuid("c2as");
inline constexpr JumbfUuid kClaimUuid = C2paUuid("c2cl");
inline constexpr JumbfUuid kSignatureUuid = C2paUuid("c2cs");
inline constexpr JumbfUuid kCborContentUuid = C2paUuid("cbor");

// A content box: a 4CC and its payload.
struct JumbfContent {
  std::string type;  // exactly 4 bytes, e.g. "cbor"
  std::string payload;
};

struct JumbfSuperbox {
  JumbfUuid uuid{};
  std::string label;
  std::vector<JumbfContent> contents;   // in order, before children
  std::vector<JumbfSuperbox> children;  // nested superboxes
  // Set by the parser: the bytes the box was read from, without its 8-byte
  // header. Hashes are taken over these, not over a re-serialization (other
  // writers add description fields this model does not keep).
  std::string parsed_body;

  // The first child superbox with `label`, or nullptr.
  const JumbfSuperbox* Child(absl::string_view child_label) const;
};

// The whole superbox ('jumb' header included).
std::string SerializeJumbf(const JumbfSuperbox& box);
// The superbox without its 8-byte header: its 'jumd' box and what follows.
// C2PA hashes assertions over these bytes.
std::string SerializeJumbfBody(const JumbfSuperbox& box);

// Parses one superbox spanning all of `bytes`. Content boxes that follow a
// child superbox are kept in `contents` too (C2PA never mixes them).
absl::StatusOr<JumbfSuperbox> ParseJumbfSuperbox(absl::string_view bytes);

// A superbox of C2PA's CBOR content type: its single 'cbor' box payload.
JumbfSuperbox CborSuperbox(const JumbfUuid& uuid, absl::string_view label, std::string cbor);

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_JUMBF_BOX_H_
