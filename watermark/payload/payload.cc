#include "watermark/payload/payload.h"

#include <atomic>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "watermark/crypto/hmac_sha256.h"

namespace hallmark::watermark {
namespace {

constexpr int kPayloadDataBytes = kPayloadDataBits / 8;
constexpr int kPayloadMacBytes = kPayloadMacBits / 8;
constexpr char kMacLabel[] = "hallmark/payload/v1";
constexpr size_t kMacLabelSize = sizeof(kMacLabel) - 1;
// label || domain || data bytes
constexpr size_t kMacInputSize = kMacLabelSize + 1 + kPayloadDataBytes;

// Field widths and positions within the 56 data bits (counted from the least
// significant end of a uint64_t holding them).
constexpr int kHourBits = 18;
constexpr int kNonceBits = 14;
constexpr int kNonceShift = 0;
constexpr int kHourShift = kNonceShift + kNonceBits;
constexpr int kSpaceTagShift = kHourShift + kHourBits;
constexpr int kKeyTagShift = kSpaceTagShift + 16;
static_assert(kKeyTagShift + 8 == kPayloadDataBits);
static_assert(kMaxHour == (1u << kHourBits) - 1);
static_assert(kMaxNonce == (1u << kNonceBits) - 1);

using DataBytes = std::array<uint8_t, kPayloadDataBytes>;

absl::Time PayloadEpoch() { return absl::FromUnixSeconds(1735689600); }  // 2025-01-01T00:00Z

DataBytes PackData(const PayloadFields& fields) {
  // Out-of-range values are masked rather than allowed to spill into the
  // neighbouring field.
  const uint64_t packed = (uint64_t{fields.key_tag} << kKeyTagShift) |
                          (uint64_t{fields.space_tag} << kSpaceTagShift) |
                          (uint64_t{fields.hour & kMaxHour} << kHourShift) |
                          (static_cast<uint64_t>(fields.nonce & kMaxNonce) << kNonceShift);
  DataBytes out;
  for (int i = 0; i < kPayloadDataBytes; ++i) {
    out[i] = static_cast<uint8_t>(packed >> (8 * (kPayloadDataBytes - 1 - i)));
  }
  return out;
}

std::array<uint8_t, kPayloadMacBytes> TruncatedMac(const WatermarkKey& key, PayloadDomain domain,
                                                   absl::Span<const uint8_t> data) {
  std::array<uint8_t, kMacInputSize> input;
  std::memcpy(input.data(), kMacLabel, kMacLabelSize);
  input[kMacLabelSize] = static_cast<uint8_t>(domain);
  std::memcpy(input.data() + kMacLabelSize + 1, data.data(), kPayloadDataBytes);
  const Sha256Digest full = key.mac().Compute(input);
  std::array<uint8_t, kPayloadMacBytes> out;
  std::memcpy(out.data(), full.data(), out.size());
  return out;
}

uint16_t RandomNonce(absl::Time now) {
  uint8_t bytes[2];
  if (FillRandom(absl::MakeSpan(bytes)).ok()) {
    return static_cast<uint16_t>(((bytes[0] << 8) | bytes[1]) & kMaxNonce);
  }
  // The nonce only keeps payload ids apart; it protects nothing. Should the
  // system RNG fail, a counter mixed with the clock still varies it.
  static std::atomic<uint32_t> counter{0};
  const uint64_t mixed =
      static_cast<uint64_t>(absl::ToUnixNanos(now)) ^ (uint64_t{counter.fetch_add(1)} * 0x9E37u);
  return static_cast<uint16_t>((mixed ^ (mixed >> 14) ^ (mixed >> 28)) & kMaxNonce);
}

}  // namespace

uint16_t SpaceTag(absl::string_view space) {
  const Sha256Digest digest = Sha256(absl::StrCat("hallmark/space/", space));
  return static_cast<uint16_t>((digest[0] << 8) | digest[1]);
}

uint8_t KeyTag(absl::string_view key_id) {
  return Sha256(absl::StrCat("hallmark/key/", key_id))[0];
}

uint32_t PayloadHour(absl::Time time) {
  // ToInt64Hours truncates towards zero and saturates for infinite
  // durations; anything before the epoch clamps to hour 0 either way.
  const int64_t hours = absl::ToInt64Hours(time - PayloadEpoch());
  if (hours <= 0) return 0;
  if (hours >= static_cast<int64_t>(kMaxHour)) return kMaxHour;
  return static_cast<uint32_t>(hours);
}

absl::Time PayloadHourStart(uint32_t hour) { return PayloadEpoch() + absl::Hours(hour); }

PayloadFields NewPayloadFields(absl::string_view space, const WatermarkKey& key, absl::Time now) {
  PayloadFields fields;
  fields.key_tag = key.tag();
  fields.space_tag = SpaceTag(space);
  fields.hour = PayloadHour(now);
  fields.nonce = RandomNonce(now);
  return fields;
}

PayloadBits SealPayload(const PayloadFields& fields, const WatermarkKey& key,
                        PayloadDomain domain) {
  const DataBytes data = PackData(fields);
  const auto mac = TruncatedMac(key, domain, data);
  PayloadBits bits;
  std::memcpy(bits.data(), data.data(), data.size());
  std::memcpy(bits.data() + data.size(), mac.data(), mac.size());
  return bits;
}

PayloadFields UnpackPayloadFields(const PayloadBits& bits) {
  uint64_t packed = 0;
  for (int i = 0; i < kPayloadDataBytes; ++i) packed = (packed << 8) | bits[i];
  PayloadFields fields;
  fields.key_tag = static_cast<uint8_t>(packed >> kKeyTagShift);
  fields.space_tag = static_cast<uint16_t>(packed >> kSpaceTagShift);
  fields.hour = static_cast<uint32_t>((packed >> kHourShift) & kMaxHour);
  fields.nonce = static_cast<uint16_t>((packed >> kNonceShift) & kMaxNonce);
  return fields;
}

OpenedPayload OpenPayload(const PayloadBits& bits, const KeySet& keys, PayloadDomain domain) {
  OpenedPayload opened;
  opened.fields = UnpackPayloadFields(bits);
  const auto data = absl::MakeConstSpan(bits).first(kPayloadDataBytes);
  const auto received_mac = absl::MakeConstSpan(bits).subspan(kPayloadDataBytes);
  // Every key with the tag is tried, even after a match, so that the work
  // done (and mac_checks) does not depend on which key matched.
  for (const WatermarkKey* key : keys.WithTag(opened.fields.key_tag)) {
    ++opened.mac_checks;
    const auto expected = TruncatedMac(*key, domain, data);
    if (ConstantTimeEquals(expected, received_mac) && opened.key == nullptr) opened.key = key;
  }
  return opened;
}

std::string PayloadId(const PayloadFields& fields) {
  static constexpr char kHex[] = "0123456789abcdef";
  const DataBytes data = PackData(fields);
  std::string id(2 * data.size(), '0');
  for (size_t i = 0; i < data.size(); ++i) {
    id[2 * i] = kHex[data[i] >> 4];
    id[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return id;
}

}  // namespace hallmark::watermark
