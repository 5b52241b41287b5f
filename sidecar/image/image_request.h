// What the image RPCs share before any watermark work: the format names of
// the API, the limits a Space's policy sets, and decoding the request's
// bytes (encoded or raw) with errors that name the problem.
#ifndef HALLMARK_SIDECAR_IMAGE_IMAGE_REQUEST_H_
#define HALLMARK_SIDECAR_IMAGE_IMAGE_REQUEST_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hallmark/v1/config.pb.h"
#include "hallmark/v1/hallmark.pb.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::sidecar {

// "" → kUnknown (sniff / same as input); "png", "jpeg" (or "jpg"), "webp",
// "raw"; anything else INVALID_ARGUMENT naming `field`.
absl::StatusOr<image::ImageFormat> ParseImageFormat(absl::string_view name,
                                                    absl::string_view field);

// The decode limits of a resolved Space policy.
image::ImageLimits ImageLimitsFor(const hallmark::config::v1::ImagePolicy& policy);

// Decodes `bytes` as `format` (kUnknown: sniffed; a declared format that
// the bytes contradict is INVALID_ARGUMENT). Raw input needs `raw`'s
// width, height and channels. Errors: INVALID_ARGUMENT (empty, corrupt,
// truncated, unsupported) or RESOURCE_EXHAUSTED (over `limits`), each
// message naming the problem.
absl::StatusOr<image::DecodedImage> DecodeRequestImage(absl::string_view bytes,
                                                       image::ImageFormat format,
                                                       const hallmark::v1::RawImageLayout& raw,
                                                       const image::ImageLimits& limits,
                                                       const image::DecodeOptions& options = {});

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_IMAGE_IMAGE_REQUEST_H_
