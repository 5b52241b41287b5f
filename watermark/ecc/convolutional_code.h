// The error-correcting code of the payload: the rate-1/2, constraint-length-7
// convolutional code with generators 171/133 (octal, the CCSDS/802.11 code),
// zero-terminated, punctured to rate 2/3 (keep a1 b1 a2 of every a1 b1 a2 b2),
// decoded by a soft-decision Viterbi decoder that treats 0 as an erasure.
#ifndef HALLMARK_WATERMARK_ECC_CONVOLUTIONAL_CODE_H_
#define HALLMARK_WATERMARK_ECC_CONVOLUTIONAL_CODE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace hallmark::watermark {

inline constexpr int kConvolutionalConstraint = 7;
inline constexpr int kConvolutionalTailBits = kConvolutionalConstraint - 1;

// Coded length for `info_bits` information bits (tail included, punctured).
size_t ConvolutionalEncodedLength(size_t info_bits);

// `info` holds one bit per element (0 or 1). Returns one bit per element.
std::vector<uint8_t> ConvolutionalEncode(absl::Span<const uint8_t> info);

// `soft` has ConvolutionalEncodedLength(info_bits) entries: > 0 votes for a 0
// bit, < 0 for a 1 bit, magnitude is confidence, 0 is an erasure.
// Returns the `info_bits` most likely information bits.
std::vector<uint8_t> ConvolutionalDecode(absl::Span<const int32_t> soft, size_t info_bits);

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_ECC_CONVOLUTIONAL_CODE_H_
