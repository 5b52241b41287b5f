#include "sidecar/image/image_request.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace hallmark::sidecar {

absl::StatusOr<image::ImageFormat> ParseImageFormat(absl::string_view name,
                                                    absl::string_view field) {
  if (name.empty()) return image::ImageFormat::kUnknown;
  if (name == "png") return image::ImageFormat::kPng;
  if (name == "jpeg" || name == "jpg") return image::ImageFormat::kJpeg;
  if (name == "webp") return image::ImageFormat::kWebp;
  if (name == "raw") return image::ImageFormat::kRaw;
  return absl::InvalidArgumentError(absl::StrCat(
      field, " \"", name.substr(0, 32), "\" is not one of png, jpeg, webp, raw (or empty)"));
}

image::ImageLimits ImageLimitsFor(const hallmark::config::v1::ImagePolicy& policy) {
  image::ImageLimits limits;
  constexpr uint64_t kInt64Max = std::numeric_limits<int64_t>::max();
  limits.max_pixels = static_cast<int64_t>(std::min(policy.max_pixels(), kInt64Max));
  limits.max_bytes = static_cast<int64_t>(std::min(policy.max_bytes(), kInt64Max));
  return limits;
}

absl::StatusOr<image::DecodedImage> DecodeRequestImage(absl::string_view bytes,
                                                       image::ImageFormat format,
                                                       const hallmark::v1::RawImageLayout& raw,
                                                       const image::ImageLimits& limits,
                                                       const image::DecodeOptions& options) {
  if (bytes.empty()) return absl::InvalidArgumentError("image is empty");
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("image is ", bytes.size(), " bytes; the limit for this Space is ",
                     limits.max_bytes, " (policy image.max_bytes)"));
  }
  if (format == image::ImageFormat::kRaw) {
    if (raw.width() <= 0 || raw.height() <= 0) {
      return absl::InvalidArgumentError("raw images need raw.width and raw.height (> 0)");
    }
    if (raw.channels() != 3 && raw.channels() != 4) {
      return absl::InvalidArgumentError(
          absl::StrCat("raw.channels must be 3 (RGB) or 4 (RGBA), got ", raw.channels()));
    }
    if (raw.stride() < 0) return absl::InvalidArgumentError("raw.stride must not be negative");
    image::RawLayout layout{raw.width(), raw.height(), raw.channels(), raw.stride()};
    return image::DecodeRaw(bytes, layout, limits);
  }
  const image::ImageFormat sniffed = image::SniffImageFormat(bytes);
  if (sniffed == image::ImageFormat::kUnknown) {
    return absl::InvalidArgumentError(
        "image is not PNG, JPEG or WebP (unrecognised signature); raw pixels need "
        "format \"raw\" and a layout");
  }
  if (format != image::ImageFormat::kUnknown && format != sniffed) {
    return absl::InvalidArgumentError(absl::StrCat("format says ", image::ImageFormatName(format),
                                                   " but the bytes are ",
                                                   image::ImageFormatName(sniffed)));
  }
  return image::DecodeImage(bytes, limits, options);
}

}  // namespace hallmark::sidecar
