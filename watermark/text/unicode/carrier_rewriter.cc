#include "watermark/text/unicode/carrier_rewriter.h"

#include <cstring>

#include "watermark/text/unicode/symbol_alphabet.h"

namespace hallmark::watermark::unicode_text {

void CarrierRewriter::Append(absl::string_view bytes, uint64_t base,
                             absl::Span<const Carrier> carriers, std::string* out) {
  // Size the output once, then copy into it.
  size_t size = bytes.size();
  size_t position = position_;
  for (const Carrier& carrier : carriers) {
    size += kSymbolUtf8[frame_[position]].size() - carrier.length;
    if (++position == kFrameSymbols) position = 0;
  }
  const size_t old_size = out->size();
  out->resize(old_size + size);
  char* dst = out->data() + old_size;
  char* const dst_end = out->data() + out->size();
  const char* src = bytes.data();
  size_t copied = 0;
  for (const Carrier& carrier : carriers) {
    const size_t at = static_cast<size_t>(carrier.offset - base);
    const size_t len = at - copied;
    // Most gaps are one word: copy a fixed 16 bytes (inlined, no call) when
    // both buffers have room; the excess is overwritten by what follows.
    if (len <= 16 && copied + 16 <= bytes.size() && dst + 16 <= dst_end) {
      std::memcpy(dst, src + copied, 16);
    } else {
      std::memcpy(dst, src + copied, len);
    }
    dst += len;
    const absl::string_view symbol = kSymbolUtf8[frame_[position_]];
    for (char c : symbol) *dst++ = c;
    copied = at + carrier.length;
    if (++position_ == kFrameSymbols) position_ = 0;
  }
  std::memcpy(dst, src + copied, bytes.size() - copied);
  written_ += carriers.size();
}

}  // namespace hallmark::watermark::unicode_text
