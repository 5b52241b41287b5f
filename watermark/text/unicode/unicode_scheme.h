// The `unicode` text scheme: the payload rides on the choice among four
// space code points of nearly equal width at eligible inter-word spaces.
// Design, layout and limits: docs/text-unicode-scheme.md.
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_UNICODE_SCHEME_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_UNICODE_SCHEME_H_

#include "watermark/text/text_scheme.h"

namespace hallmark::watermark {

// Thread-safe and immutable.
class UnicodeScheme final : public TextScheme {
 public:
  static constexpr absl::string_view kName = "unicode";

  // TextScheme:
  absl::string_view name() const override { return kName; }
  size_t min_carriers() const override;
  TextMarkResult Mark(absl::string_view text, const PayloadFields& payload,
                      const WatermarkKey& key) const override;
  std::unique_ptr<TextStreamMarker> NewStreamMarker(const PayloadFields& payload,
                                                    const WatermarkKey& key) const override;
  TextDetection Detect(absl::string_view text, const KeySet& keys) const override;
};

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_UNICODE_SCHEME_H_
