// The frame the `unicode` scheme writes onto the carriers of a text, over
// and over: 8 sync symbols, then the 71 symbols of the whitened,
// convolutionally coded payload. Layout reference and the reasons for each
// constant: docs/text-unicode-scheme.md ("Frame").
//
//   sealed payload (88 bits, docs/payload.md), MSB of byte 0 first
//   -> ConvolutionalEncode: 141 bits (6 tail bits, rate 2/3)
//   -> + 1 pad bit (0): 142 bits
//   -> XOR the whitening sequence (PN9, x^9 + x^5 + 1, all-ones seed)
//   -> 71 symbols, two bits each, the first bit the high one
//   frame = kSyncPattern (8 symbols) + those 71 symbols = 79 symbols
//
// Carrier j of a text carries symbol (j mod 79) of the frame.
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_FRAME_LAYOUT_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_FRAME_LAYOUT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "watermark/payload/payload.h"
#include "watermark/text/unicode/symbol_alphabet.h"

namespace hallmark::watermark::unicode_text {

inline constexpr int kSyncSymbols = 8;
// 1 1 0 3 3 0 2 2: each symbol twice, 8 one bits; shifted by k = 1..7
// symbols its overlap with itself differs in 6 8 4 4 4 4 2 bits, so with up
// to kSyncMaxBitErrors a sync never matches next to a true one.
inline constexpr uint16_t kSyncPattern = 0x53CA;
inline constexpr int kSyncMaxBitErrors = 1;

inline constexpr int kCodedBits = 141;  // ConvolutionalEncodedLength(88)
inline constexpr int kFrameCodeBits = kCodedBits + 1;
inline constexpr int kCodeSymbols = kFrameCodeBits / kBitsPerSymbol;  // 71
inline constexpr int kFrameSymbols = kSyncSymbols + kCodeSymbols;     // 79
// Any run of this many consecutive carriers of a marked text holds a whole
// sync and every code symbol (from the frame it starts or the one before).
inline constexpr int kFragmentCarriers = kFrameSymbols + kSyncSymbols - 1;  // 86

using FrameSymbols = std::array<uint8_t, kFrameSymbols>;

// The whitening bits XORed onto the 142 frame code bits.
const std::array<uint8_t, kFrameCodeBits>& WhiteningBits();

// The frame for a sealed payload.
FrameSymbols BuildFrame(const PayloadBits& sealed);

// Positions p with symbols[p .. p+8) within kSyncMaxBitErrors bits of the
// sync pattern, ascending.
std::vector<size_t> FindSyncs(absl::Span<const uint8_t> symbols);

// Soft votes for the 142 code bits of one frame, gathered from any number of
// copies. Cheap to copy.
class CodeVotes {
 public:
  // One received copy of code symbol `index` (0..70) with value `symbol`.
  void Add(int index, uint8_t symbol) {
    const int bit = index * kBitsPerSymbol;
    votes_[bit] += (symbol & 2) ? -1 : 1;
    votes_[bit + 1] += (symbol & 1) ? -1 : 1;
  }
  void Clear() { votes_.fill(0); }
  const std::array<int32_t, kFrameCodeBits>& votes() const { return votes_; }

 private:
  // > 0 favours a received 0 bit (before de-whitening).
  std::array<int32_t, kFrameCodeBits> votes_{};
};

struct DecodedFrame {
  PayloadBits payload{};
  // Code bits that had a vote, and how many of them disagree with the
  // codeword of `payload`: the evidence that the votes form a codeword.
  int observed_bits = 0;
  int disagreements = 0;
};

// De-whitens the votes and decodes them with the Viterbi decoder.
DecodedFrame DecodeVotes(const CodeVotes& votes);

}  // namespace hallmark::watermark::unicode_text

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_FRAME_LAYOUT_H_
