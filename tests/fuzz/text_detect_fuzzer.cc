// UnicodeScheme::Detect on arbitrary bytes: Detect reads the text of every
// DetectRequest, which anyone with access to the sidecar can send.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "tests/fuzz/fuzz_keys.h"
#include "watermark/text/unicode/unicode_scheme.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using hallmark::fuzz::FuzzCheck;
  static const hallmark::watermark::UnicodeScheme scheme;
  const hallmark::watermark::TextDetection found = scheme.Detect(
      absl::string_view(reinterpret_cast<const char*>(data), size), hallmark::fuzz::FixedKeys());
  FuzzCheck(!found.verified || (found.detected && found.key != nullptr && found.payload));
  FuzzCheck(found.false_positive_probability >= 0.0 && found.false_positive_probability <= 1.0);
  return 0;
}
