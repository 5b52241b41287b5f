// Finds and decodes the frames of the `unicode` scheme in the carrier symbols
// of a text: sync search, candidate windows, soft-decision decoding, MAC
// check, and the false-positive probability of the verdict. Procedure and
// statistics: docs/text-unicode-scheme.md ("Detection").
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_FRAME_DETECTOR_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_FRAME_DETECTOR_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "watermark/key/watermark_key.h"
#include "watermark/text/text_scheme.h"

namespace hallmark::watermark::unicode_text {

// Decoding attempts per text at most (each costs one Viterbi decode and at
// most one MAC per key with the decoded tag).
inline constexpr int kMaxDecodeAttempts = 64;
// A mark is "detected" without a MAC match when the evidence against
// chance is below this p-value.
inline constexpr double kDetectionPValue = 1e-6;

// `symbols` holds the symbol of every carrier of the text, in order.
TextDetection DetectFrames(absl::Span<const uint8_t> symbols, const KeySet& keys);

// The p-value of `max_syncs` syncs in one phase among `carriers` carriers of
// an unmarked text whose symbols are random: kFrameSymbols phases times
// P(Binomial(ceil(carriers / kFrameSymbols), 17 / 65536) >= max_syncs).
double SyncPValue(size_t carriers, size_t max_syncs);

// The chance that random votes on `observed` code bits come within
// `disagreements` bits of some codeword of the payload code:
// 2^88 * V(observed, disagreements) / 2^observed, V the Hamming ball volume.
double CodewordPValue(int observed, int disagreements);

}  // namespace hallmark::watermark::unicode_text

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_FRAME_DETECTOR_H_
