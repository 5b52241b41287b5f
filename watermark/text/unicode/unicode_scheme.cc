#include "watermark/text/unicode/unicode_scheme.h"

#include <memory>
#include <string>
#include <vector>

#include "watermark/text/unicode/carrier_rewriter.h"
#include "watermark/text/unicode/carrier_scanner.h"
#include "watermark/text/unicode/frame_detector.h"
#include "watermark/text/unicode/frame_layout.h"
#include "watermark/text/unicode/stream_marker.h"

namespace hallmark::watermark {

using unicode_text::BuildFrame;
using unicode_text::Carrier;
using unicode_text::CarrierRewriter;
using unicode_text::FindCarriers;
using unicode_text::kFrameSymbols;

size_t UnicodeScheme::min_carriers() const { return kFrameSymbols; }

TextMarkResult UnicodeScheme::Mark(absl::string_view text, const PayloadFields& payload,
                                   const WatermarkKey& key) const {
  TextMarkResult result;
  result.carriers_needed = min_carriers();
  const std::vector<Carrier> carriers = FindCarriers(text);
  result.carriers = carriers.size();
  if (carriers.size() < min_carriers()) {
    result.text = std::string(text);
    return result;
  }
  CarrierRewriter rewriter(BuildFrame(SealPayload(payload, key, PayloadDomain::kTextUnicode)));
  rewriter.Append(text, 0, carriers, &result.text);
  result.marked = true;
  return result;
}

std::unique_ptr<TextStreamMarker> UnicodeScheme::NewStreamMarker(const PayloadFields& payload,
                                                                 const WatermarkKey& key) const {
  return std::make_unique<unicode_text::UnicodeStreamMarker>(
      BuildFrame(SealPayload(payload, key, PayloadDomain::kTextUnicode)));
}

TextDetection UnicodeScheme::Detect(absl::string_view text, const KeySet& keys) const {
  const std::vector<Carrier> carriers = FindCarriers(text);
  std::vector<uint8_t> symbols;
  symbols.reserve(carriers.size());
  for (const Carrier& carrier : carriers) symbols.push_back(carrier.symbol);
  return unicode_text::DetectFrames(symbols, keys);
}

}  // namespace hallmark::watermark
