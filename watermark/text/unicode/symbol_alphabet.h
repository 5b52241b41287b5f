// The four space code points a carrier chooses among, and their UTF-8 forms.
// All four are general category Zs, bidi class WS, line-break opportunities
// and one column wide in a terminal; in proportional fonts they are within a
// few hundredths of an em of each other. Why these four and not others:
// docs/text-unicode-scheme.md.
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_SYMBOL_ALPHABET_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_SYMBOL_ALPHABET_H_

#include <array>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace hallmark::watermark::unicode_text {

// Bits a carrier carries.
inline constexpr int kBitsPerSymbol = 2;
inline constexpr int kAlphabetSize = 1 << kBitsPerSymbol;

// Symbol s is written as kSymbolCodePoints[s]. Symbol 0 is the ordinary
// space, so an unmarked text reads as all zeros.
inline constexpr std::array<char32_t, kAlphabetSize> kSymbolCodePoints = {
    U'\u0020',  // SPACE
    U'\u2005',  // FOUR-PER-EM SPACE
    U'\u2004',  // THREE-PER-EM SPACE
    U'\u2008',  // PUNCTUATION SPACE
};

// UTF-8 of each symbol.
inline constexpr std::array<absl::string_view, kAlphabetSize> kSymbolUtf8 = {
    absl::string_view("\x20", 1),
    absl::string_view("\xE2\x80\x85", 3),
    absl::string_view("\xE2\x80\x84", 3),
    absl::string_view("\xE2\x80\x88", 3),
};

// The three non-ASCII symbols share the lead bytes E2 80; their last byte
// identifies them. Returns the symbol for a last byte, or -1.
constexpr int SymbolForE280(uint8_t last_byte) {
  switch (last_byte) {
    case 0x85:
      return 1;
    case 0x84:
      return 2;
    case 0x88:
      return 3;
    default:
      return -1;
  }
}

}  // namespace hallmark::watermark::unicode_text

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_SYMBOL_ALPHABET_H_
