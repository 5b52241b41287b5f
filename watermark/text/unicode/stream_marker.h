// The `unicode` scheme over a stream: text arrives in pieces (of any size,
// split anywhere, even inside a UTF-8 character) and is released as soon as
// its carriers are decided. Its output, concatenated, is byte for byte what
// UnicodeScheme::Mark returns for the whole text.
//
// Hold-back: nothing is released until kFrameSymbols carriers are decided
// (fewer would leave the text unmarked, and that is only known then); from
// then on at most kMaxUndecidedBytes are held. A stream that ends with fewer
// carriers is released unchanged by Finish.
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_STREAM_MARKER_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_STREAM_MARKER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "watermark/text/text_scheme.h"
#include "watermark/text/unicode/carrier_rewriter.h"
#include "watermark/text/unicode/carrier_scanner.h"
#include "watermark/text/unicode/frame_layout.h"

namespace hallmark::watermark::unicode_text {

// Not thread-safe: one per stream.
class UnicodeStreamMarker final : public TextStreamMarker {
 public:
  explicit UnicodeStreamMarker(const FrameSymbols& frame) : rewriter_(frame) {}

  // TextStreamMarker:
  std::string Append(absl::string_view delta) override;
  std::string Finish() override;
  bool marked() const override { return marked_; }
  size_t carriers() const override { return carriers_; }
  size_t held_bytes() const override { return held_.size(); }

 private:
  // Releases the held text before absolute offset `end`.
  std::string Release(uint64_t end);

  CarrierScanner scanner_;
  CarrierRewriter rewriter_;
  std::string held_;              // the text from released_ on
  uint64_t released_ = 0;         // bytes returned so far
  std::vector<Carrier> decided_;  // decided carriers not yet released
  size_t carriers_ = 0;           // carriers decided so far
  bool marked_ = false;           // kFrameSymbols carriers reached
  bool finished_ = false;
};

}  // namespace hallmark::watermark::unicode_text

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_STREAM_MARKER_H_
