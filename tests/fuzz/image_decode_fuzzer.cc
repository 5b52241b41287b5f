// libFuzzer target for the image decoders: DecodeImage (probe + PNG / JPEG /
// WebP decode) on arbitrary bytes under small limits, and a re-encode of
// whatever decodes. Every input must return a Status; crashes, sanitizer
// reports, leaks and timeouts are findings.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/image/codec/image_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hallmark::image;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  ImageLimits limits;
  limits.max_pixels = 1 << 18;  // 512 x 512: keeps each run in milliseconds
  limits.max_width = 2048;
  limits.max_height = 2048;
  limits.max_bytes = 1 << 20;
  (void)ProbeImage(bytes, limits);
  (void)ExifOrientation(bytes);
  // DecodeRaw with a layout taken from the first bytes (sizes may be wild).
  if (size >= 6) {
    RawLayout layout;
    layout.width = data[0] | (data[1] << 8);
    layout.height = data[2] | (data[3] << 8);
    layout.channels = data[4] % 6;
    layout.stride = data[5] * 4;
    absl::StatusOr<DecodedImage> raw = DecodeRaw(bytes.substr(6), layout, limits);
    if (raw.ok()) {
      EncodeOptions options;
      options.format = ImageFormat::kRaw;
      (void)EncodeImage(raw->pixels, raw->metadata, options);
    }
  }
  absl::StatusOr<DecodedImage> decoded = DecodeImage(bytes, limits);
  if (!decoded.ok()) return 0;
  (void)ExifOrientation(decoded->metadata.exif);
  // Re-encode in the source format, metadata included, and decode again:
  // whatever we accepted must survive our own encoder.
  EncodeOptions options;
  options.webp_quality = 50;
  absl::StatusOr<std::string> encoded = EncodeImage(decoded->pixels, decoded->metadata, options);
  if (encoded.ok()) (void)DecodeImage(*encoded, limits);
  return 0;
}
