#include "watermark/text/unicode/frame_layout.h"

#include "watermark/ecc/convolutional_code.h"

namespace hallmark::watermark::unicode_text {
namespace {

// PN9: a 9-bit shift register r, all ones at first; each step outputs bit 0,
// shifts r right by one and enters old bit 0 XOR old bit 5 at bit 8
// (a[n+9] = a[n] ^ a[n+5], characteristic polynomial x^9 + x^5 + 1,
// period 511). It only keeps the coded bits of a constant payload from
// writing long runs of one symbol; it is public and no secret.
constexpr std::array<uint8_t, kFrameCodeBits> MakeWhitening() {
  std::array<uint8_t, kFrameCodeBits> bits{};
  uint32_t r = 0x1FF;
  for (int i = 0; i < kFrameCodeBits; ++i) {
    bits[i] = r & 1;
    const uint32_t feedback = (r ^ (r >> 5)) & 1;
    r = (r >> 1) | (feedback << 8);
  }
  return bits;
}
constexpr std::array<uint8_t, kFrameCodeBits> kWhitening = MakeWhitening();

static_assert(kSyncMaxBitErrors == 1, "FindSyncs tests for at most one differing bit");
static_assert(kCodedBits == kPayloadBits + kConvolutionalTailBits +
                                (kPayloadBits + kConvolutionalTailBits) / 2,
              "rate 2/3 puncturing of 88 + 6 bits");

std::array<uint8_t, kPayloadBits> PayloadToBits(const PayloadBits& payload) {
  std::array<uint8_t, kPayloadBits> bits;
  for (int i = 0; i < kPayloadBits; ++i) bits[i] = (payload[i / 8] >> (7 - i % 8)) & 1;
  return bits;
}

}  // namespace

const std::array<uint8_t, kFrameCodeBits>& WhiteningBits() { return kWhitening; }

FrameSymbols BuildFrame(const PayloadBits& sealed) {
  const std::array<uint8_t, kPayloadBits> info = PayloadToBits(sealed);
  const std::vector<uint8_t> coded = ConvolutionalEncode(info);
  std::array<uint8_t, kFrameCodeBits> bits{};  // the pad bit stays 0
  for (size_t i = 0; i < coded.size() && i < bits.size(); ++i) bits[i] = coded[i];
  for (int i = 0; i < kFrameCodeBits; ++i) bits[i] ^= kWhitening[i];

  FrameSymbols frame;
  for (int k = 0; k < kSyncSymbols; ++k) {
    frame[k] = (kSyncPattern >> (2 * (kSyncSymbols - 1 - k))) & 3;
  }
  for (int k = 0; k < kCodeSymbols; ++k) {
    frame[kSyncSymbols + k] = static_cast<uint8_t>((bits[2 * k] << 1) | bits[2 * k + 1]);
  }
  return frame;
}

std::vector<size_t> FindSyncs(absl::Span<const uint8_t> symbols) {
  std::vector<size_t> syncs;
  uint32_t window = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    window = ((window << 2) | (symbols[i] & 3)) & 0xFFFF;
    // Within one bit: the difference is zero or a power of two.
    const uint32_t diff = window ^ kSyncPattern;
    if (i + 1 >= kSyncSymbols && (diff & (diff - 1)) == 0) {
      syncs.push_back(i + 1 - kSyncSymbols);
    }
  }
  return syncs;
}

DecodedFrame DecodeVotes(const CodeVotes& votes) {
  std::array<int32_t, kCodedBits> soft;
  for (int i = 0; i < kCodedBits; ++i) {
    soft[i] = kWhitening[i] ? -votes.votes()[i] : votes.votes()[i];
  }
  const std::vector<uint8_t> info = ConvolutionalDecode(soft, kPayloadBits);

  DecodedFrame decoded;
  for (int i = 0; i < kPayloadBits && i < static_cast<int>(info.size()); ++i) {
    decoded.payload[i / 8] |= static_cast<uint8_t>((info[i] & 1) << (7 - i % 8));
  }
  // How well do the votes fit the codeword the decoder chose?
  const std::vector<uint8_t> recoded = ConvolutionalEncode(info);
  for (int i = 0; i < kCodedBits && i < static_cast<int>(recoded.size()); ++i) {
    if (soft[i] == 0) continue;
    ++decoded.observed_bits;
    if ((soft[i] < 0) != (recoded[i] != 0)) ++decoded.disagreements;
  }
  return decoded;
}

}  // namespace hallmark::watermark::unicode_text
