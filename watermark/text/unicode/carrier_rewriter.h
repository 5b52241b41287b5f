// Writes frame symbols onto the carriers of a text: everything between
// carriers is copied byte for byte, each carrier becomes the UTF-8 of the
// symbol its index selects. Shared by Mark and the stream marker so that both
// produce the same bytes.
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_CARRIER_REWRITER_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_CARRIER_REWRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "watermark/text/unicode/carrier_scanner.h"
#include "watermark/text/unicode/frame_layout.h"

namespace hallmark::watermark::unicode_text {

// Not thread-safe: it counts the carriers written so far.
class CarrierRewriter {
 public:
  explicit CarrierRewriter(const FrameSymbols& frame) : frame_(frame) {}

  // Appends `bytes`, the text from offset `base` on, to `out`, with the next
  // carriers of the text (`carriers`, ascending, all inside `bytes`) carrying
  // the frame symbols of their index.
  void Append(absl::string_view bytes, uint64_t base, absl::Span<const Carrier> carriers,
              std::string* out);

  // Carriers written so far.
  size_t written() const { return written_; }

 private:
  FrameSymbols frame_;
  size_t written_ = 0;
  size_t position_ = 0;  // written_ mod kFrameSymbols
};

}  // namespace hallmark::watermark::unicode_text

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_CARRIER_REWRITER_H_
