// The interface every text watermark scheme implements (PRODUCT §6).
#ifndef HALLMARK_WATERMARK_TEXT_TEXT_SCHEME_H_
#define HALLMARK_WATERMARK_TEXT_TEXT_SCHEME_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"

namespace hallmark::watermark {

struct TextMarkResult {
  // False when the text has too few carriers for one payload copy; `text`
  // is then the input unchanged.
  bool marked = false;
  std::string text;
  size_t carriers = 0;         // positions able to carry symbols
  size_t carriers_needed = 0;  // the scheme's minimum for one copy
};

struct TextDetection {
  bool detected = false;                 // a mark's structure was found
  bool verified = false;                 // ... and its MAC matched a key
  std::optional<PayloadFields> payload;  // decoded (verified or not)
  const WatermarkKey* key = nullptr;     // the matching key when verified
  // Probability that an unmarked text yields this verdict: the union bound
  // mac_checks * 2^-32 when verified, else the p-value of the sync evidence.
  double false_positive_probability = 1.0;
  size_t carriers = 0;
  size_t syncs = 0;  // sync patterns found
  int mac_checks = 0;
};

// Marks a text that arrives in pieces. The concatenation of everything
// Append and Finish return equals TextScheme::Mark on the concatenated input
// with the same payload. Not thread-safe: one per stream.
class TextStreamMarker {
 public:
  virtual ~TextStreamMarker() = default;
  // Takes the next piece; returns the text that can be released now.
  virtual std::string Append(absl::string_view delta) = 0;
  // Ends the input and returns everything still held.
  virtual std::string Finish() = 0;
  // After Finish: whether the released text carries the mark.
  virtual bool marked() const = 0;
  virtual size_t carriers() const = 0;
  // Bytes received but not yet released.
  virtual size_t held_bytes() const = 0;
};

// A text scheme. Implementations are immutable and thread-safe.
class TextScheme {
 public:
  virtual ~TextScheme() = default;
  virtual absl::string_view name() const = 0;
  // Carriers a text needs to be marked at all.
  virtual size_t min_carriers() const = 0;

  virtual TextMarkResult Mark(absl::string_view text, const PayloadFields& payload,
                              const WatermarkKey& key) const = 0;
  virtual std::unique_ptr<TextStreamMarker> NewStreamMarker(const PayloadFields& payload,
                                                            const WatermarkKey& key) const = 0;
  virtual TextDetection Detect(absl::string_view text, const KeySet& keys) const = 0;
};

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_TEXT_TEXT_SCHEME_H_
