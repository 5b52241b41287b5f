// Image container formats, resource limits, and a header-only probe that
// answers "what is this and may we decode it" before a single pixel is
// decoded. The probe parses untrusted bytes itself (no codec library), with
// every read bounds-checked.
#ifndef HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_FORMAT_H_
#define HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_FORMAT_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::image {

enum class ImageFormat { kUnknown, kPng, kJpeg, kWebp, kRaw };

// "png", "jpeg", "webp", "raw" or "unknown".
absl::string_view ImageFormatName(ImageFormat format);

// Refusal thresholds, checked from the header before decoding. The defaults
// fit a 50-megapixel photo; a Space's policy may lower or raise them.
struct ImageLimits {
  int64_t max_pixels = 50'000'000;
  int max_width = 16384;
  int max_height = 16384;
  int64_t max_bytes = 64LL << 20;  // encoded input size
};

// What the header says about an image.
struct ImageInfo {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;
  int height = 0;
  // Channels the decoder will produce: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
  // (PNG palette → 3 or 4; PNG tRNS before IDAT adds alpha.)
  int channels = 0;
  int bit_depth = 8;         // 8 or 16 (PNG sub-byte depths are reported as 8)
  bool progressive = false;  // JPEG SOF2 or interlaced PNG
  bool animated = false;     // WebP animation (refused by ProbeImage)
};

// The format from the magic bytes, or kUnknown. Never fails.
ImageFormat SniffImageFormat(absl::string_view bytes);

// Checks width/height/pixel count against `limits`: RESOURCE_EXHAUSTED naming
// the limit and the value, else OK.
absl::Status CheckImageLimits(int64_t width, int64_t height, const ImageLimits& limits);

// Reads the header of a PNG (signature + IHDR, and chunks up to IDAT for
// tRNS), JPEG (marker walk to the SOF segment, no entropy decoding) or WebP
// (RIFF + VP8 / VP8L / VP8X). Returns INVALID_ARGUMENT for unknown, corrupt,
// truncated or unsupported headers (animated WebP, arithmetic/lossless JPEG)
// and RESOURCE_EXHAUSTED when `bytes` or the declared size exceeds `limits`.
absl::StatusOr<ImageInfo> ProbeImage(absl::string_view bytes, const ImageLimits& limits = {});

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_FORMAT_H_
