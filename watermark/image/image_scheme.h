// The interface every image watermark scheme implements (PRODUCT §6).
//
// Schemes work on the luminance plane (plane 0) of a gray or YCbCr Image; the
// caller converts RGB to YCbCr before and back after (image.h), so chroma and
// alpha are never touched. Everything here is pure computation: no I/O, no
// globals, no clocks.
#ifndef HALLMARK_WATERMARK_IMAGE_IMAGE_SCHEME_H_
#define HALLMARK_WATERMARK_IMAGE_IMAGE_SCHEME_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "watermark/image/codec/image.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"

namespace hallmark::image {

struct ImageMarkResult {
  // False when the image is smaller than the scheme's minimum (then it is
  // left unchanged).
  bool marked = false;
  // PSNR of the luminance change, from the float samples before the encoder
  // rounds them: with chroma kept, every RGB channel moves by the luminance
  // delta, so this is also the RGB PSNR up to rounding and clipping. +inf
  // when nothing changed.
  double psnr_db = 0;
};

struct ImageDetection {
  bool detected = false;                            // the decoded codeword is strongly consistent
  bool verified = false;                            // ... and its MAC matched a key
  std::optional<watermark::PayloadFields> payload;  // set when verified
  const watermark::WatermarkKey* key = nullptr;     // the matching key
  // The 88 payload bits decoded under the best geometry and key (verified or
  // not): evaluation tools compare them with the sealed bits for bit
  // accuracy. All zero when nothing could be decoded.
  watermark::PayloadBits decoded_bits{};
  // mac_checks * 2^-32 when verified, else 1.
  double false_positive_probability = 1.0;
  int mac_checks = 0;
  // The geometry under which the mark was found or came closest, e.g.
  // "identity", "flip", "crop:0.90", "rotate:-2.0".
  std::string geometry;
  int geometries_tried = 0;
  // Mean agreement between the soft codeword and the re-encoded decision,
  // in units of the per-bit noise (about 0.8 on unmarked images).
  double codeword_score = 0;
};

// An image scheme. Implementations are immutable and thread-safe.
class ImageScheme {
 public:
  virtual ~ImageScheme() = default;
  virtual absl::string_view name() const = 0;
  // Images narrower or shorter than this are passed through unmarked.
  virtual int min_dimension() const = 0;

  // Marks plane 0 of `image` (kGray, kGrayAlpha, kYCbCr or kYCbCrA) in place.
  // INVALID_ARGUMENT for RGB models (convert first).
  virtual absl::StatusOr<ImageMarkResult> Mark(Image* image,
                                               const watermark::PayloadFields& payload,
                                               const watermark::WatermarkKey& key) const = 0;

  // Looks for a mark in plane 0 of `image` (same models as Mark) under every
  // key of `keys`, blind (no original).
  virtual ImageDetection Detect(const Image& image, const watermark::KeySet& keys) const = 0;
};

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_IMAGE_SCHEME_H_
