// The authenticated payload every mark carries (PRODUCT §6), shared by all
// schemes. Layout (88 bits, big-endian, documented in docs/payload.md):
//
//   bits  0..7   key tag     first byte of SHA-256("hallmark/key/" + key id)
//   bits  8..23  space tag   first 2 bytes of SHA-256("hallmark/space/" + space)
//   bits 24..41  hour        hours since 2025-01-01T00:00Z (18 bits, to 2054)
//   bits 42..55  nonce       14 random bits
//   bits 56..87  MAC         first 4 bytes of HMAC-SHA256(key,
//                              "hallmark/payload/v1" || domain || bytes 0..6)
//
// `domain` separates schemes, so a text payload cannot be replayed as an
// image payload.
#ifndef HALLMARK_WATERMARK_PAYLOAD_PAYLOAD_H_
#define HALLMARK_WATERMARK_PAYLOAD_PAYLOAD_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "watermark/key/watermark_key.h"

namespace hallmark::watermark {

inline constexpr int kPayloadDataBits = 56;
inline constexpr int kPayloadMacBits = 32;
inline constexpr int kPayloadBits = kPayloadDataBits + kPayloadMacBits;
inline constexpr uint32_t kMaxHour = (1u << 18) - 1;
inline constexpr uint16_t kMaxNonce = (1u << 14) - 1;

// Scheme domains for the MAC. Values are part of the wire format.
enum class PayloadDomain : uint8_t {
  kTextUnicode = 1,
  kImage = 2,
};

struct PayloadFields {
  uint8_t key_tag = 0;
  uint16_t space_tag = 0;
  uint32_t hour = 0;   // < 2^18
  uint16_t nonce = 0;  // < 2^14

  friend bool operator==(const PayloadFields&, const PayloadFields&) = default;
};

// 88 bits, most significant bit of byte 0 first.
using PayloadBits = std::array<uint8_t, kPayloadBits / 8>;

uint16_t SpaceTag(absl::string_view space);
uint8_t KeyTag(absl::string_view key_id);
// Hours since the payload epoch, clamped to [0, kMaxHour].
uint32_t PayloadHour(absl::Time time);
absl::Time PayloadHourStart(uint32_t hour);

// A payload for `space` marked now with `key` and a fresh random nonce.
PayloadFields NewPayloadFields(absl::string_view space, const WatermarkKey& key, absl::Time now);

// Packs the fields and appends the truncated MAC under `key`.
PayloadBits SealPayload(const PayloadFields& fields, const WatermarkKey& key, PayloadDomain domain);

// Reads the fields back without verifying anything.
PayloadFields UnpackPayloadFields(const PayloadBits& bits);

struct OpenedPayload {
  PayloadFields fields;
  const WatermarkKey* key = nullptr;  // the key whose MAC matched, if any
  int mac_checks = 0;                 // MACs computed (for the FP bound)
  bool verified() const { return key != nullptr; }
};

// Verifies the MAC against every key in `keys` whose tag matches.
OpenedPayload OpenPayload(const PayloadBits& bits, const KeySet& keys, PayloadDomain domain);

// Lowercase hex of the 7 data bytes: the id a mark is logged and found by.
std::string PayloadId(const PayloadFields& fields);

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_PAYLOAD_PAYLOAD_H_
